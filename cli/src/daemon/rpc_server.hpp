// The daemon's transport: a Unix socket (owner-only, a stale one from a
// killed daemon replaced, removed on exit) with any number of clients, and
// optionally stdin/stdout, all served by one I/O thread. It only moves
// lines: requests are queued for the SDK thread (take()), which alone runs
// them on the Client; answers and notifications are queued back (send(),
// broadcast()). One JSON text per line in both directions.
#pragma once

#include <hush/util/result.hpp>

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hush::cli::daemon {

/// Longest request line (1 MiB): a message is at most a few KiB; a client
/// sending more without a newline is broken or hostile and is disconnected.
inline constexpr std::size_t kMaxLineBytes = 1 << 20;
/// Most unsent output per client (16 MiB): a client that stops reading is
/// disconnected rather than growing the daemon without bound.
inline constexpr std::size_t kMaxPendingOutput = 16u << 20;
/// Most socket clients at once.
inline constexpr std::size_t kMaxClients = 64;

/// The id of the stdin/stdout channel (socket clients count up from 1).
inline constexpr std::uint64_t kStdioChannel = 0;

struct IncomingLine {
  std::uint64_t channel = 0;
  std::string line;
};

class RpcServer {
 public:
  /// Binds `socket_path` (mode 0600, made under umask 0177; an existing
  /// socket nobody answers on is replaced) and, with `stdio`, serves stdin/
  /// stdout too; starts the I/O thread. Errors: conflict (something answers
  /// on the socket, or the path is not a socket), invalid_argument (path too
  /// long for a Unix socket), storage_failure (cannot bind).
  static Result<std::unique_ptr<RpcServer>> start(const std::filesystem::path& socket_path, bool stdio);
  ~RpcServer();  ///< stops the thread, closes every client, removes the socket
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  /// The lines received since the last call, in order per channel.
  [[nodiscard]] std::vector<IncomingLine> take();
  /// The SDK thread is done with one line take() gave for `channel`: queues
  /// `answer` (without '\n') if there is one; dropped if the channel is gone.
  /// A socket client that closed its sending side is closed once every line
  /// it sent was answered and the answers were written.
  void answer(std::uint64_t channel, std::optional<std::string> answer);
  /// Queues `line` for every channel.
  void broadcast(const std::string& line);
  /// With stdio: stdin reached its end (the daemon should stop).
  [[nodiscard]] bool stdin_closed() const;

 private:
  struct Channel {
    int in_fd = -1;
    int out_fd = -1;
    std::string input;
    std::string output;
    bool eof = false;          ///< the client sent its last line
    std::size_t unanswered = 0; ///< lines take() gave out, not yet answer()ed
  };

  RpcServer(int listen_fd, std::filesystem::path path, ino_t inode, bool stdio, int wake_read, int wake_write);
  void run();
  void wake();
  void accept_clients();
  /// True when `c` has nothing more to do (socket EOF, all answered and written).
  static bool finished(const Channel& c) { return c.eof && c.unanswered == 0 && c.output.empty(); }
  /// Reads what `channel` has and queues its complete lines; false when it
  /// is to be closed (error, or a line longer than kMaxLineBytes).
  bool read_channel(std::uint64_t id, Channel& c);
  /// Writes what is queued; false when it is to be closed.
  static bool write_channel(Channel& c);
  void close_channel(std::uint64_t id);

  int listen_fd_;
  std::filesystem::path path_;
  ino_t socket_inode_;  ///< removed at exit only if the path is still our socket
  int wake_read_;
  int wake_write_;
  mutable std::mutex mutex_;  // guards everything below
  std::map<std::uint64_t, Channel> channels_;
  std::deque<IncomingLine> incoming_;
  std::uint64_t next_id_ = 1;
  bool stop_ = false;
  bool stdin_closed_ = false;
  std::thread thread_;
};

}  // namespace hush::cli::daemon
