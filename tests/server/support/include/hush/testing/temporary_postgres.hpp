// A throw-away PostgreSQL server for tests: initdb into a temporary folder,
// pg_ctl start on a free loopback port (TCP on 127.0.0.1 only, its Unix
// socket in the same folder), stopped and deleted at the end. As root,
// initdb and postgres run as the `postgres` system user via runuser.
// PostgresEnvironment starts one per test binary (a GoogleTest Environment).
// A watchdog process stops it even when the test binary crashes.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

namespace hush::testing {

class TemporaryPostgres {
 public:
  struct Options {
    /// Off by default: tests check behaviour, not the disk; a crash test of
    /// the *database host* would turn it on.
    bool fsync = false;
  };

  /// Starts a server, or returns nullptr and a reason in `error`.
  static std::unique_ptr<TemporaryPostgres> start(const Options& options, std::string& error);
  ~TemporaryPostgres();
  TemporaryPostgres(const TemporaryPostgres&) = delete;
  TemporaryPostgres& operator=(const TemporaryPostgres&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// postgresql://postgres@127.0.0.1:PORT/DATABASE
  [[nodiscard]] std::string url(const std::string& database = "postgres") const;
  /// Creates an empty database with a fresh name and returns its URL.
  /// Aborts the test (fatal failure) if it cannot.
  std::string create_database();

 private:
  TemporaryPostgres() = default;
  [[nodiscard]] std::string stop_command() const;
  std::string dir_;
  std::string bindir_;
  std::uint16_t port_ = 0;
  bool running_ = false;
  int next_database_ = 0;
  int watchdog_fd_ = -1;
};

/// One TemporaryPostgres for the whole test binary, started on first use and
/// stopped when the tests end (register it with AddGlobalTestEnvironment).
/// A server that cannot start fails every test that asks for it, never a skip.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
  /// The running server (starting it on first call); nullptr after adding a
  /// failure to the calling test when it cannot start.
  static TemporaryPostgres* server();
};

}  // namespace hush::testing
