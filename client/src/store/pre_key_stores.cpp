// One-time and signed pre-key records, sealed per id, and the one-time
// pre-keys (EC and Kyber) the server handed out, pruned after a grace period
// (§7.8).
#include <hush/client/store/pre_key_stores.hpp>

#include "record_codec.hpp"
#include "store_access.hpp"

#include <algorithm>

namespace hush::client::store {

namespace {

constexpr const char* kPreKeyColumn = "pre_keys.record";
constexpr const char* kSignedPreKeyColumn = "signed_pre_keys.record";

Bytes id_row_key(std::uint32_t id) { return RecordWriter().u32(id).finish_public(); }

constexpr const char* kDrainedTables = R"sql(
CREATE TABLE IF NOT EXISTS pre_keys_drained (
  id       INTEGER PRIMARY KEY,   -- a one-time pre-key the server no longer holds
  since_ms INTEGER NOT NULL       -- when we first saw it gone
) STRICT;
CREATE TABLE IF NOT EXISTS pre_key_ids (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  last_pruned INTEGER NOT NULL    -- the highest one-time pre-key id deleted by pruning
) STRICT;
CREATE TABLE IF NOT EXISTS kyber_pre_keys_drained (
  id       INTEGER PRIMARY KEY,   -- a one-time Kyber pre-key the server no longer holds
  since_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS kyber_pre_key_ids (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  last_pruned INTEGER NOT NULL    -- the highest one-time Kyber pre-key id deleted by pruning
) STRICT;
)sql";

/// The statements of DrainedPreKeys for one kind of one-time key: the same
/// rules over the EC tables and over the Kyber ones (whose last-resort keys
/// are never drained).
struct DrainedSql {
  const char* forget_used;
  const char* local_ids;
  const char* unmark;
  const char* mark;
  const char* due;
  const char* remove_key;
  const char* remove_mark;
  const char* high_water_up;
  const char* waiting;
  const char* high_water;
};

constexpr DrainedSql kEcSql{
    "DELETE FROM pre_keys_drained WHERE id NOT IN (SELECT id FROM pre_keys)",
    "SELECT id FROM pre_keys ORDER BY id",
    "DELETE FROM pre_keys_drained WHERE id = ?",
    "INSERT OR IGNORE INTO pre_keys_drained (id, since_ms) VALUES (?, ?)",
    "SELECT id FROM pre_keys_drained WHERE since_ms <= ? ORDER BY id",
    "DELETE FROM pre_keys WHERE id = ?",
    "DELETE FROM pre_keys_drained WHERE id = ?",
    "INSERT INTO pre_key_ids (id, last_pruned) VALUES (1, ?) ON CONFLICT (id) "
    "DO UPDATE SET last_pruned = max(last_pruned, excluded.last_pruned)",
    "SELECT count(*) FROM pre_keys_drained",
    "SELECT coalesce(max(last_pruned), 0) FROM pre_key_ids",
};

constexpr DrainedSql kKyberSql{
    "DELETE FROM kyber_pre_keys_drained WHERE id NOT IN (SELECT id FROM kyber_pre_keys WHERE last_resort = 0)",
    "SELECT id FROM kyber_pre_keys WHERE last_resort = 0 ORDER BY id",
    "DELETE FROM kyber_pre_keys_drained WHERE id = ?",
    "INSERT OR IGNORE INTO kyber_pre_keys_drained (id, since_ms) VALUES (?, ?)",
    "SELECT id FROM kyber_pre_keys_drained WHERE since_ms <= ? ORDER BY id",
    "DELETE FROM kyber_pre_keys WHERE id = ? AND last_resort = 0",
    "DELETE FROM kyber_pre_keys_drained WHERE id = ?",
    "INSERT INTO kyber_pre_key_ids (id, last_pruned) VALUES (1, ?) ON CONFLICT (id) "
    "DO UPDATE SET last_pruned = max(last_pruned, excluded.last_pruned)",
    "SELECT count(*) FROM kyber_pre_keys_drained",
    "SELECT coalesce(max(last_pruned), 0) FROM kyber_pre_key_ids",
};

const DrainedSql& sql_for(OneTimeKind kind) { return kind == OneTimeKind::kyber ? kKyberSql : kEcSql; }

}  // namespace

Status ensure_pre_key_tables(LocalStore& store) { return StoreAccess::db(store).exec(kDrainedTables); }

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

Result<std::vector<std::uint32_t>> SqlitePreKeyStore::ids() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT id FROM pre_keys ORDER BY id"));
  std::vector<std::uint32_t> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, stmt.step());
    if (!row) break;
    out.push_back(static_cast<std::uint32_t>(stmt.int64(0)));
  }
  return out;
}

Status DrainedPreKeys::note(const std::vector<std::uint32_t>& held_on_server, std::uint64_t now_ms) {
  auto& db = StoreAccess::db(store_);
  const DrainedSql& sql = sql_for(kind_);
  {  // used (decrypted a first message, so deleted by libhush) or pruned elsewhere
    HUSH_TRY_ASSIGN(auto gone, db.prepare(sql.forget_used));
    HUSH_TRY(gone.run());
  }
  std::vector<std::uint32_t> local;
  {
    HUSH_TRY_ASSIGN(auto stmt, db.prepare(sql.local_ids));
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, stmt.step());
      if (!row) break;
      local.push_back(static_cast<std::uint32_t>(stmt.int64(0)));
    }
  }
  for (std::uint32_t id : local) {
    const bool held = std::binary_search(held_on_server.begin(), held_on_server.end(), id);
    HUSH_TRY_ASSIGN(auto stmt, db.prepare(held ? sql.unmark : sql.mark));
    stmt.bind(1, static_cast<std::int64_t>(id));
    if (!held) stmt.bind(2, static_cast<std::int64_t>(now_ms));
    HUSH_TRY(stmt.run());
  }
  return ok();
}

Result<std::size_t> DrainedPreKeys::prune(std::uint64_t cutoff_ms) {
  auto& db = StoreAccess::db(store_);
  const DrainedSql& sql = sql_for(kind_);
  std::vector<std::int64_t> due;
  {
    HUSH_TRY_ASSIGN(auto stmt, db.prepare(sql.due));
    stmt.bind(1, static_cast<std::int64_t>(cutoff_ms));
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, stmt.step());
      if (!row) break;
      due.push_back(stmt.int64(0));
    }
  }
  if (due.empty()) return std::size_t{0};
  for (std::int64_t id : due) {
    for (const char* statement : {sql.remove_key, sql.remove_mark}) {
      HUSH_TRY_ASSIGN(auto stmt, db.prepare(statement));
      stmt.bind(1, id);
      HUSH_TRY(stmt.run());
    }
  }
  HUSH_TRY_ASSIGN(auto mark, db.prepare(sql.high_water_up));
  mark.bind(1, due.back());
  HUSH_TRY(mark.run());
  return due.size();
}

Result<std::size_t> DrainedPreKeys::waiting() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(sql_for(kind_).waiting));
  HUSH_TRY(stmt.step());
  return static_cast<std::size_t>(stmt.int64(0));
}

Result<std::uint32_t> DrainedPreKeys::high_water() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(sql_for(kind_).high_water));
  HUSH_TRY(stmt.step());
  return static_cast<std::uint32_t>(stmt.int64(0));
}

}  // namespace hush::client::store
