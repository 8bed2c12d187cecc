// The daemon's lock file (daemon_lock.hpp). A POSIX record lock, not a pid
// check: a pid can be reused, a lock cannot outlive its process; and F_GETLK
// lets a `hush` command ask whether it is held without taking it (taking it,
// even shared, could make a daemon starting at that moment fail). POSIX locks
// belong to the process and go when it closes any descriptor of the file, so
// the daemon opens it once and never again while it holds the lock.
#include "daemon/daemon_lock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace hush::cli::daemon {

namespace {

/// "PID\nSOCKET\n" as written by acquire().
std::optional<DaemonInfo> read_info(int fd) {
  std::string text;
  char buf[4096];
  ::off_t at = 0;
  for (;;) {
    const ::ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    at += n;
    if (text.size() > 16 * 1024) return std::nullopt;  // not ours
  }
  const auto nl = text.find('\n');
  if (nl == std::string::npos) return std::nullopt;
  DaemonInfo info;
  try {
    info.pid = std::stol(text.substr(0, nl));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::string socket = text.substr(nl + 1);
  while (!socket.empty() && socket.back() == '\n') socket.pop_back();
  info.socket = socket;
  return info;
}

}  // namespace

Result<DaemonLock> DaemonLock::acquire(const std::filesystem::path& home, const std::filesystem::path& socket,
                                       std::optional<DaemonInfo>& holder) {
  const std::string path = (home / kLockFileName).string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(Errc::storage_failure, "cannot open the daemon lock file");
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (::fcntl(fd, F_SETLK, &lock) != 0) {
    holder = read_info(fd);
    ::close(fd);
    return make_error(Errc::conflict, "another hush daemon runs on this home folder");
  }
  const std::string text = std::to_string(::getpid()) + "\n" + socket.string() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<::ssize_t>(text.size())) {
    ::close(fd);
    return make_error(Errc::storage_failure, "cannot write the daemon lock file");
  }
  return DaemonLock(fd);
}

DaemonLock::~DaemonLock() {
  if (fd_ < 0) return;
  // Emptied first so nobody reads our pid after we are gone; the file itself
  // stays (removing it would race a daemon starting now).
  (void)::ftruncate(fd_, 0);
  ::close(fd_);
}

std::optional<DaemonInfo> running_daemon(const std::filesystem::path& home) {
  const std::string path = (home / kLockFileName).string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<DaemonInfo> info;
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  if (::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK) {
    info = read_info(fd);  // held: a daemon runs
    if (info) info->pid = probe.l_pid;  // the kernel's word over the file's
  }
  ::close(fd);
  return info;
}

}  // namespace hush::cli::daemon
