-- hushd schema 1 (PostgreSQL). See docs/server/storage.md for what each table
-- holds and what the server deliberately does not store.

-- An account: a random id, a unique lower-cased username and, once the first
-- device uploads keys, the account's identity public key.
CREATE TABLE accounts (
  id             BYTEA    NOT NULL PRIMARY KEY,  -- 16 random bytes
  username       TEXT    NOT NULL UNIQUE,       -- lower-cased [a-z0-9_.-]
  created_at     BIGINT   NOT NULL,              -- ms since epoch
  identity_key   BYTEA,                          -- 33 bytes, public
  next_device_id BIGINT   NOT NULL DEFAULT 2     -- device ids are never reused
);

-- A device: its credential hash, Signal registration id, signed pre-key and
-- the next seq its queue will hand out and how many rows it holds.
CREATE TABLE devices (
  account_id       BYTEA    NOT NULL REFERENCES accounts(id),
  device_id        BIGINT   NOT NULL,
  registration_id  BIGINT   NOT NULL,
  credential_hash  BYTEA    NOT NULL,            -- SHA-256(credential)
  created_at       BIGINT   NOT NULL,
  spk_id           BIGINT  ,                     -- signed pre-key, public
  spk_public       BYTEA,
  spk_signature    BYTEA,
  next_seq         BIGINT   NOT NULL DEFAULT 1,
  queue_depth      BIGINT   NOT NULL DEFAULT 0,        -- rows in queue, kept in step
  PRIMARY KEY (account_id, device_id)
);

CREATE TABLE one_time_pre_keys (
  account_id BYTEA    NOT NULL,
  device_id  BIGINT   NOT NULL,
  key_id     BIGINT   NOT NULL,
  public_key BYTEA    NOT NULL,                  -- 33 bytes, public
  PRIMARY KEY (account_id, device_id, key_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id)
);

-- One-time tokens for linking another device to an account.
CREATE TABLE link_tokens (
  token_hash BYTEA    NOT NULL PRIMARY KEY,      -- SHA-256(token)
  account_id BYTEA    NOT NULL REFERENCES accounts(id),
  expires_at BIGINT   NOT NULL
);
CREATE INDEX link_tokens_by_account ON link_tokens(account_id);

-- Ciphertexts, each stored once however many queue rows reference it.
CREATE TABLE bodies (
  id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  content BYTEA    NOT NULL                      -- opaque ciphertext
);

-- Per-device queues: a row per (recipient device, seq).
CREATE TABLE queue (
  account_id     BYTEA    NOT NULL,
  device_id      BIGINT   NOT NULL,
  seq            BIGINT   NOT NULL,
  body_id        BIGINT   NOT NULL REFERENCES bodies(id),
  sender_account BYTEA    NOT NULL,
  sender_device  BIGINT   NOT NULL,
  message_id     BYTEA    NOT NULL,
  type           BIGINT   NOT NULL,
  server_time    BIGINT   NOT NULL,
  PRIMARY KEY (account_id, device_id, seq),
  FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id)
);
CREATE INDEX queue_by_body ON queue(body_id);
CREATE INDEX queue_by_time ON queue(server_time);

-- Idempotency: sends already stored, kept as long as their messages may be.
CREATE TABLE sent (
  sender_account BYTEA    NOT NULL,
  sender_device  BIGINT   NOT NULL,
  message_id     BYTEA    NOT NULL,
  server_time    BIGINT   NOT NULL,
  PRIMARY KEY (sender_account, sender_device, message_id)
);
CREATE INDEX sent_by_time ON sent(server_time);
