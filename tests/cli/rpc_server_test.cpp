// The daemon's transport and lock without a Client: RpcServer moves lines
// between several socket clients and a queue (answers back to the asker,
// broadcasts to all, a half-closed client answered then closed, an
// over-long line dropping only its client), makes its socket 0600, replaces
// a stale socket and refuses a live one or a path that is not a socket; and
// DaemonLock refuses a second holder (another process) naming the first.
// Waits are on conditions with generous deadlines.
#include "daemon/daemon_lock.hpp"
#include "daemon/rpc_server.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace hush::cli::daemon {
namespace {

using namespace std::chrono_literals;
constexpr auto kDeadline = 60s;

struct TempDir {
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hush-rpc-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path path;
};

int connect_to(const std::filesystem::path& p) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, p.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_all(int fd, const std::string& s) { ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size())); }

/// Everything up to and including the next '\n' (without it); "" at EOF or the deadline.
std::string read_line(int fd) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char c;
    if (::read(fd, &c, 1) != 1) return line;
    if (c == '\n') return line;
    line += c;
  }
  return line;
}

/// True when the peer closed `fd` (read returns 0 or an error) before the deadline.
bool closed_by_peer(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    if (::read(fd, buf, sizeof buf) <= 0) return true;
  }
  return false;
}

std::vector<IncomingLine> take_at_least(RpcServer& server, std::size_t n) {
  std::vector<IncomingLine> all;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (all.size() < n && std::chrono::steady_clock::now() < deadline) {
    for (auto& l : server.take()) all.push_back(std::move(l));
    if (all.size() < n) std::this_thread::sleep_for(5ms);
  }
  return all;
}

TEST(RpcServer, AnswersTheAskerAndBroadcastsToAll) {
  TempDir dir;
  const auto sock = dir.path / "d.sock";
  auto server = RpcServer::start(sock, false);
  ASSERT_TRUE(server.has_value());
  struct stat st {};
  ASSERT_EQ(::lstat(sock.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const int a = connect_to(sock);
  const int b = connect_to(sock);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  send_all(a, "from a\n");
  send_all(b, "from b\r\n\n  \n");  // CRLF accepted, blank lines skipped
  auto lines = take_at_least(**server, 2);
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& l : lines) {
    (*server)->answer(l.channel, "re: " + l.line);
  }
  EXPECT_EQ(read_line(a), "re: from a");
  EXPECT_EQ(read_line(b), "re: from b");
  (*server)->broadcast("to all");
  EXPECT_EQ(read_line(a), "to all");
  EXPECT_EQ(read_line(b), "to all");
  ::close(a);
  ::close(b);
  server->reset();
  EXPECT_FALSE(std::filesystem::exists(sock));  // removed on exit
}

TEST(RpcServer, AHalfClosedClientIsAnsweredThenClosed) {
  TempDir dir;
  auto server = RpcServer::start(dir.path / "d.sock", false);
  ASSERT_TRUE(server.has_value());
  const int fd = connect_to(dir.path / "d.sock");
  send_all(fd, "last words\n");
  ::shutdown(fd, SHUT_WR);
  auto lines = take_at_least(**server, 1);
  ASSERT_EQ(lines.size(), 1u);
  (*server)->answer(lines[0].channel, std::string("answered"));
  EXPECT_EQ(read_line(fd), "answered");
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
}

TEST(RpcServer, AnOverlongLineDropsOnlyThatClient) {
  TempDir dir;
  auto server = RpcServer::start(dir.path / "d.sock", false);
  ASSERT_TRUE(server.has_value());
  const int good = connect_to(dir.path / "d.sock");
  const int bad = connect_to(dir.path / "d.sock");
  const std::string flood(kMaxLineBytes + 4096, 'x');
  (void)::send(bad, flood.data(), flood.size(), MSG_NOSIGNAL);
  EXPECT_TRUE(closed_by_peer(bad));
  send_all(good, "still here\n");
  auto lines = take_at_least(**server, 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].line, "still here");
  ::close(good);
  ::close(bad);
}

TEST(RpcServer, ReplacesAStaleSocketRefusesALiveOneAndAFile) {
  TempDir dir;
  const auto sock = dir.path / "d.sock";
  {
    // A socket file nobody listens on, as a killed daemon leaves it.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
  }
  auto first = RpcServer::start(sock, false);
  ASSERT_TRUE(first.has_value()) << errc_name(first.code());
  auto second = RpcServer::start(sock, false);  // the first answers
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.code(), Errc::conflict);
  const int still = connect_to(sock);  // untouched
  EXPECT_GE(still, 0);
  if (still >= 0) ::close(still);

  const auto file = dir.path / "plain";
  std::ofstream(file) << "not a socket";
  auto on_file = RpcServer::start(file, false);
  ASSERT_FALSE(on_file.has_value());
  EXPECT_EQ(on_file.code(), Errc::conflict);
  EXPECT_TRUE(std::filesystem::is_regular_file(file));  // never removed

  auto too_long = RpcServer::start(dir.path / std::string(200, 'a'), false);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.code(), Errc::invalid_argument);
}

TEST(DaemonLock, ASecondHolderIsRefusedAndToldWhoHoldsIt) {
  TempDir dir;
  EXPECT_FALSE(running_daemon(dir.path).has_value());
  int to_child[2];
  int from_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(from_child), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // holds the lock until told to go
    std::optional<DaemonInfo> holder;
    auto lock = DaemonLock::acquire(dir.path, "/some/where.sock", holder);
    const char ok = lock ? 'y' : 'n';
    (void)!::write(from_child[1], &ok, 1);
    char go;
    (void)!::read(to_child[0], &go, 1);
    ::_exit(0);
  }
  char ok = 0;
  ASSERT_EQ(::read(from_child[0], &ok, 1), 1);
  ASSERT_EQ(ok, 'y');
  auto running = running_daemon(dir.path);
  ASSERT_TRUE(running.has_value());
  EXPECT_EQ(running->pid, child);
  EXPECT_EQ(running->socket, "/some/where.sock");
  std::optional<DaemonInfo> holder;
  auto second = DaemonLock::acquire(dir.path, "/other.sock", holder);
  EXPECT_FALSE(second.has_value());
  EXPECT_EQ(second.code(), Errc::conflict);
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->socket, "/some/where.sock");

  (void)!::write(to_child[1], "g", 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  // Gone with its process: free again.
  EXPECT_FALSE(running_daemon(dir.path).has_value());
  std::optional<DaemonInfo> none;
  EXPECT_TRUE(DaemonLock::acquire(dir.path, "/mine.sock", none).has_value());
  for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) ::close(fd);
}

}  // namespace
}  // namespace hush::cli::daemon
