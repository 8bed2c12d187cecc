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

  /// Starts redis-server and waits until it answers PING (up to 10 s).
  bool start();
  /// SIGKILL, as a crash of the Redis host would end it; waits for the exit.
  void kill();
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace hush::testing
