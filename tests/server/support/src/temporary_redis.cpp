#include "hush/testing/temporary_redis.hpp"

#include "hush/testing/free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

namespace hush::testing {
namespace {

/// Starts tried before giving up (each on a fresh port while the first
/// start has not succeeded yet).
constexpr int kStartAttempts = 3;
/// PINGs 50 ms apart before a start counts as failed: 30 s, for a machine
/// loaded by parallel builds and tests.
constexpr int kStartPolls = 600;

/// One PING over a fresh connection: true on "+PONG".
bool pings(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const char ping[] = "PING\r\n";
    char buf[16] = {};
    if (::write(fd, ping, sizeof ping - 1) == static_cast<ssize_t>(sizeof ping - 1)) {
      ok = ::read(fd, buf, sizeof buf - 1) >= 5 && std::strncmp(buf, "+PONG", 5) == 0;
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

TemporaryRedis::TemporaryRedis() : port_(free_loopback_port()) {}

TemporaryRedis::~TemporaryRedis() {
  kill();
}

bool TemporaryRedis::start() {
  if (pid_ > 0) return true;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    if (start_on_port()) {
      started_once_ = true;
      return true;
    }
    // Before the first start nobody knows the port yet: one taken since it
    // was chosen (another test's server) is replaced. After it, the port is
    // the address the nodes were given and must stay.
    if (started_once_) return false;
    port_ = free_loopback_port();
  }
  return false;
}

bool TemporaryRedis::start_on_port() {
  const std::string port = std::to_string(port_);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning", "--dir", "/tmp", "--logfile",
             "/dev/null", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (pid_ < 0) return false;
  for (int i = 0; i < kStartPolls; ++i) {
    if (pings(port_)) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // it exited (port taken?)
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill();  // never answered: do not leave it behind
  return false;
}

void TemporaryRedis::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace hush::testing
