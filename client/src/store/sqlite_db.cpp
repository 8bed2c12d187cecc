// SQLite calls for the client store. Every result code is mapped here.
#include "sqlite_db.hpp"

#include <sqlite3.h>

#include <string>

namespace hush::client::store {

namespace {

Error map_error(int rc, const char* context) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return make_error(Errc::conflict, context);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return make_error(Errc::decode_error, "store file is not a valid database");
    default: return make_error(Errc::storage_failure, context);
  }
}

}  // namespace

SqliteStatement::~SqliteStatement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) noexcept {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) bind_failed_ = true;
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, ByteView value) noexcept {
  // A non-null pointer even for an empty blob, so SQLite stores '' and not NULL.
  static const std::uint8_t kEmpty = 0;
  const void* p = value.empty() ? &kEmpty : value.data();
  if (sqlite3_bind_blob64(stmt_, index, p, value.size(), SQLITE_TRANSIENT) != SQLITE_OK) bind_failed_ = true;
  return *this;
}

SqliteStatement& SqliteStatement::bind_text(int index, std::string_view value) noexcept {
  if (sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK) {
    bind_failed_ = true;
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind_null(int index) noexcept {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) bind_failed_ = true;
  return *this;
}

Result<bool> SqliteStatement::step() noexcept {
  if (bind_failed_) return make_error(Errc::storage_failure, "sqlite bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return map_error(sqlite3_reset(stmt_), "sqlite step");
}

Status SqliteStatement::run() noexcept {
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, step());
    if (!row) return ok();
  }
}

std::int64_t SqliteStatement::int64(int column) const noexcept { return sqlite3_column_int64(stmt_, column); }

ByteView SqliteStatement::blob(int column) const noexcept {
  const void* p = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (!p || n <= 0) return {};
  return {static_cast<const std::uint8_t*>(p), static_cast<std::size_t>(n)};
}

std::string SqliteStatement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (!p || n <= 0) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

bool SqliteStatement::is_null(int column) const noexcept { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));  // closes `raw` even when opening failed
  if (rc != SQLITE_OK) {
    return (rc & 0xff) == SQLITE_CANTOPEN ? make_error(Errc::not_found, "store file")
                                          : map_error(rc, "sqlite open");
  }
  sqlite3_extended_result_codes(raw, 1);
  // journal_mode=WAL is persistent (set once at creation; a no-op here);
  // synchronous, secure_delete and foreign_keys are per connection.
  // Another hush process on this home holds the write lock only for one
  // short transaction (never across a network call, docs/adr/0006-one-writer-per-home.md): wait for
  // it rather than fail.
  HUSH_TRY(db->exec("PRAGMA busy_timeout = 30000;"
                    "PRAGMA journal_mode = WAL;"
                    "PRAGMA synchronous = FULL;"
                    "PRAGMA secure_delete = ON;"
                    "PRAGMA foreign_keys = ON;"
                    "PRAGMA journal_size_limit = 1048576;"));
  return db;
}

SqliteDb::~SqliteDb() {
  if (db_) sqlite3_close_v2(db_);
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    if (stmt) sqlite3_finalize(stmt);
    return map_error(rc, "sqlite prepare");
  }
  return SqliteStatement(stmt);
}

Status SqliteDb::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return map_error(rc, "sqlite exec");
  return ok();
}

Status SqliteDb::begin() {
  if (depth_ == 0) {
    HUSH_TRY(exec("BEGIN IMMEDIATE"));
  } else {
    std::string sql = "SAVEPOINT sp" + std::to_string(depth_);
    HUSH_TRY(exec(sql.c_str()));
  }
  ++depth_;
  return ok();
}

Status SqliteDb::commit() {
  HUSH_CHECK(depth_ > 0);
  if (depth_ == 1) {
    HUSH_TRY(exec("COMMIT"));
  } else {
    std::string sql = "RELEASE sp" + std::to_string(depth_ - 1);
    HUSH_TRY(exec(sql.c_str()));
  }
  --depth_;
  return ok();
}

void SqliteDb::rollback() noexcept {
  HUSH_CHECK(depth_ > 0);
  if (depth_ == 1) {
    // Fails only when SQLite already rolled back on its own (SQLITE_FULL, IOERR).
    (void)exec("ROLLBACK");
  } else {
    std::string sql = "ROLLBACK TO sp" + std::to_string(depth_ - 1) + "; RELEASE sp" + std::to_string(depth_ - 1);
    (void)exec(sql.c_str());
  }
  --depth_;
}

}  // namespace hush::client::store
