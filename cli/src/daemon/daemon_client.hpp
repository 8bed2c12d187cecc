// A `hush` command talking to the daemon of its home folder instead of
// opening the store (the store's one listener is the daemon): found through
// the home's lock file, one JSON-RPC request at a time over its socket,
// answers decoded into the SDK's own types so the command prints the same
// lines and exits with the same codes either way.
#pragma once

#include "daemon/daemon_lock.hpp"
#include "daemon/json_rpc.hpp"

#include <hush/client/client.hpp>

#include <chrono>
#include <memory>

namespace hush::cli::daemon {

/// How long a command waits for the daemon's answer: longer than any SDK
/// call takes (a group send with retries), short of hanging forever.
inline constexpr std::chrono::seconds kCallTimeout{300};

class DaemonClient {
 public:
  /// The daemon serving `home`, connected; nullptr when none runs or its
  /// socket does not answer (the command then opens the store itself).
  static std::unique_ptr<DaemonClient> connect(const std::filesystem::path& home);
  ~DaemonClient();
  DaemonClient(const DaemonClient&) = delete;
  DaemonClient& operator=(const DaemonClient&) = delete;

  [[nodiscard]] const DaemonInfo& info() const noexcept { return info_; }

  /// Calls `method`. An application error comes back as the Error the SDK
  /// returned in the daemon (same Errc and context); anything else (the
  /// daemon went away, a JSON-RPC error) as unavailable.
  Result<rpc::Json> call(std::string_view method, rpc::Json params);

  // The SDK calls the commands forward, with the Client's signatures.
  Result<client::SentMessage> send_text(std::string_view username, std::string_view text);
  Result<client::SentMessage> group_send(std::string_view group, std::string_view text);
  /// What the daemon received and kept since the last call.
  Result<std::vector<client::ReceivedMessage>> receive();
  Result<std::vector<client::HistoryMessage>> history(std::string_view username, std::size_t limit);
  Result<std::vector<client::Contact>> contacts();
  Result<client::SafetyNumber> safety_number(std::string_view username);

  /// The next notification the daemon sends (an object without "id"), or
  /// nullopt when none came within `timeout`; unavailable once the daemon
  /// closed the connection (it stopped).
  Result<std::optional<rpc::Json>> next_notification(std::chrono::milliseconds timeout);

 private:
  DaemonClient(int fd, DaemonInfo info) : fd_(fd), info_(std::move(info)) {}
  /// Reads more into buffer_ until `deadline`: false on timeout, an error when closed.
  Result<bool> fill(std::chrono::steady_clock::time_point deadline);
  int fd_;
  DaemonInfo info_;
  std::string buffer_;
  std::vector<rpc::Json> notifications_;  ///< seen while waiting for an answer
  std::uint64_t next_id_ = 1;
};

}  // namespace hush::cli::daemon
