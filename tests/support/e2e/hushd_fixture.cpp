// HushdFixture (see hushd_fixture.hpp).
#include "hushd_fixture.hpp"

#include <sqlite3.h>

#include <cstdlib>

namespace hush::testing {

namespace fs = std::filesystem;

/// Registrations hushd allows one address at once (then one a minute).
constexpr int kRegistrationsPerAddress = 5;

void HushdFixture::SetUp() {
  std::string tmpl = "/tmp/" + root_prefix_ + "-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  root_ = tmpl;
  fs::create_directories(root_ / "homes");
  // Made before hushd starts so HushdProcess can open DATA/hushd.log for
  // hushd's stderr (what hushd_->log() returns).
  fs::create_directories(root_ / "hushd");
  fs::permissions(root_ / "hushd", fs::perms::owner_all);
  ASSERT_NO_FATAL_FAILURE(start_server());
}

void HushdFixture::TearDown() {
  if (hushd_) hushd_->stop();
  std::error_code ec;
  if (!root_.empty() && std::getenv("HUSH_KEEP_TEST_DATA") == nullptr) fs::remove_all(root_, ec);
}

void HushdFixture::start_server() {
  HushdOptions o;
  o.data_dir = (root_ / "hushd").string();
  o.listen = std::string(dual_stack_ ? "[::]:" : "127.0.0.1:") + std::to_string(port_);
  configure(o);
  if (HasFatalFailure()) return;
  hushd_ = std::make_unique<HushdProcess>(o);
  ASSERT_TRUE(hushd_->start()) << hushd_->log();
  port_ = hushd_->port();
}

void HushdFixture::free_username(const std::string& username) {
  hushd_->stop();
  sqlite3* db = nullptr;
  const int opened = sqlite3_open((root_ / "hushd" / "hush.db").c_str(), &db);
  sqlite3_stmt* rename = nullptr;
  if (opened == SQLITE_OK) {
    sqlite3_prepare_v2(db, "UPDATE accounts SET username = ?1 WHERE username = ?2", -1, &rename, nullptr);
  }
  // A name of its own each time, so one name can move more than once.
  static int moved = 0;
  const std::string old_name = username + "-old" + (moved++ == 0 ? std::string() : std::to_string(moved));
  sqlite3_bind_text(rename, 1, old_name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(rename, 2, username.c_str(), -1, SQLITE_TRANSIENT);
  const int stepped = sqlite3_step(rename);
  sqlite3_finalize(rename);
  sqlite3_close(db);
  ASSERT_EQ(opened, SQLITE_OK) << "hushd's database";
  ASSERT_EQ(stepped, SQLITE_DONE) << "renaming " << username;
  ASSERT_NO_FATAL_FAILURE(start_server());
}

int HushdFixture::withhold_queue(const std::string& username) {
  sqlite3* db = nullptr;
  if (sqlite3_open((root_ / "hushd" / "hush.db").c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  sqlite3_busy_timeout(db, 10000);  // hushd writes the same file (WAL)
  int dropped = -1;
  const char* sql[] = {
      "DELETE FROM queue WHERE account_id = (SELECT id FROM accounts WHERE username = ?1)",
      // queue_depth is kept in step with the rows (quotas read it).
      "UPDATE devices SET queue_depth = (SELECT count(*) FROM queue q WHERE q.account_id = devices.account_id "
      "AND q.device_id = devices.device_id) WHERE account_id = (SELECT id FROM accounts WHERE username = ?1)"};
  for (int i = 0; i < 2; ++i) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql[i], -1, &st, nullptr) != SQLITE_OK) break;
    sqlite3_bind_text(st, 1, username.c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(st);
    if (i == 0 && rc == SQLITE_DONE) dropped = sqlite3_changes(db);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
      dropped = -1;
      break;
    }
  }
  sqlite3_close(db);
  return dropped;
}

std::vector<HushdFixture::QueuedEnvelope> HushdFixture::queued_for(const std::string& username) {
  std::vector<QueuedEnvelope> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2((root_ / "hushd" / "hush.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    ADD_FAILURE() << "cannot open hushd's database";
    return out;
  }
  sqlite3_busy_timeout(db, 10000);  // hushd writes the same file (WAL)
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "SELECT q.type, q.message_id, b.content FROM queue q JOIN bodies b ON b.id = q.body_id "
      "WHERE q.account_id = (SELECT id FROM accounts WHERE username = ?1) ORDER BY q.server_time, q.seq";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, username.c_str(), -1, SQLITE_TRANSIENT);
    auto blob = [st](int column) {
      const void* data = sqlite3_column_blob(st, column);
      if (data == nullptr) return std::string();
      return std::string(static_cast<const char*>(data), static_cast<std::size_t>(sqlite3_column_bytes(st, column)));
    };
    while (sqlite3_step(st) == SQLITE_ROW) {
      out.push_back(QueuedEnvelope{static_cast<std::uint32_t>(sqlite3_column_int64(st, 0)), blob(1), blob(2)});
    }
  } else {
    ADD_FAILURE() << sqlite3_errmsg(db);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

int HushdFixture::rewrite_server_rows(const std::string& sql, const std::string& username) {
  sqlite3* db = nullptr;
  if (sqlite3_open((root_ / "hushd" / "hush.db").c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  sqlite3_busy_timeout(db, 10000);  // hushd writes the same file (WAL)
  int changed = -1;
  sqlite3_stmt* account = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT id FROM accounts WHERE username = ?1", -1, &account, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(account, 1, username.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(account) == SQLITE_ROW) {
      sqlite3_bind_value(st, 1, sqlite3_column_value(account, 0));
      if (sqlite3_step(st) == SQLITE_DONE) changed = sqlite3_changes(db);
    }
  }
  sqlite3_finalize(st);
  sqlite3_finalize(account);
  sqlite3_close(db);
  return changed;
}

std::string HushdFixture::url() const { return "https://127.0.0.1:" + std::to_string(port_); }

std::string HushdFixture::next_url() {
  const bool v6 = dual_stack_ && (registrations_ / kRegistrationsPerAddress) % 2 == 1;
  ++registrations_;
  return v6 ? "https://[::1]:" + std::to_string(port_) : url();
}

}  // namespace hush::testing
