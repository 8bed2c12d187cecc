// The daemon's I/O thread (rpc_server.hpp): poll(2) over the listening
// socket, each client, stdin/stdout and a wake-up pipe. It never touches the
// Client; lines go to the SDK thread through a queue under one mutex.
#include "daemon/rpc_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>

namespace hush::cli::daemon {

namespace {

/// Reads per wake-up of one channel.
constexpr std::size_t kReadChunk = 64 * 1024;

bool make_address(const std::filesystem::path& path, sockaddr_un& addr) {
  const std::string p = path.string();
  if (p.empty() || p.size() >= sizeof addr.sun_path) return false;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  return true;
}

/// True if something accepts connections on `addr`.
bool answers(const sockaddr_un& addr) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

/// Writes all of `data` to a blocking fd (stdout).
void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ::ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

Result<std::unique_ptr<RpcServer>> RpcServer::start(const std::filesystem::path& socket_path, bool stdio) {
  sockaddr_un addr{};
  if (!make_address(socket_path, addr)) return make_error(Errc::invalid_argument, "socket path too long or empty");
  struct stat st {};
  if (::lstat(socket_path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return make_error(Errc::conflict, "the socket path exists and is not a socket");
    if (answers(addr)) return make_error(Errc::conflict, "something already answers on the socket");
    // A socket nobody answers on: left by a daemon that was killed. We hold
    // the home's lock, so no live daemon of this home can own it.
    ::unlink(socket_path.c_str());
  }
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return make_error(Errc::storage_failure, "cannot create the socket");
  // Owner-only from the moment it exists: no window in which another user
  // could connect before a chmod.
  const ::mode_t old_mask = ::umask(0177);
  const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  ::umask(old_mask);
  if (bound != 0 || ::chmod(socket_path.c_str(), 0600) != 0 || ::listen(fd, 16) != 0 ||
      ::lstat(socket_path.c_str(), &st) != 0) {
    ::close(fd);
    return make_error(Errc::storage_failure, "cannot bind the daemon socket");
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(fd);
    ::unlink(socket_path.c_str());
    return make_error(Errc::storage_failure, "cannot create a pipe");
  }
  return std::unique_ptr<RpcServer>(new RpcServer(fd, socket_path, st.st_ino, stdio, pipe_fds[0], pipe_fds[1]));
}

RpcServer::RpcServer(int listen_fd, std::filesystem::path path, ino_t inode, bool stdio, int wake_read,
                     int wake_write)
    : listen_fd_(listen_fd), path_(std::move(path)), socket_inode_(inode), wake_read_(wake_read), wake_write_(wake_write) {
  if (stdio) channels_[kStdioChannel] = Channel{STDIN_FILENO, STDOUT_FILENO, {}, {}, false, 0};
  thread_ = std::thread([this] { run(); });
}

RpcServer::~RpcServer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake();
  thread_.join();
  // Answers already queued still go out: a script reading stdout gets the
  // reply to its last request before the daemon exits.
  for (auto& [id, c] : channels_) {
    if (id == kStdioChannel) {
      write_all(c.out_fd, c.output);
    } else {
      (void)write_channel(c);
      ::close(c.in_fd);
    }
  }
  ::close(listen_fd_);
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && st.st_ino == socket_inode_) ::unlink(path_.c_str());
  ::close(wake_read_);
  ::close(wake_write_);
}

std::vector<IncomingLine> RpcServer::take() {
  std::lock_guard lock(mutex_);
  std::vector<IncomingLine> out(std::make_move_iterator(incoming_.begin()), std::make_move_iterator(incoming_.end()));
  incoming_.clear();
  return out;
}

void RpcServer::answer(std::uint64_t channel, std::optional<std::string> line) {
  {
    std::lock_guard lock(mutex_);
    auto it = channels_.find(channel);
    if (it == channels_.end()) return;
    if (it->second.unanswered > 0) --it->second.unanswered;
    if (line) {
      it->second.output += *line;
      it->second.output += '\n';
    }
  }
  wake();
}

void RpcServer::broadcast(const std::string& line) {
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, c] : channels_) {
      if (c.out_fd < 0) continue;
      c.output += line;
      c.output += '\n';
    }
  }
  wake();
}

bool RpcServer::stdin_closed() const {
  std::lock_guard lock(mutex_);
  return stdin_closed_;
}

void RpcServer::wake() {
  const char b = 1;
  (void)!::write(wake_write_, &b, 1);  // full pipe: a wake-up is pending anyway
}

void RpcServer::accept_clients() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;  // EAGAIN: all taken
    std::lock_guard lock(mutex_);
    std::size_t sockets = channels_.size() - channels_.count(kStdioChannel);
    if (sockets >= kMaxClients) {
      ::close(fd);
      continue;
    }
    channels_[next_id_++] = Channel{fd, fd, {}, {}, false, 0};
  }
}

bool RpcServer::read_channel(std::uint64_t id, Channel& c) {
  char buf[kReadChunk];
  const ::ssize_t n = ::read(c.in_fd, buf, sizeof buf);
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  if (n == 0) {
    c.eof = true;
    if (id == kStdioChannel) stdin_closed_ = true;
    return true;
  }
  c.input.append(buf, static_cast<std::size_t>(n));
  std::size_t start = 0;
  for (std::size_t nl; (nl = c.input.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = c.input.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines are allowed between requests
    ++c.unanswered;
    incoming_.push_back({id, std::move(line)});
  }
  c.input.erase(0, start);
  return c.input.size() <= kMaxLineBytes;
}

bool RpcServer::write_channel(Channel& c) {
  while (!c.output.empty()) {
    const ::ssize_t n = ::send(c.out_fd, c.output.data(), c.output.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN;
    c.output.erase(0, static_cast<std::size_t>(n));
  }
  return true;
}

void RpcServer::close_channel(std::uint64_t id) {
  auto it = channels_.find(id);
  if (it == channels_.end()) return;
  if (id != kStdioChannel) ::close(it->second.in_fd);
  channels_.erase(it);
}

void RpcServer::run() {
  struct Slot {
    std::uint64_t id;
    bool output;
  };
  for (;;) {
    std::vector<pollfd> fds{{wake_read_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    std::vector<Slot> slots;
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
      for (auto it = channels_.begin(); it != channels_.end();) {
        auto next = std::next(it);
        if (it->first != kStdioChannel && finished(it->second)) close_channel(it->first);
        it = next;
      }
      for (auto& [id, c] : channels_) {
        if (c.in_fd >= 0 && !c.eof) {
          fds.push_back({c.in_fd, POLLIN, 0});
          slots.push_back({id, false});
        }
        if (c.out_fd >= 0 && !c.output.empty()) {
          fds.push_back({c.out_fd, POLLOUT, 0});
          slots.push_back({id, true});
        }
      }
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;  // EINTR: a signal for the SDK thread
    if (fds[0].revents != 0) {
      char drain[256];
      while (::read(wake_read_, drain, sizeof drain) > 0) {
      }
    }
    if (fds[1].revents & POLLIN) accept_clients();
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const short ev = fds[i + 2].revents;
      if (ev == 0) continue;
      auto it = channels_.find(slots[i].id);
      if (it == channels_.end()) continue;
      Channel& c = it->second;
      bool keep = true;
      if (slots[i].output) {
        if (slots[i].id == kStdioChannel) {
          write_all(c.out_fd, c.output);  // stdout stays blocking: it is the user's file
          c.output.clear();
        } else {
          keep = write_channel(c) && c.output.size() <= kMaxPendingOutput;
        }
      } else if (ev & (POLLIN | POLLHUP | POLLERR)) {
        keep = read_channel(slots[i].id, c);
      }
      if (!keep || (slots[i].id != kStdioChannel && finished(c))) close_channel(slots[i].id);
    }
    // Output queued past the cap while a client is not reading.
    for (auto it = channels_.begin(); it != channels_.end();) {
      const bool drop = it->first != kStdioChannel && it->second.output.size() > kMaxPendingOutput;
      auto next = std::next(it);
      if (drop) close_channel(it->first);
      it = next;
    }
  }
}

}  // namespace hush::cli::daemon
