// hushd's process-level hardening (issue #13, item 5 and the descriptor
// limit): request framing other than exactly `chunked` is refused, one
// deadline covers the TLS handshake and the first request, the data folder
// and its files are the owner's alone whatever the umask, /metrics lives on
// its own listener, and the soft descriptor limit is raised to the hard one.
#include "hushd_process.hpp"
#include "test_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace hush::testing {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777U;
}

TEST(HushdHardening, TransferEncodingOtherThanChunkedIsRefusedAndClosed) {
  HushdOptions o;
  o.plain_tcp = true;
  HushdProcess hushd(o);
  ASSERT_TRUE(hushd.start()) << hushd.log();
  // Read as "no body" before: a proxy that honours the coding would see a
  // different request boundary than hushd (request smuggling).
  for (const char* coding : {"gzip", "chunked, gzip", "gzip, chunked", "identity"}) {
    const std::string request =
        std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ") + coding + "\r\n\r\n0\r\n\r\n";
    auto got = raw_tcp_exchange(hushd.host(), hushd.port(), request, 10s);
    EXPECT_EQ(got.received.rfind("HTTP/1.1 400", 0), 0u) << coding << ": " << got.received;
    EXPECT_TRUE(got.peer_closed) << coding;
  }
  // Exactly `chunked` is still a body.
  auto chunked = raw_tcp_exchange(hushd.host(), hushd.port(),
                                  "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                  "Connection: close\r\n\r\n0\r\n\r\n",
                                  10s);
  EXPECT_EQ(chunked.received.rfind("HTTP/1.1 200", 0), 0u) << chunked.received;
  // Beast itself refuses some of these; the rest are hushd's check.
  const std::string metrics = hushd.metrics();
  const auto at = metrics.find("\nhushd_bad_framing_total ");
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GE(std::stoll(metrics.substr(at + 25)), 1) << metrics;
}

/// Connects by TCP, waits `before_handshake`, completes a TLS handshake,
/// sends half a request, then reads until the server closes. Returns the
/// seconds from connect to the close (or to `give_up`).
double seconds_until_closed(const HushdProcess& hushd, std::chrono::milliseconds before_handshake,
                            std::chrono::seconds give_up) {
  const auto started = std::chrono::steady_clock::now();
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(hushd.port());
  ::inet_pton(AF_INET, hushd.host().c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  std::this_thread::sleep_for(before_handshake);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  double elapsed = -1;
  if (SSL_connect(ssl) == 1) {
    const std::string half = "GET /healthz HTTP/1.1\r\nHost: x\r\n";  // never finished
    SSL_write(ssl, half.data(), static_cast<int>(half.size()));
    timeval tv{static_cast<time_t>(give_up.count()), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[256];
    while (SSL_read(ssl, buf, sizeof buf) > 0) {
    }
  }
  elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  return elapsed;
}

TEST(HushdHardening, OneDeadlineCoversTheHandshakeAndTheFirstRequest) {
  HushdOptions o;
  o.config_toml = "handshake_timeout_seconds = 4\n";
  HushdProcess hushd(o);
  ASSERT_TRUE(hushd.start()) << hushd.log();
  // Handshake after 3.5 s, then a request that never ends: the connection
  // must close at the 4 s deadline. With a deadline each (the old 10 + 10 s
  // shape) it closed at 3.5 + 4 = 7.5 s; the 6.5 s bound leaves 2.5 s of
  // slack for a loaded machine.
  const double closed_after = seconds_until_closed(hushd, 3500ms, 30s);
  ASSERT_GT(closed_after, 0) << "could not connect";
  EXPECT_LT(closed_after, 6.5) << "the first request got a deadline of its own after the handshake";
}

TEST(HushdHardening, DataFolderAndFilesAreTheOwnersWhateverTheUmask) {
  const fs::path base = fs::temp_directory_path() / ("hushd-umask-" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base);
  const fs::path data = base / "data";  // made by hushd, under the umask it inherits
  const mode_t old = ::umask(022);
  {
    HushdOptions o;
    o.data_dir = data.string();
    HushdProcess hushd(o);
    const bool started = hushd.start();
    ::umask(old);
    ASSERT_TRUE(started) << hushd.log();
    EXPECT_EQ(mode_of(data), 0700u);
    EXPECT_EQ(mode_of(data / "hush.db"), 0600u);
    EXPECT_EQ(mode_of(data / "tls"), 0700u);
    EXPECT_EQ(mode_of(data / "tls" / "key.pem"), 0600u);
    for (const auto& entry : fs::recursive_directory_iterator(data)) {
      if (entry.path().filename() == "hushd.log") continue;  // written by the test harness, not hushd
      const unsigned want = entry.is_directory() ? 0700u : 0600u;
      EXPECT_EQ(mode_of(entry.path()), want) << entry.path();
    }
    EXPECT_EQ(hushd.stop(), 0);
  }
  // A folder an earlier run (or an operator) left open is tightened at start.
  fs::permissions(data, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(data / "hush.db", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                        fs::perms::others_read);
  {
    HushdOptions o;
    o.data_dir = data.string();
    HushdProcess hushd(o);
    ASSERT_TRUE(hushd.start()) << hushd.log();
    EXPECT_EQ(mode_of(data), 0700u);
    EXPECT_EQ(mode_of(data / "hush.db"), 0600u);
  }
  fs::remove_all(base);
}

TEST(HushdHardening, MetricsAreServedOnlyOnTheirOwnListener) {
  HushdProcess hushd;
  ASSERT_TRUE(hushd.start()) << hushd.log();
  ASSERT_NE(hushd.metrics_port(), 0) << "no metrics listener";
  TestClient c(hushd.host(), hushd.port(), hushd.cert_file());
  EXPECT_EQ(c.http("GET", "/metrics").status, 404u);
  EXPECT_NE(hushd.metrics().find("hushd_connections_total"), std::string::npos);
  TestClient m(hushd.host(), hushd.metrics_port(), "");
  EXPECT_EQ(m.http("GET", "/healthz").status, 404u) << "the metrics listener serves /metrics only";

  HushdOptions off;
  off.extra_args = {"--metrics-listen", "off"};
  HushdProcess quiet(off);
  ASSERT_TRUE(quiet.start()) << quiet.log();
  EXPECT_EQ(quiet.metrics_port(), 0);
}

/// The soft RLIMIT_NOFILE of a running process, from /proc (0: unknown).
unsigned long long soft_nofile(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream f(line.substr(std::string("Max open files").size()));
      unsigned long long soft = 0;
      f >> soft;
      return soft;
    }
  }
  return 0;
}

TEST(HushdHardening, RaisesTheSoftDescriptorLimitToTheHardOne) {
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max <= 256) GTEST_SKIP() << "hard limit too low to tell";
  rlimit lowered = saved;
  lowered.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  HushdProcess hushd;
  const bool started = hushd.start();
  ::setrlimit(RLIMIT_NOFILE, &saved);
  ASSERT_TRUE(started) << hushd.log();
  const auto soft = soft_nofile(hushd.pid());
  if (saved.rlim_max == RLIM_INFINITY) {
    EXPECT_GT(soft, 256u);
  } else {
    EXPECT_EQ(soft, static_cast<unsigned long long>(saved.rlim_max));
  }
}

}  // namespace
}  // namespace hush::testing
