// DDL of the current schema version (2: peers keyed by their account's
// address; docs/adr/0003-client-store-encryption.md "Schema versions"). `sealed` in a comment marks an XChaCha20-Poly1305
// value bound to (column, row key, schema version); everything else is a
// plaintext lookup column.
#include "schema.hpp"

namespace hush::client::store {

namespace {

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE store_header (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  schema_version   INTEGER NOT NULL,
  key_source       TEXT    NOT NULL CHECK (key_source IN ('passphrase', 'key_file')),
  kdf_ops          INTEGER NOT NULL,   -- Argon2id passes (0 for a key file)
  kdf_mem          INTEGER NOT NULL,   -- Argon2id memory in bytes (0 for a key file)
  kdf_salt         BLOB    NOT NULL,   -- 16 bytes (empty for a key file)
  wrapped_data_key BLOB    NOT NULL    -- sealed under the key-encryption key
) STRICT;

CREATE TABLE local_identity (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  identity  BLOB NOT NULL              -- sealed: registration id, identity private key
) STRICT;

CREATE TABLE account (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  record    BLOB NOT NULL              -- sealed: username, account id, device id, server URL, credential
) STRICT;

CREATE TABLE contacts (
  account       TEXT    PRIMARY KEY,   -- the peer's address (store/account_address.hpp)
  first_seen_ms INTEGER NOT NULL,
  identity      BLOB    NOT NULL       -- sealed: key, verified, pending key, key-change history
) STRICT;

CREATE TABLE sessions (
  account   TEXT    NOT NULL,          -- the peer's address
  device_id INTEGER NOT NULL,
  record    BLOB    NOT NULL,          -- sealed: libhush SessionRecord
  PRIMARY KEY (account, device_id)
) STRICT;

CREATE TABLE pre_keys (
  id        INTEGER PRIMARY KEY,
  record    BLOB NOT NULL              -- sealed: libhush PreKeyRecord
) STRICT;

CREATE TABLE signed_pre_keys (
  id         INTEGER PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  record     BLOB    NOT NULL          -- sealed: libhush SignedPreKeyRecord
) STRICT;

CREATE TABLE messages (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  peer         TEXT    NOT NULL,       -- the peer's address (the sender's, in a group)
  direction    INTEGER NOT NULL CHECK (direction IN (1, 2)),
  message_id   BLOB    NOT NULL CHECK (length(message_id) = 16),
  group_id     BLOB,
  timestamp_ms INTEGER NOT NULL,
  body         BLOB    NOT NULL,       -- sealed: the message text
  UNIQUE (peer, direction, message_id)
) STRICT;
CREATE INDEX messages_by_peer ON messages (peer, seq);

CREATE TABLE received_ids (
  sender      TEXT    NOT NULL,
  id          BLOB    NOT NULL,
  received_ms INTEGER NOT NULL,
  PRIMARY KEY (sender, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE outbox (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient  TEXT    NOT NULL,
  message_id BLOB    NOT NULL CHECK (length(message_id) = 16),
  created_ms INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  payload    BLOB    NOT NULL,         -- sealed: the content to send
  UNIQUE (recipient, message_id)
) STRICT;
)sql";

}  // namespace

Status create_schema(SqliteDb& db) { return db.exec(kSchemaV1); }

}  // namespace hush::client::store
