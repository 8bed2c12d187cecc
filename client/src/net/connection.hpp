// The SDK's link to hushd (docs/server/api.md): one HTTPS request for
// registration, and one WebSocket at /v1/ws carrying service.proto frames,
// with request/response correlation by id, pushed envelopes queued in
// arrival order, a deadline on every operation, and TLS pinned to a CA file
// (hushd's self-signed certificate) or the system trust store.
// Single-threaded: the io_context runs only inside calls.
#pragma once

#include "server_url.hpp"
#include "service.pb.h"

#include <hush/util/result.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace hush::client::net {

namespace pb = ::hush::service::v1;

/// The Errc behind a hushd status and stable error name ("conflict", ...).
[[nodiscard]] Errc errc_from_status(std::uint32_t status, const std::string& message) noexcept;

/// The request a frame carries, as hushd names it in its logs
/// ("send_message", "ack", ...); "unknown" for none.
[[nodiscard]] std::string_view request_kind(const pb::ClientFrame& frame) noexcept;

/// An HTTP answer: status and body.
struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

/// One HTTPS (or loopback HTTP) POST on a new connection. Errors:
/// network_failure (connect, TLS or certificate failure), timeout.
Result<HttpAnswer> http_post(const ServerUrl& url, const std::filesystem::path& ca_file, const std::string& target,
                             const std::string& body, std::chrono::milliseconds timeout);

class Connection {
 public:
  Connection(ServerUrl url, std::filesystem::path ca_file, std::string authorization);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Opens the WebSocket (once per Connection: reconnecting makes a new
  /// Connection). Errors: unauthorized (401), network_failure, timeout.
  [[nodiscard]] Status connect(std::chrono::milliseconds timeout);
  [[nodiscard]] bool is_open() const noexcept;
  /// Lets frames that arrived while nobody called in (a close after hushd's
  /// idle timeout, pings, pushes) be processed, then says whether the
  /// connection is still open: a connection left idle is checked with this
  /// before it is used again.
  [[nodiscard]] bool still_open();
  /// Sends `frame` with a fresh id and waits for its Response (envelopes
  /// arriving meanwhile are queued). Errors: network_failure (closed), timeout.
  Result<pb::Response> call(pb::ClientFrame frame, std::chrono::milliseconds timeout);
  /// What next_envelope waits for when no envelope is queued.
  enum class Wait {
    full_timeout,  ///< the whole timeout (a live push may come)
    until_drained  ///< also stop once hushd said its first drain is over (QueueEmpty)
  };
  /// The next pushed envelope; nullopt when none came within `timeout` (or,
  /// with Wait::until_drained, as soon as none is queued and drained()).
  /// Errors: network_failure once the connection closed and the queue is empty.
  Result<std::optional<pb::Envelope>> next_envelope(std::chrono::milliseconds timeout,
                                                    Wait wait = Wait::full_timeout);
  /// Whether hushd sent QueueEmpty on this connection: every envelope stored
  /// when it connected has arrived (those queued here are still to be read).
  [[nodiscard]] bool drained() const noexcept;
  /// When connect() began: the QueueEmpty marker covers everything stored
  /// before this instant (hushd's first mailbox read comes after it), so a
  /// drain may stop at the marker only for mail stored before then.
  [[nodiscard]] std::chrono::steady_clock::time_point connect_started() const noexcept;
  /// Whether hushd said (PreKeysLow) since the last call that this device's
  /// one-time pre-keys run low; clears it.
  [[nodiscard]] bool take_pre_keys_low() noexcept;
  /// Closes politely (bounded wait).
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hush::client::net
