// A throw-away redis-server for tests (Debian's redis-server 7): started on a
// free loopback port with no persistence, stopped (SIGKILL, as a crash) and
// started again on the same port, killed when the test ends.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <string>

namespace hush::testing {

class TemporaryRedis {
 public:
  TemporaryRedis();  ///< picks the port; does not start
  ~TemporaryRedis();
  TemporaryRedis(const TemporaryRedis&) = delete;
  TemporaryRedis& operator=(const TemporaryRedis&) = delete;

  /// Starts redis-server and waits until it answers PING (up to 30 s).
  /// Until a first start succeeded, a port found taken is replaced by a
  /// fresh one (address() changes); after it, the port stays.
  bool start();
  /// SIGKILL, as a crash of the Redis host would end it; waits for the exit.
  void kill();
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  bool start_on_port();

  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool started_once_ = false;
};

}  // namespace hush::testing
