// One daemon per home folder: <home>/daemon.lock, write-locked (fcntl) for the
// daemon's lifetime (the kernel drops it when the process dies, so a killed
// daemon never leaves a lock behind) and holding the running daemon's pid and
// socket path, for the error a second daemon prints and for `hush` commands
// looking for a daemon to talk to.
#pragma once

#include <hush/util/result.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace hush::cli::daemon {

/// The lock file's name in the home folder.
inline constexpr const char* kLockFileName = "daemon.lock";
/// The default socket's name in the home folder.
inline constexpr const char* kSocketFileName = "daemon.sock";

/// What the lock file says about the daemon holding it.
struct DaemonInfo {
  long pid = 0;
  std::filesystem::path socket;
};

class DaemonLock {
 public:
  /// Takes the lock of `home` and records our pid and `socket`. Errors:
  /// conflict (another daemon holds it: `holder` is filled in when it could
  /// be read), storage_failure (the file cannot be made).
  static Result<DaemonLock> acquire(const std::filesystem::path& home, const std::filesystem::path& socket,
                                    std::optional<DaemonInfo>& holder);
  DaemonLock(DaemonLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DaemonLock& operator=(DaemonLock&&) = delete;
  DaemonLock(const DaemonLock&) = delete;
  ~DaemonLock();

 private:
  explicit DaemonLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// The daemon running on `home`, if one holds the lock (nullopt otherwise,
/// also when there is no lock file).
[[nodiscard]] std::optional<DaemonInfo> running_daemon(const std::filesystem::path& home);

}  // namespace hush::cli::daemon
