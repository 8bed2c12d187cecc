// A thin RAII layer over one sqlite3 connection for the client store: open
// with the store's pragmas, prepared statements with typed binds and columns,
// and nested transactions (BEGIN IMMEDIATE outside, SAVEPOINT inside).
// SQLite result codes become Errc here and nowhere else. Private to the store.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace hush::client::store {

class SqliteDb;

/// One prepared statement; finalized when destroyed.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& o) noexcept : stmt_(o.stmt_), bind_failed_(o.bind_failed_) { o.stmt_ = nullptr; }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  ~SqliteStatement();

  /// Binds are 1-based, in the order of the '?' in the SQL.
  SqliteStatement& bind(int index, std::int64_t value) noexcept;
  SqliteStatement& bind(int index, ByteView value) noexcept;
  SqliteStatement& bind_text(int index, std::string_view value) noexcept;
  SqliteStatement& bind_null(int index) noexcept;

  /// Advances: true with a row, false when done. conflict: a UNIQUE or
  /// PRIMARY KEY constraint failed; storage_failure otherwise.
  Result<bool> step() noexcept;
  /// Steps to completion (a statement without rows).
  Status run() noexcept;

  [[nodiscard]] std::int64_t int64(int column) const noexcept;
  [[nodiscard]] ByteView blob(int column) const noexcept;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] bool is_null(int column) const noexcept;

 private:
  friend class SqliteDb;
  explicit SqliteStatement(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {}
  sqlite3_stmt* stmt_;
  bool bind_failed_ = false;
};

class SqliteDb {
 public:
  /// Opens an existing file (never creates one) read-write, in WAL mode with
  /// synchronous=FULL, secure_delete and foreign keys. not_found: no file;
  /// storage_failure: not a database or a pragma failed.
  static Result<std::unique_ptr<SqliteDb>> open(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  /// Prepares one statement. storage_failure on a syntax or schema error.
  Result<SqliteStatement> prepare(std::string_view sql);
  /// Runs one or more statements without parameters.
  Status exec(const char* sql);

  /// Starts a transaction, or a savepoint inside one.
  Status begin();
  /// Commits the innermost transaction or releases its savepoint.
  Status commit();
  /// Rolls back the innermost transaction or savepoint. Never fails visibly:
  /// if SQLite cannot roll back it has already done so itself.
  void rollback() noexcept;
  [[nodiscard]] int depth() const noexcept { return depth_; }

 private:
  explicit SqliteDb(sqlite3* db) noexcept : db_(db) {}
  sqlite3* db_;
  int depth_ = 0;
};

}  // namespace hush::client::store
