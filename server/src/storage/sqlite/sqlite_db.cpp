// sqlite3 calls for SqliteDb and SqliteQuery: pragmas at open, the statement
// cache, binds/columns and the mapping of SQLite result codes to Errc.
#include "storage/sqlite/sqlite_db.hpp"

#include <sqlite3.h>

namespace hush::server::storage {
namespace {

/// Five seconds: a writer waits this long for the lock before giving up
/// (group commit batches are milliseconds; only a stuck disk takes longer).
constexpr int kBusyTimeoutMs = 5000;

Error map_error(int rc, const char* context) noexcept {
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return make_error(Errc::conflict, context);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) return make_error(Errc::unavailable, context);
  return make_error(Errc::storage_failure, context);
}

}  // namespace

SqliteQuery::~SqliteQuery() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

SqliteQuery& SqliteQuery::bind(int index, std::int64_t value) noexcept {
  bind_failed_ |= sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK;
  return *this;
}

SqliteQuery& SqliteQuery::bind(int index, ByteView value) noexcept {
  // A zero-length blob must still bind as a blob, not NULL.
  static const std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  bind_failed_ |= sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_STATIC) != SQLITE_OK;
  return *this;
}

SqliteQuery& SqliteQuery::bind_text(int index, std::string_view value) noexcept {
  bind_failed_ |= sqlite3_bind_text64(stmt_, index, value.empty() ? "" : value.data(), value.size(),
                                      SQLITE_STATIC, SQLITE_UTF8) != SQLITE_OK;
  return *this;
}

SqliteQuery& SqliteQuery::bind_null(int index) noexcept {
  bind_failed_ |= sqlite3_bind_null(stmt_, index) != SQLITE_OK;
  return *this;
}

Result<bool> SqliteQuery::step() noexcept {
  if (bind_failed_) return make_error(Errc::storage_failure, "sqlite bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return map_error(sqlite3_extended_errcode(db_.db_), "sqlite step");
}

Status SqliteQuery::run() noexcept {
  for (;;) {
    auto r = step();
    if (!r) return r.error();
    if (!*r) return ok();
  }
}

std::int64_t SqliteQuery::int64(int column) const noexcept { return sqlite3_column_int64(stmt_, column); }

ByteView SqliteQuery::blob(int column) const noexcept {
  const void* p = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr || n <= 0) return {};
  return {static_cast<const std::uint8_t*>(p), static_cast<std::size_t>(n)};
}

std::string SqliteQuery::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr || n <= 0) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

bool SqliteQuery::is_null(int column) const noexcept { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path) {
  sqlite3* raw = nullptr;
  // NOMUTEX: a connection is only ever used by one thread at a time (Pool).
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close_v2(raw);
    return make_error(Errc::unavailable, "sqlite open");
  }
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  sqlite3_extended_result_codes(raw, 1);
  // WAL lets readers run beside the writer; FULL syncs the WAL at every
  // commit, so an acknowledged message survives power loss, not only a crash.
  HUSH_TRY(db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  // Durability-neutral tuning (synchronous stays FULL). Checkpoints run on
  // the committing thread, mostly the mailbox writer: every 4,000 WAL pages
  // (16 MiB) instead of SQLite's 1,000, so a batch pays for one a quarter as
  // often; after a checkpoint the WAL file is truncated back to 64 MiB at
  // most. Temporary b-trees stay in memory.
  HUSH_TRY(db->exec("PRAGMA wal_autocheckpoint=4000; PRAGMA journal_size_limit=67108864; PRAGMA temp_store=MEMORY;"));
  return db;
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<SqliteQuery> SqliteDb::query(const char* sql) noexcept {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
      return make_error(Errc::storage_failure, "sqlite prepare");
    it = cache_.emplace(sql, stmt).first;
  }
  return SqliteQuery(*this, it->second);
}

Status SqliteDb::exec(const char* sql) noexcept {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return map_error(rc, "sqlite exec");
  return ok();
}

Status SqliteDb::begin() { return exec("BEGIN IMMEDIATE"); }

Status SqliteDb::commit() {
  auto st = exec("COMMIT");
  if (!st) rollback();
  return st.has_value() ? st : Status(make_error(Errc::storage_failure, "sqlite commit"));
}

void SqliteDb::rollback() noexcept {
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::int64_t SqliteDb::changes() const noexcept { return sqlite3_changes64(db_); }

}  // namespace hush::server::storage
