// A second, raw connection to the conformance fixture's database, for tests
// that must reach around the Store: hold the database lock so that the
// writer's queue fills up (several requests then run as one batch), or
// plant a row the writer does not expect, or measure what the tables hold
// (a fan-out's body stored once). Not for ordinary assertions.
#pragma once

#include "store_fixture.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace hush::server::testing {

class RawDatabase {
 public:
  /// Connects to the fixture's database (`url` as given to open_store).
  static std::unique_ptr<RawDatabase> open(Backend backend, const std::string& url);
  ~RawDatabase();
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  /// Runs statements; a failure is a test failure.
  void exec(const std::string& sql);
  /// The one integer a query returns (e.g. a COUNT or SUM); -1 and a test
  /// failure when it fails or returns no row.
  std::int64_t scalar(const std::string& sql);
  /// Takes what the mailbox writer needs (SQLite's write lock; PostgreSQL's
  /// tables sent and queue), so its next batch waits until release().
  void hold_writer();
  void release();

 private:
  RawDatabase() = default;
  Backend backend_{};
  void* handle_ = nullptr;  // sqlite3* or PGconn*
};

}  // namespace hush::server::testing
