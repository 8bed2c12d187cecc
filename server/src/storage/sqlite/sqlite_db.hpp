// A thin RAII layer over one sqlite3 connection: open with hushd's pragmas
// (WAL, synchronous=FULL, foreign keys, busy timeout), cached prepared
// statements, typed binds and columns, and IMMEDIATE transactions. SQLite
// error codes become Errc here and nowhere else.
#pragma once

#include "storage/group_commit.hpp"
#include "storage/migrations.hpp"

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace hush::server::storage {

class SqliteDb;

/// One execution of a cached statement; reset (and unbound) when destroyed.
class SqliteQuery {
 public:
  SqliteQuery(SqliteDb& db, sqlite3_stmt* stmt) noexcept : db_(db), stmt_(stmt) {}
  SqliteQuery(SqliteQuery&& o) noexcept : db_(o.db_), stmt_(o.stmt_), bind_failed_(o.bind_failed_) { o.stmt_ = nullptr; }
  SqliteQuery(const SqliteQuery&) = delete;
  SqliteQuery& operator=(const SqliteQuery&) = delete;
  SqliteQuery& operator=(SqliteQuery&&) = delete;
  ~SqliteQuery();

  /// Binds are 1-based, in the order of the '?' in the SQL.
  SqliteQuery& bind(int index, std::int64_t value) noexcept;
  SqliteQuery& bind(int index, ByteView value) noexcept;
  SqliteQuery& bind_text(int index, std::string_view value) noexcept;
  SqliteQuery& bind_null(int index) noexcept;

  /// Advances: true with a row, false when done. conflict: a UNIQUE or
  /// PRIMARY KEY constraint failed. storage_failure otherwise.
  Result<bool> step() noexcept;
  /// Steps to completion (a statement without rows). conflict, storage_failure.
  Status run() noexcept;

  [[nodiscard]] std::int64_t int64(int column) const noexcept;
  [[nodiscard]] ByteView blob(int column) const noexcept;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] bool is_null(int column) const noexcept;

 private:
  SqliteDb& db_;  // NOLINT: a query never outlives its connection
  sqlite3_stmt* stmt_;
  bool bind_failed_ = false;
};

class SqliteDb final : public TransactionHost {
 public:
  // The dialect SqlStore needs. SQLite has one writer at a time and every
  // write transaction is BEGIN IMMEDIATE, so "locks" are plain reads.
  static constexpr std::string_view kBackend = "sqlite";
  /// One hushd process owns a SQLite file: its mailbox writer may cache.
  static constexpr bool kSharedWriters = false;
  static constexpr const char* kLockAccountForUpdate = "SELECT next_device_id FROM accounts WHERE id = ?";
  static constexpr const char* kLockAccountForShare = "SELECT 1 FROM accounts WHERE id = ?";
  static constexpr const char* kLockDevice = "SELECT 1 FROM devices WHERE account_id = ? AND device_id = ?";
  static constexpr const char* kTakeOneTimePreKey =
      "DELETE FROM one_time_pre_keys WHERE (account_id, device_id, key_id) IN "
      "(SELECT account_id, device_id, key_id FROM one_time_pre_keys WHERE account_id = ? AND device_id = ? "
      "ORDER BY key_id LIMIT 1) RETURNING key_id, public_key";
  static constexpr const char* kTakeKyberPreKey =
      "DELETE FROM kyber_pre_keys WHERE (account_id, device_id, key_id) IN "
      "(SELECT account_id, device_id, key_id FROM kyber_pre_keys WHERE account_id = ? AND device_id = ? "
      "ORDER BY key_id LIMIT 1) RETURNING key_id, public_key, signature";
  static std::span<const Migration> migrations() noexcept { return sqlite_migrations(); }
  /// Nothing to do: BEGIN IMMEDIATE already excludes other writers.
  static Status lock_schema() noexcept { return ok(); }

  /// Opens (creating) the database file and applies the pragmas.
  /// unavailable: cannot open. storage_failure: a pragma failed.
  static Result<std::unique_ptr<SqliteDb>> open(const std::string& path);
  ~SqliteDb() override;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  /// A cached prepared statement for `sql` (cached by the literal's address:
  /// pass string literals). storage_failure if it does not prepare.
  Result<SqliteQuery> query(const char* sql) noexcept;
  /// Runs one or more statements without results. storage_failure.
  Status exec(const char* sql) noexcept;

  Status begin() override;  ///< BEGIN IMMEDIATE: takes the write lock at once
  Status commit() override;
  void rollback() noexcept override;
  /// Rows changed by the last statement.
  [[nodiscard]] std::int64_t changes() const noexcept;

 private:
  explicit SqliteDb(sqlite3* db) noexcept : db_(db) {}
  friend class SqliteQuery;
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

/// A write transaction on a pooled connection; rolls back unless committed.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db) noexcept : db_(db) {}
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction() {
    if (open_) db_.rollback();
  }
  Status begin() {
    HUSH_TRY(db_.begin());
    open_ = true;
    return ok();
  }
  Status commit() {
    open_ = false;
    return db_.commit();
  }

 private:
  SqliteDb& db_;
  bool open_ = false;
};

}  // namespace hush::server::storage
