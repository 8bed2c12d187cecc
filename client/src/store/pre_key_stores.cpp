// One-time and signed pre-key records, sealed per id.
#include <hush/client/store/pre_key_stores.hpp>

#include "record_codec.hpp"
#include "store_access.hpp"

namespace hush::client::store {

namespace {

constexpr const char* kPreKeyColumn = "pre_keys.record";
constexpr const char* kSignedPreKeyColumn = "signed_pre_keys.record";

Bytes id_row_key(std::uint32_t id) { return RecordWriter().u32(id).finish_public(); }

}  // namespace

Result<signal::PreKeyRecord> SqlitePreKeyStore::load_pre_key(signal::PreKeyId id) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT record FROM pre_keys WHERE id = ?"));
  stmt.bind(1, static_cast<std::int64_t>(id.value));
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return make_error(Errc::not_found, "pre-key");
  HUSH_TRY_ASSIGN(auto plain, store_.open_value(kPreKeyColumn, id_row_key(id.value), stmt.blob(0)));
  return signal::PreKeyRecord::deserialize(plain.expose());
}

Status SqlitePreKeyStore::store_pre_key(const signal::PreKeyRecord& record) {
  SecretBuffer plain = record.serialize();
  Bytes sealed = store_.seal(kPreKeyColumn, id_row_key(record.id.value), plain.expose());
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("INSERT OR REPLACE INTO pre_keys (id, record) VALUES (?, ?)"));
  stmt.bind(1, static_cast<std::int64_t>(record.id.value)).bind(2, ByteView(sealed));
  return stmt.run();
}

Status SqlitePreKeyStore::remove_pre_key(signal::PreKeyId id) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("DELETE FROM pre_keys WHERE id = ?"));
  stmt.bind(1, static_cast<std::int64_t>(id.value));
  return stmt.run();
}

Result<std::size_t> SqlitePreKeyStore::count() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT count(*) FROM pre_keys"));
  HUSH_TRY(stmt.step());
  return static_cast<std::size_t>(stmt.int64(0));
}

Result<std::uint32_t> SqlitePreKeyStore::max_id() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT coalesce(max(id), 0) FROM pre_keys"));
  HUSH_TRY(stmt.step());
  return static_cast<std::uint32_t>(stmt.int64(0));
}

Result<signal::SignedPreKeyRecord> SqliteSignedPreKeyStore::load_signed_pre_key(signal::SignedPreKeyId id) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT record FROM signed_pre_keys WHERE id = ?"));
  stmt.bind(1, static_cast<std::int64_t>(id.value));
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return make_error(Errc::not_found, "signed pre-key");
  HUSH_TRY_ASSIGN(auto plain, store_.open_value(kSignedPreKeyColumn, id_row_key(id.value), stmt.blob(0)));
  return signal::SignedPreKeyRecord::deserialize(plain.expose());
}

Status SqliteSignedPreKeyStore::store_signed_pre_key(const signal::SignedPreKeyRecord& record) {
  SecretBuffer plain = record.serialize();
  Bytes sealed = store_.seal(kSignedPreKeyColumn, id_row_key(record.id.value), plain.expose());
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "INSERT OR REPLACE INTO signed_pre_keys (id, created_ms, record) VALUES (?, ?, ?)"));
  stmt.bind(1, static_cast<std::int64_t>(record.id.value))
      .bind(2, static_cast<std::int64_t>(record.timestamp_ms))
      .bind(3, ByteView(sealed));
  return stmt.run();
}

Status SqliteSignedPreKeyStore::remove_signed_pre_key(signal::SignedPreKeyId id) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("DELETE FROM signed_pre_keys WHERE id = ?"));
  stmt.bind(1, static_cast<std::int64_t>(id.value));
  return stmt.run();
}

Result<std::vector<SignedPreKeyInfo>> SqliteSignedPreKeyStore::list() {
  HUSH_TRY_ASSIGN(auto stmt,
                  StoreAccess::db(store_).prepare("SELECT id, created_ms FROM signed_pre_keys ORDER BY created_ms, id"));
  std::vector<SignedPreKeyInfo> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, stmt.step());
    if (!row) return out;
    out.push_back({signal::SignedPreKeyId{static_cast<std::uint32_t>(stmt.int64(0))},
                   static_cast<std::uint64_t>(stmt.int64(1))});
  }
}

}  // namespace hush::client::store
