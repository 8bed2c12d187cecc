// The base fixture of the end-to-end suites (tests/cli, tests/client_e2e,
// tests/groups_e2e): a temporary folder for the test and one real hushd in
// it (tests/integration's HushdProcess), restartable on the same port so
// stores that remember the server's URL find it again, and the URLs clients
// register from. Layout: ROOT/hushd (hushd's data and hushd.log) and
// ROOT/homes/NAME (one client home folder each). What runs the clients (the
// SDK, the `hush` binary) is in the fixtures built on this one.
#pragma once

#include "hushd_process.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hush::testing {

class HushdFixture : public ::testing::Test {
 protected:
  /// The test's folder is /tmp/<root_prefix>-XXXXXX.
  explicit HushdFixture(std::string root_prefix) : root_prefix_(std::move(root_prefix)) {}

  /// Makes the folder (with ROOT/homes) and starts hushd.
  void SetUp() override;
  /// Stops hushd and removes the folder (kept when HUSH_KEEP_TEST_DATA is set).
  void TearDown() override;

  /// Adds to hushd's options before every start (store URL, log level...).
  virtual void configure(HushdOptions& /*options*/) {}
  /// Starts hushd on ROOT/hushd: the first time on an ephemeral port, after
  /// a stop on the same port again. Fails the test if hushd does not start.
  void start_server();
  /// Stops hushd, renames the account `username` to `username`-old in its
  /// SQLite database and starts hushd again: the name can be registered anew
  /// with a new identity key, as after a reinstall the server allowed or by a
  /// lying server. Fails the test if a step fails.
  void free_username(const std::string& username);
  /// Plays a withholding server: deletes every envelope queued for
  /// `username`'s devices from hushd's SQLite mailbox while hushd runs (the
  /// account's devices must not be connected, or hushd may have pushed them
  /// already). Returns how many were dropped; -1 on a database error.
  int withhold_queue(const std::string& username);
  /// One envelope waiting in hushd's SQLite mailbox, as the server holds it.
  struct QueuedEnvelope {
    std::uint32_t type = 0;  ///< Signal envelope type (2 message, 3 pre-key message, 4 group)
    std::string message_id;  ///< the sender's envelope id (16 bytes)
    std::string body;        ///< the ciphertext
  };
  /// The envelopes queued for `username`'s devices, oldest first, read beside
  /// the running hushd (empty on a database error, with a test failure).
  std::vector<QueuedEnvelope> queued_for(const std::string& username);
  /// Plays a server that rewrites what it stores: runs `sql` on hushd's
  /// SQLite database while hushd runs, with ?1 bound to `username`'s account
  /// id. Returns the rows changed; -1 on a database error.
  int rewrite_server_rows(const std::string& sql, const std::string& username);

  /// https://127.0.0.1:PORT.
  [[nodiscard]] std::string url() const;
  /// The URL of the next registration or link. hushd lets one address
  /// register five devices at once, then one a minute: with `dual_stack_`
  /// (hushd on [::]) every five, the URL alternates between 127.0.0.1 and
  /// [::1], two source addresses for one server; else always url().
  [[nodiscard]] std::string next_url();
  /// The home folder of `who`: ROOT/homes/who.
  [[nodiscard]] std::filesystem::path home(const std::string& who) const { return root_ / "homes" / who; }
  /// hushd's self-signed certificate.
  [[nodiscard]] const std::string& ca() const { return hushd_->cert_file(); }

  std::filesystem::path root_;
  std::unique_ptr<HushdProcess> hushd_;
  /// Set in the constructor: hushd listens on [::] (127.0.0.1 and ::1) instead of 127.0.0.1.
  bool dual_stack_ = false;

 private:
  std::string root_prefix_;
  std::uint16_t port_ = 0;  ///< 0 until the first start
  int registrations_ = 0;
};

}  // namespace hush::testing
