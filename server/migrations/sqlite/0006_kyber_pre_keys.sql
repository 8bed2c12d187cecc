-- hushd schema 6 (SQLite): Kyber1024 pre-keys for PQXDH (issue #15). Public
-- keys only, each as its device uploaded it: 0x08 || 1568 bytes, with the
-- identity key's XEdDSA signature over those 1569 bytes (checked on upload).

-- One-time Kyber pre-keys: handed out once, in the transaction that hands
-- out the device's one-time EC pre-key.
CREATE TABLE kyber_pre_keys (
  account_id BLOB    NOT NULL,
  device_id  INTEGER NOT NULL,
  key_id     INTEGER NOT NULL,
  public_key BLOB    NOT NULL,                  -- 1569 bytes, public
  signature  BLOB    NOT NULL,                  -- 64 bytes
  PRIMARY KEY (account_id, device_id, key_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id)
) WITHOUT ROWID;

-- The last-resort Kyber pre-key of a device (at most one): handed out, and
-- kept, whenever the device has no one-time Kyber pre-key left.
CREATE TABLE kyber_last_resort_keys (
  account_id BLOB    NOT NULL,
  device_id  INTEGER NOT NULL,
  key_id     INTEGER NOT NULL,
  public_key BLOB    NOT NULL,                  -- 1569 bytes, public
  signature  BLOB    NOT NULL,                  -- 64 bytes
  PRIMARY KEY (account_id, device_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id)
) WITHOUT ROWID;
