// PostgreSQL plan stability (issue #17, item 5). hushd prepares each
// statement once per connection; after five executions PostgreSQL may keep
// one generic plan for it, made without the parameter values and with the
// statistics of that moment. A generic plan cached while the tables were
// empty scans them, and a second `hush-load --max` round fell from ~10,000
// to ~1,200 messages/s once they had grown. These tests prepare every hot
// statement (storage/mailbox_statements.hpp, the text hushd prepares) and
// check with EXPLAIN that, as hushd's sessions run them
// (`plan_cache_mode = force_custom_plan`, PgConn), they reach their rows
// through indexes once the tables have grown: no sequential scan of a table
// that grows with traffic. No timing: the plans are the assertion.
#include "storage/mailbox_statements.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/store.hpp"

#include <hush/testing/temporary_postgres.hpp>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdio>
#include <string>
#include <vector>

namespace hush::server::testing {
namespace {

namespace st = storage::statements;

/// Rows per growing table: what one loaded 8 s `--max` round leaves in
/// `sent`, and enough pages that a sequential scan costs the planner far
/// more than an index probe; small enough to fill in seconds.
constexpr int kRows = 50'000;
constexpr int kAccounts = 2'000;

/// A statement of mailbox_statements.hpp with arguments for EXPLAIN EXECUTE.
struct Hot {
  const char* name;
  const char* sql;
  const char* args;
  bool writer;  ///< run by the mailbox writer (else on the pool)
};

// An account id literal: 16 bytes, the number in the last ones.
#define HUSH_ACCOUNT "'\\x000000000000000000000000000000ff'::bytea"

const Hot kHot[] = {
    {"pending", st::kPending, "(" HUSH_ACCOUNT ", 1, 0, 100)", false},
    {"account_devices", st::kAccountDevices, "(" HUSH_ACCOUNT ")", true},
    {"credential", st::kCredential, "(" HUSH_ACCOUNT ", 1)", false},
    {"update_device_counters", st::kPgUpdateDeviceCounters,
     "(ARRAY[" HUSH_ACCOUNT "], ARRAY[1::int8], ARRAY[5::int8], ARRAY[1::int8])", true},
    {"find_sent", st::kPgFindSent,
     "(ARRAY[" HUSH_ACCOUNT "], ARRAY[1::int8], ARRAY['\\x00000000000000000000000000000001'::bytea])", true},
    {"delete_queue_rows", st::kPgDeleteQueueRows, "(ARRAY[" HUSH_ACCOUNT "], ARRAY[1::int8], ARRAY[7::int8])", true},
    {"delete_unreferenced_bodies", st::kPgDeleteUnreferencedBodies, "(ARRAY[7::int8, 8::int8])", true},
    {"lock_devices", st::kPgLockDevices, "(ARRAY[" HUSH_ACCOUNT "])", true},
};

#undef HUSH_ACCOUNT

/// `?` → `$n`, as PgConn prepares it.
std::string dollar_params(const char* sql) {
  std::string out;
  int n = 0;
  for (const char* p = sql; *p != '\0'; ++p) {
    if (*p == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out += *p;
    }
  }
  return out;
}

class PostgresPlans : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* pg = hush::testing::PostgresEnvironment::server();
    ASSERT_NE(pg, nullptr) << "PostgreSQL must run for these tests";
    url_ = pg->create_database();
    {
      auto store = storage::open_store(url_);  // the schema, as hushd migrates it
      ASSERT_TRUE(store) << errc_name(store.code());
    }
    conn_ = PQconnectdb(url_.c_str());
    ASSERT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  }
  void TearDown() override {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  /// Runs statements; their output as text (EXPLAIN's plan lines).
  std::string run(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    std::string out;
    auto status = PQresultStatus(r);
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) << sql << ": " << PQresultErrorMessage(r);
    for (int i = 0; i < PQntuples(r); ++i) out += std::string(PQgetvalue(r, i, 0)) + "\n";
    PQclear(r);
    return out;
  }

  /// The tables as several rounds of traffic leave them: many accounts and
  /// devices, idempotency records of every send, and a queue and bodies that
  /// were filled and mostly acknowledged (dead rows, a few live ones).
  /// `analyze`: then refresh the statistics (autovacuum caught up).
  void fill_like_after_rounds(bool analyze) {
    const std::string n = std::to_string(kRows);
    const std::string accounts = std::to_string(kAccounts);
    const std::string id = "decode(lpad(to_hex(i % " + accounts + " + 1), 32, '0'), 'hex')";
    run("INSERT INTO accounts (id, username, created_at) SELECT decode(lpad(to_hex(i), 32, '0'), 'hex'), "
        "'user' || i, 0 FROM generate_series(1, " + accounts + ") i");
    run("INSERT INTO devices (account_id, device_id, registration_id, credential_hash, created_at) "
        "SELECT id, d, 1, '\\x00'::bytea, 0 FROM accounts, generate_series(1, 2) d");
    run("INSERT INTO bodies (id, content) SELECT i, '\\x00'::bytea FROM generate_series(1, " + n + ") i");
    run("INSERT INTO queue (account_id, device_id, seq, body_id, sender_account, sender_device, message_id, "
        "type, server_time) SELECT " + id + ", 1, i, i, " + id + ", 1, decode(lpad(to_hex(i), 32, '0'), 'hex'), "
        "1, i FROM generate_series(1, " + n + ") i");
    run("INSERT INTO sent (sender_account, sender_device, message_id, server_time) SELECT " + id +
        ", 1, decode(lpad(to_hex(i), 32, '0'), 'hex'), i FROM generate_series(1, " + n + ") i");
    // Acknowledged: all but the last thousand rows, and their bodies.
    run("DELETE FROM queue WHERE seq <= " + std::to_string(kRows - 1000));
    run("DELETE FROM bodies WHERE id <= " + std::to_string(kRows - 1000));
    if (analyze) run("ANALYZE");
  }

  /// Prepares `hot` as hotN.
  void prepare(const Hot& hot, int number) {
    run("PREPARE hot" + std::to_string(number) + " AS " + dollar_params(hot.sql));
  }
  /// The plan hotN runs with now, as EXPLAIN prints it.
  std::string plan(const Hot& hot, int number) { return run("EXPLAIN EXECUTE hot" + std::to_string(number) + hot.args); }
  /// The tables `plan` scans sequentially, among those that grow with traffic.
  static std::string scanned(const std::string& plan) {
    std::string out;
    for (const char* table : {"queue", "bodies", "sent", "devices", "accounts"})
      if (plan.find(std::string("Seq Scan on ") + table) != std::string::npos) out += std::string(table) + " ";
    return out;
  }

  std::string url_;
  PGconn* conn_ = nullptr;
};

// With statistics that know the tables' size, even a generic plan (no
// parameter values, arrays of unknown length) of every hot statement uses
// indexes: the statements themselves leave the planner no reason to scan.
TEST_F(PostgresPlans, HotStatementsReachTheirRowsThroughIndexesUnderGenericPlans) {
  fill_like_after_rounds(true);
  run("SET plan_cache_mode = force_generic_plan");
  int number = 0;
  for (const Hot& hot : kHot) {
    prepare(hot, number);
    const std::string p = plan(hot, number++);
    EXPECT_EQ(scanned(p), "") << hot.name << " in its generic plan:\n" << p;
  }
}

// The trap of the second round: a session caches a statement's generic plan
// while the tables are empty (freshly vacuumed: the planner believes them),
// then the tables grow faster than autovacuum re-analyzes them (off here, so
// nothing replans behind the test's back). Under the default
// plan_cache_mode every cached plan now scans a grown table — even a primary
// key lookup: no statement shape avoids it, which is why hushd's sessions
// plan each execution (custom plans see the tables' present size and the
// arrays' length). Under force_custom_plan none scans.
TEST_F(PostgresPlans, PlansMadeOnEmptyTablesStillUseIndexesOnceTheTablesGrow) {
  for (const char* table : {"accounts", "devices", "bodies", "queue", "sent"})
    run(std::string("ALTER TABLE ") + table + " SET (autovacuum_enabled = off)");
  run("VACUUM ANALYZE");
  int number = 0;
  for (const Hot& hot : kHot) {
    prepare(hot, number);
    for (int i = 0; i < 6; ++i) run("EXECUTE hot" + std::to_string(number) + hot.args);  // past the five custom plans
    ++number;
  }
  fill_like_after_rounds(false);
  std::string flipped;  // the statements whose cached plan now scans: the trap, shown
  number = 0;
  for (const Hot& hot : kHot) {
    const std::string cached = plan(hot, number);
    if (!scanned(cached).empty()) flipped += std::string(hot.name) + " ";
    ++number;
  }
  // PostgreSQL 15 as shipped by Debian 12 does fall into it: if this ever
  // stops, the setting may be revisited, not the test loosened.
  EXPECT_NE(flipped, "") << "no cached plan scans a grown table: the trap is gone?";
  // What every hushd session runs with (PgConn's session settings).
  run("SET plan_cache_mode = force_custom_plan");
  number = 0;
  for (const Hot& hot : kHot) {
    const std::string p = plan(hot, number++);
    EXPECT_EQ(scanned(p), "") << hot.name << (hot.writer ? " (writer" : " (pool") << ", custom plan):\n" << p;
  }
  std::printf("plans that scanned grown tables before force_custom_plan: %s\n", flipped.c_str());
}

// Every hushd session plans each execution, also after a reconnect.
TEST_F(PostgresPlans, EverySessionPlansEachExecution) {
  auto conn = storage::PgConn::open(url_);
  ASSERT_TRUE(conn);
  auto setting = [&]() -> std::string {
    auto q = (*conn)->query("SELECT current_setting('plan_cache_mode')");
    if (!q) return "error";
    auto row = q->step();
    return row && *row ? q->text(0) : "none";
  };
  EXPECT_EQ(setting(), "force_custom_plan");
  // The server ends the session; the next statements reconnect (the first
  // may fail with the lost connection) and set it again.
  std::int64_t pid = 0;
  {
    auto q = (*conn)->query("SELECT pg_backend_pid()");
    ASSERT_TRUE(q);
    auto row = q->step();
    ASSERT_TRUE(row && *row);
    pid = q->int64(0);
  }
  run("SELECT pg_terminate_backend(" + std::to_string(pid) + ", 60000)");
  std::string after = setting();  // may fail: the connection is found lost
  for (int i = 0; i < 3 && after != "force_custom_plan"; ++i) after = setting();
  EXPECT_EQ(after, "force_custom_plan");
}

}  // namespace
}  // namespace hush::server::testing
