-- hushd schema 1 (SQLite). See docs/server/storage.md for what each table
-- holds and what the server deliberately does not store.

-- An account: a random id, a unique lower-cased username and, once the first
-- device uploads keys, the account's identity public key.
CREATE TABLE accounts (
  id             BLOB    NOT NULL PRIMARY KEY,  -- 16 random bytes
  username       TEXT    NOT NULL UNIQUE,       -- lower-cased [a-z0-9_.-]
  created_at     INTEGER NOT NULL,              -- ms since epoch
  identity_key   BLOB,                          -- 33 bytes, public
  next_device_id INTEGER NOT NULL DEFAULT 2     -- device ids are never reused
) WITHOUT ROWID;

-- A device: its credential hash, Signal registration id, signed pre-key and
-- the next seq its queue will hand out and how many rows it holds.
CREATE TABLE devices (
  account_id       BLOB    NOT NULL REFERENCES accounts(id),
  device_id        INTEGER NOT NULL,
  registration_id  INTEGER NOT NULL,
  credential_hash  BLOB    NOT NULL,            -- SHA-256(credential)
  created_at       INTEGER NOT NULL,
  spk_id           INTEGER,                     -- signed pre-key, public
  spk_public       BLOB,
  spk_signature    BLOB,
  next_seq         INTEGER NOT NULL DEFAULT 1,
  queue_depth      INTEGER NOT NULL DEFAULT 0,        -- rows in queue, kept in step
  PRIMARY KEY (account_id, device_id)
) WITHOUT ROWID;

CREATE TABLE one_time_pre_keys (
  account_id BLOB    NOT NULL,
  device_id  INTEGER NOT NULL,
  key_id     INTEGER NOT NULL,
  public_key BLOB    NOT NULL,                  -- 33 bytes, public
  PRIMARY KEY (account_id, device_id, key_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id)
) WITHOUT ROWID;

-- One-time tokens for linking another device to an account.
CREATE TABLE link_tokens (
  token_hash BLOB    NOT NULL PRIMARY KEY,      -- SHA-256(token)
  account_id BLOB    NOT NULL REFERENCES accounts(id),
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX link_tokens_by_account ON link_tokens(account_id);

-- Ciphertexts, each stored once however many queue rows reference it.
CREATE TABLE bodies (
  id      INTEGER PRIMARY KEY,
  content BLOB    NOT NULL                      -- opaque ciphertext
);

-- Per-device queues: a row per (recipient device, seq).
CREATE TABLE queue (
  account_id     BLOB    NOT NULL,
  device_id      INTEGER NOT NULL,
  seq            INTEGER NOT NULL,
  body_id        INTEGER NOT NULL REFERENCES bodies(id),
  sender_account BLOB    NOT NULL,
  sender_device  INTEGER NOT NULL,
  message_id     BLOB    NOT NULL,
  type           INTEGER NOT NULL,
  server_time    INTEGER NOT NULL,
  PRIMARY KEY (account_id, device_id, seq),
  FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id)
) WITHOUT ROWID;
CREATE INDEX queue_by_body ON queue(body_id);
CREATE INDEX queue_by_time ON queue(server_time);

-- Idempotency: sends already stored, kept as long as their messages may be.
CREATE TABLE sent (
  sender_account BLOB    NOT NULL,
  sender_device  INTEGER NOT NULL,
  message_id     BLOB    NOT NULL,
  server_time    INTEGER NOT NULL,
  PRIMARY KEY (sender_account, sender_device, message_id)
) WITHOUT ROWID;
CREATE INDEX sent_by_time ON sent(server_time);
