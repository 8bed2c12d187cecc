// The store's header row: how the key-encryption key is obtained (key
// source, Argon2id salt and cost) and the data key wrapped under it. The
// wrapping's associated data covers every other header field, so a header
// edited on disk no longer opens. Private to the store.
#pragma once

#include "sqlite_db.hpp"

#include <hush/client/store/key_source.hpp>
#include <hush/crypto/aead.hpp>
#include <hush/crypto/password_hash.hpp>

namespace hush::client::store {

struct StoreHeader {
  std::uint32_t schema_version = 0;
  KeySource::Kind key_source = KeySource::Kind::passphrase;
  crypto::Argon2idCost cost{};  ///< zero for a key file
  Bytes salt;                   ///< empty for a key file
  Bytes wrapped_data_key;
};

/// A header for `key` with a fresh salt, its data key not yet wrapped.
[[nodiscard]] StoreHeader new_header(const KeySource& key, crypto::Rng& rng);

/// Reads and validates the header; a schema version from
/// kOldestMigratableSchemaVersion to kStoreSchemaVersion is accepted (the
/// caller migrates an older one). Errors: decode_error (missing or malformed
/// row, costs out of range, a version older than any we migrate),
/// unsupported_version (written by a newer Hush), storage errors.
[[nodiscard]] Result<StoreHeader> read_header(SqliteDb& db);
/// Inserts or replaces the header row.
[[nodiscard]] Status write_header(SqliteDb& db, const StoreHeader& header);

/// Wraps `data_key` under the key `key` gives with `header`'s parameters;
/// sets header.wrapped_data_key.
[[nodiscard]] Status wrap_data_key(StoreHeader& header, const KeySource& key, const crypto::AeadKey& data_key,
                                   crypto::Rng& rng);
/// As above, with the key-encryption key already derived (a migration
/// rewraps under a new header without running Argon2id twice).
void wrap_data_key(StoreHeader& header, const crypto::Argon2idKey& kek, const crypto::AeadKey& data_key,
                   crypto::Rng& rng);
/// The key-encryption key `key` gives with `header`'s parameters. Errors:
/// unauthorized (a key source of the other kind), those of read_key_file
/// and argon2id.
[[nodiscard]] Result<crypto::Argon2idKey> key_encryption_key(const StoreHeader& header, const KeySource& key);
/// Unwraps the data key with an already derived key-encryption key.
/// Errors: unauthorized (the wrong key), decode_error.
[[nodiscard]] Result<crypto::AeadKey> unwrap_data_key(const StoreHeader& header, const crypto::Argon2idKey& kek);
/// Unwraps the data key. Errors: unauthorized (wrong passphrase or key file,
/// or a key source of the other kind), those of read_key_file and argon2id.
[[nodiscard]] Result<crypto::AeadKey> unwrap_data_key(const StoreHeader& header, const KeySource& key);

}  // namespace hush::client::store
