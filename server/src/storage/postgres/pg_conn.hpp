// One libpq connection with the same shape as SqliteDb, so SqlStore runs on
// both: statements written with '?' are turned into $n and prepared once per
// connection, parameters and results travel in binary (integer widths read
// from the server's description of each statement), SQLSTATEs become Errc.
// Sessions run with synchronous_commit=on: COMMIT returns after the WAL flush,
// and plan_cache_mode=force_custom_plan: every execution of a prepared
// statement is planned with its values and the tables' present size
// (docs/server/storage.md, "Plans that hold").
#pragma once

#include "storage/group_commit.hpp"
#include "storage/migrations.hpp"

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace hush::server::storage {

class PgConn;

/// One execution of a prepared statement; runs at the first step().
class PgQuery {
 public:
  struct Prepared {
    std::string name;
    std::vector<unsigned> param_types;  ///< Oids
    int generation = -1;                ///< the connection generation it was prepared on
  };
  PgQuery(PgConn& conn, const Prepared& stmt);
  PgQuery(PgQuery&& o) noexcept;
  PgQuery(const PgQuery&) = delete;
  PgQuery& operator=(const PgQuery&) = delete;
  PgQuery& operator=(PgQuery&&) = delete;
  ~PgQuery();

  PgQuery& bind(int index, std::int64_t value);
  PgQuery& bind(int index, ByteView value);
  PgQuery& bind_text(int index, std::string_view value);
  PgQuery& bind_null(int index);
  /// One-dimensional arrays (parameters written `?::int8[]` / `?::bytea[]`),
  /// for statements that take a whole batch at once (`unnest`). Not empty.
  PgQuery& bind_array(int index, std::span<const std::int64_t> values);
  PgQuery& bind_array(int index, std::span<const ByteView> values);

  /// Executes (first call) and advances: true with a row. conflict: unique
  /// violation. unavailable: connection lost, deadlock, serialization
  /// failure. storage_failure otherwise.
  Result<bool> step();
  Status run();

  [[nodiscard]] std::int64_t int64(int column) const noexcept;
  [[nodiscard]] ByteView blob(int column) const noexcept;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] bool is_null(int column) const noexcept;

 private:
  PgConn* conn_;
  const Prepared* stmt_;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  bool bad_bind_ = false;
  pg_result* result_ = nullptr;
  int row_ = -1;
  int rows_ = 0;
};

class PgConn final : public TransactionHost {
 public:
  // The dialect SqlStore needs: row locks, and SKIP LOCKED so concurrent
  // bundle fetches each take a different one-time pre-key.
  static constexpr std::string_view kBackend = "postgresql";
  /// Several hushd nodes may write one database (issue #17): the mailbox
  /// writer reads and locks what it checks in each transaction.
  static constexpr bool kSharedWriters = true;
  static constexpr const char* kLockAccountForUpdate = "SELECT next_device_id FROM accounts WHERE id = ? FOR UPDATE";
  static constexpr const char* kLockAccountForShare = "SELECT 1 FROM accounts WHERE id = ? FOR SHARE";
  static constexpr const char* kLockDevice =
      "SELECT 1 FROM devices WHERE account_id = ? AND device_id = ? FOR UPDATE";
  static constexpr const char* kTakeOneTimePreKey =
      "DELETE FROM one_time_pre_keys WHERE (account_id, device_id, key_id) IN "
      "(SELECT account_id, device_id, key_id FROM one_time_pre_keys WHERE account_id = ? AND device_id = ? "
      "ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING key_id, public_key";
  static constexpr const char* kTakeKyberPreKey =
      "DELETE FROM kyber_pre_keys WHERE (account_id, device_id, key_id) IN "
      "(SELECT account_id, device_id, key_id FROM kyber_pre_keys WHERE account_id = ? AND device_id = ? "
      "ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING key_id, public_key, signature";
  static std::span<const Migration> migrations() noexcept { return postgres_migrations(); }

  /// Connects. unavailable: the server cannot be reached or refuses us.
  static Result<std::unique_ptr<PgConn>> open(const std::string& conninfo);
  ~PgConn() override;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  /// The prepared statement for `sql` (cached by the literal's address).
  /// Reconnects first if the connection was lost. unavailable, storage_failure.
  Result<PgQuery> query(const char* sql);
  /// Runs statements without parameters. storage_failure, unavailable.
  Status exec(const char* sql);
  /// Serializes migrations of concurrently starting servers (advisory lock).
  Status lock_schema();

  Status begin() override;
  Status commit() override;
  void rollback() noexcept override;

 private:
  explicit PgConn(pg_conn* conn) noexcept : conn_(conn) {}
  friend class PgQuery;
  Status check_connection();
  pg_conn* conn_;
  std::unordered_map<const char*, PgQuery::Prepared> cache_;
  int next_statement_ = 0;
  int generation_ = 0;  ///< bumped by each reconnect (prepared statements are per session)
};

}  // namespace hush::server::storage
