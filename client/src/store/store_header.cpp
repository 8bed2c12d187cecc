// Header row I/O and the wrapping of the data key under the key-encryption
// key (Argon2id of the passphrase, or the key file's 32 bytes).
#include "store_header.hpp"

#include "record_codec.hpp"

#include <hush/client/store/local_store.hpp>

namespace hush::client::store {

namespace {

const char* source_name(KeySource::Kind k) { return k == KeySource::Kind::passphrase ? "passphrase" : "key_file"; }

/// Everything in the header but the wrapped key, so none of it can be edited.
Bytes wrap_ad(const StoreHeader& h) {
  return RecordWriter()
      .string("hush.client.store.data_key")
      .u32(h.schema_version)
      .string(source_name(h.key_source))
      .u64(h.cost.ops_limit)
      .u64(h.cost.mem_limit)
      .bytes(h.salt)
      .finish_public();
}

}  // namespace

Result<crypto::Argon2idKey> key_encryption_key(const StoreHeader& h, const KeySource& key) {
  if (key.kind() != h.key_source) {
    return make_error(Errc::unauthorized, h.key_source == KeySource::Kind::passphrase
                                              ? "store is locked with a passphrase, not a key file"
                                              : "store is locked with a key file, not a passphrase");
  }
  if (key.kind() == KeySource::Kind::key_file) {
    HUSH_TRY_ASSIGN(auto file_key, read_key_file(key.path()));
    return crypto::Argon2idKey(file_key.expose());
  }
  return crypto::argon2id(key.passphrase_bytes().expose(), h.salt, h.cost);
}

StoreHeader new_header(const KeySource& key, crypto::Rng& rng) {
  StoreHeader h;
  h.schema_version = kStoreSchemaVersion;
  h.key_source = key.kind();
  if (key.kind() == KeySource::Kind::passphrase) {
    h.cost = argon2id_cost(key.cost());
    h.salt.resize(crypto::kArgon2idSaltSize);
    rng.fill(h.salt);
  }
  return h;
}

Result<StoreHeader> read_header(SqliteDb& db) {
  auto stmt = db.prepare(
      "SELECT schema_version, key_source, kdf_ops, kdf_mem, kdf_salt, wrapped_data_key FROM store_header WHERE id = 1");
  // A file without the header table is not a Hush store (or not one we can read).
  if (!stmt) return make_error(Errc::decode_error, "store header missing");
  HUSH_TRY_ASSIGN(bool row, stmt->step());
  if (!row) return make_error(Errc::decode_error, "store header missing");
  StoreHeader h;
  std::int64_t version = stmt->int64(0);
  // Older versions are migrated once the data key is unwrapped (store_migration.cpp);
  // a newer one was written by a newer Hush, whose tables this code cannot read.
  if (version > kStoreSchemaVersion) {
    return make_error(Errc::unsupported_version, "the store was written by a newer version of Hush: upgrade Hush");
  }
  if (version < kOldestMigratableSchemaVersion) return make_error(Errc::decode_error, "store schema version");
  h.schema_version = static_cast<std::uint32_t>(version);
  std::string source = stmt->text(1);
  if (source == "passphrase") {
    h.key_source = KeySource::Kind::passphrase;
  } else if (source == "key_file") {
    h.key_source = KeySource::Kind::key_file;
  } else {
    return make_error(Errc::decode_error, "store header key source");
  }
  std::int64_t ops = stmt->int64(2);
  std::int64_t mem = stmt->int64(3);
  if (ops < 0 || mem < 0) return make_error(Errc::decode_error, "store header kdf cost");
  h.cost = {static_cast<std::uint64_t>(ops), static_cast<std::size_t>(mem)};
  h.salt = to_bytes(stmt->blob(4));
  h.wrapped_data_key = to_bytes(stmt->blob(5));
  if (h.key_source == KeySource::Kind::passphrase) {
    // Bounds first: a tampered header must not make us allocate gigabytes.
    if (!h.cost.valid()) return make_error(Errc::decode_error, "store header kdf cost");
    if (h.salt.size() != crypto::kArgon2idSaltSize) return make_error(Errc::decode_error, "store header salt");
  } else if (!h.salt.empty() || ops != 0 || mem != 0) {
    return make_error(Errc::decode_error, "store header key file fields");
  }
  if (h.wrapped_data_key.size() != crypto::kXChaChaNonceSize + crypto::kAeadKeySize + crypto::kAeadTagSize) {
    return make_error(Errc::decode_error, "store header wrapped key");
  }
  return h;
}

Status write_header(SqliteDb& db, const StoreHeader& h) {
  HUSH_TRY_ASSIGN(auto stmt, db.prepare(
                                 "INSERT OR REPLACE INTO store_header (id, schema_version, key_source, kdf_ops, "
                                 "kdf_mem, kdf_salt, wrapped_data_key) VALUES (1, ?, ?, ?, ?, ?, ?)"));
  stmt.bind(1, static_cast<std::int64_t>(h.schema_version))
      .bind_text(2, source_name(h.key_source))
      .bind(3, static_cast<std::int64_t>(h.cost.ops_limit))
      .bind(4, static_cast<std::int64_t>(h.cost.mem_limit))
      .bind(5, ByteView(h.salt))
      .bind(6, ByteView(h.wrapped_data_key));
  return stmt.run();
}

Status wrap_data_key(StoreHeader& header, const KeySource& key, const crypto::AeadKey& data_key, crypto::Rng& rng) {
  HUSH_TRY_ASSIGN(auto kek, key_encryption_key(header, key));
  wrap_data_key(header, kek, data_key, rng);
  return ok();
}

void wrap_data_key(StoreHeader& header, const crypto::Argon2idKey& kek, const crypto::AeadKey& data_key,
                   crypto::Rng& rng) {
  header.wrapped_data_key = crypto::seal_xchacha(kek.expose(), data_key.expose(), wrap_ad(header), rng);
}

Result<crypto::AeadKey> unwrap_data_key(const StoreHeader& header, const KeySource& key) {
  HUSH_TRY_ASSIGN(auto kek, key_encryption_key(header, key));
  return unwrap_data_key(header, kek);
}

Result<crypto::AeadKey> unwrap_data_key(const StoreHeader& header, const crypto::Argon2idKey& kek) {
  auto opened = crypto::open_xchacha(kek.expose(), header.wrapped_data_key, wrap_ad(header));
  if (!opened) return make_error(Errc::unauthorized, "wrong passphrase or key file");
  if (opened->size() != crypto::kAeadKeySize) return make_error(Errc::decode_error, "store header wrapped key");
  return crypto::AeadKey::from(opened->expose());
}

}  // namespace hush::client::store
