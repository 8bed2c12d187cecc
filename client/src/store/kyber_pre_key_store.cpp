// Kyber pre-key records (PQXDH, issue #15), sealed per id, and the uses of
// last-resort keys that make a replayed first message fail. Which keys the
// server handed out and when they are forgotten is DrainedPreKeys' job
// (pre_key_stores.cpp); what is uploaded and rotated is the SDK's.
#include <hush/client/store/kyber_pre_key_store.hpp>

#include "record_codec.hpp"
#include "store_access.hpp"

namespace hush::client::store {

namespace {

constexpr const char* kKyberColumn = "kyber_pre_keys.record";

Bytes id_row_key(std::uint32_t id) {
  return RecordWriter().u32(id).finish_public();
}

// `last_resort` and `created_ms` repeat what the sealed record says, for
// counting and rotation without opening every cell; the sealed copy decides
// how a key is treated when it is used.
constexpr const char* kKyberTables = R"sql(
CREATE TABLE IF NOT EXISTS kyber_pre_keys (
  id          INTEGER PRIMARY KEY,
  last_resort INTEGER NOT NULL CHECK (last_resort IN (0, 1)),
  created_ms  INTEGER NOT NULL,
  record      BLOB    NOT NULL      -- sealed: libhush KyberPreKeyRecord
) STRICT;
CREATE TABLE IF NOT EXISTS kyber_last_resort_uses (
  kyber_id          INTEGER NOT NULL,
  signed_pre_key_id INTEGER NOT NULL,
  base_key          BLOB    NOT NULL,  -- the initiator's public base key (33 bytes)
  PRIMARY KEY (kyber_id, signed_pre_key_id, base_key)
) STRICT, WITHOUT ROWID;
)sql";

Result<std::vector<std::uint32_t>> select_ids(LocalStore& store, const char* sql) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store).prepare(sql));
  std::vector<std::uint32_t> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, stmt.step());
    if (!row) return out;
    out.push_back(static_cast<std::uint32_t>(stmt.int64(0)));
  }
}

}  // namespace

Status ensure_kyber_pre_key_tables(LocalStore& store) {
  return StoreAccess::db(store).exec(kKyberTables);
}

Result<signal::KyberPreKeyRecord> SqliteKyberPreKeyStore::load_kyber_pre_key(signal::KyberPreKeyId id) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT record FROM kyber_pre_keys WHERE id = ?"));
  stmt.bind(1, static_cast<std::int64_t>(id.value));
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return make_error(Errc::not_found, "kyber pre-key");
  HUSH_TRY_ASSIGN(auto plain, store_.open_value(kKyberColumn, id_row_key(id.value), stmt.blob(0)));
  return signal::KyberPreKeyRecord::deserialize(plain.expose());
}

Status SqliteKyberPreKeyStore::store_kyber_pre_key(const signal::KyberPreKeyRecord& record) {
  SecretBuffer plain = record.serialize();
  Bytes sealed = store_.seal(kKyberColumn, id_row_key(record.id.value), plain.expose());
  HUSH_TRY_ASSIGN(auto stmt,
                  StoreAccess::db(store_).prepare("INSERT OR REPLACE INTO kyber_pre_keys "
                                                  "(id, last_resort, created_ms, record) VALUES (?, ?, ?, ?)"));
  stmt.bind(1, static_cast<std::int64_t>(record.id.value))
      .bind(2, std::int64_t{record.last_resort ? 1 : 0})
      .bind(3, static_cast<std::int64_t>(record.timestamp_ms))
      .bind(4, ByteView(sealed));
  return stmt.run();
}

Status SqliteKyberPreKeyStore::mark_kyber_pre_key_used(signal::KyberPreKeyId id,
                                                       signal::SignedPreKeyId signed_pre_key_id,
                                                       const crypto::PublicKey& base_key) {
  HUSH_TRY_ASSIGN(auto record, load_kyber_pre_key(id));
  if (!record.last_resort) return remove_kyber_pre_key(id);
  auto& db = StoreAccess::db(store_);
  const Bytes base = base_key.serialize();
  {
    HUSH_TRY_ASSIGN(auto seen, db.prepare("SELECT 1 FROM kyber_last_resort_uses "
                                          "WHERE kyber_id = ? AND signed_pre_key_id = ? AND base_key = ?"));
    seen.bind(1, static_cast<std::int64_t>(id.value))
        .bind(2, static_cast<std::int64_t>(signed_pre_key_id.value))
        .bind(3, ByteView(base));
    HUSH_TRY_ASSIGN(bool row, seen.step());
    if (row) return make_error(Errc::duplicate_message, "last-resort kyber pre-key reused with the same base key");
  }
  HUSH_TRY_ASSIGN(auto add, db.prepare("INSERT INTO kyber_last_resort_uses (kyber_id, signed_pre_key_id, base_key) "
                                       "VALUES (?, ?, ?)"));
  add.bind(1, static_cast<std::int64_t>(id.value))
      .bind(2, static_cast<std::int64_t>(signed_pre_key_id.value))
      .bind(3, ByteView(base));
  return add.run();
}

Status SqliteKyberPreKeyStore::remove_kyber_pre_key(signal::KyberPreKeyId id) {
  for (const char* sql :
       {"DELETE FROM kyber_last_resort_uses WHERE kyber_id = ?", "DELETE FROM kyber_pre_keys WHERE id = ?"}) {
    HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(sql));
    stmt.bind(1, static_cast<std::int64_t>(id.value));
    HUSH_TRY(stmt.run());
  }
  return ok();
}

Result<std::size_t> SqliteKyberPreKeyStore::one_time_count() {
  HUSH_TRY_ASSIGN(auto stmt,
                  StoreAccess::db(store_).prepare("SELECT count(*) FROM kyber_pre_keys WHERE last_resort = 0"));
  HUSH_TRY(stmt.step());
  return static_cast<std::size_t>(stmt.int64(0));
}

Result<std::vector<std::uint32_t>> SqliteKyberPreKeyStore::one_time_ids() {
  return select_ids(store_, "SELECT id FROM kyber_pre_keys WHERE last_resort = 0 ORDER BY id");
}

Result<std::uint32_t> SqliteKyberPreKeyStore::max_id() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT coalesce(max(id), 0) FROM kyber_pre_keys"));
  HUSH_TRY(stmt.step());
  return static_cast<std::uint32_t>(stmt.int64(0));
}

Result<std::vector<KyberPreKeyInfo>> SqliteKyberPreKeyStore::last_resort_keys() {
  HUSH_TRY_ASSIGN(auto stmt,
                  StoreAccess::db(store_).prepare(
                      "SELECT id, created_ms FROM kyber_pre_keys WHERE last_resort = 1 ORDER BY created_ms, id"));
  std::vector<KyberPreKeyInfo> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, stmt.step());
    if (!row) return out;
    out.push_back(
        {signal::KyberPreKeyId{static_cast<std::uint32_t>(stmt.int64(0))}, static_cast<std::uint64_t>(stmt.int64(1))});
  }
}

}  // namespace hush::client::store
