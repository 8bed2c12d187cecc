// What the SDK's pipelines talk to hushd through (issue #16 item 3): a
// WebSocket carrying service.proto frames (requests answered by id, pushed
// envelopes queued in arrival order), the provisioning socket a new device
// waits on while it is linked, and the HTTPS POSTs of registration.
// `Connection`, `ProvisioningConnection` and `http_post` are the network
// implementation; a test
// implements it in memory (tests/client/fake_hushd.hpp) to drive every
// branch of the pipeline without a server.
//
// Every call may block on the network. None may be made while the client
// store holds a transaction open (it would hold the home against every other
// `hush` process for a network round trip): ClientImpl wraps the transports
// it is given in a guard that refuses such a call (transport_guard.hpp).
#pragma once

#include "server_url.hpp"
#include "service.pb.h"

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace hush::client::net {

namespace pb = ::hush::service::v1;

/// An HTTP answer: status and body.
struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

/// One WebSocket session with hushd. Single-threaded: work happens only
/// inside calls.
class Transport {
 public:
  virtual ~Transport() = default;

  /// Opens the session (once per Transport: reconnecting makes a new one).
  /// Errors: unauthorized (401), network_failure, timeout.
  [[nodiscard]] virtual Status connect(std::chrono::milliseconds timeout) = 0;
  [[nodiscard]] virtual bool is_open() const noexcept = 0;
  /// Lets frames that arrived while nobody called in (a close after hushd's
  /// idle timeout, pings, pushes) be processed, then says whether the
  /// session is still open: a session left idle is checked before reuse.
  [[nodiscard]] virtual bool still_open() = 0;
  /// Sends `frame` with a fresh id and waits for its Response (envelopes
  /// arriving meanwhile are queued). Errors: network_failure (closed), timeout.
  virtual Result<pb::Response> call(pb::ClientFrame frame, std::chrono::milliseconds timeout) = 0;
  /// What next_envelope waits for when no envelope is queued.
  enum class Wait {
    full_timeout,  ///< the whole timeout (a live push may come)
    until_drained  ///< also stop once hushd said its first drain is over (QueueEmpty)
  };
  /// The next pushed envelope; nullopt when none came within `timeout` (or,
  /// with Wait::until_drained, as soon as none is queued and drained()).
  /// Errors: network_failure once the session closed and the queue is empty.
  virtual Result<std::optional<pb::Envelope>> next_envelope(std::chrono::milliseconds timeout,
                                                            Wait wait = Wait::full_timeout) = 0;
  /// Whether hushd sent QueueEmpty on this session: every envelope stored
  /// when it connected has arrived (those queued here are still to be read).
  [[nodiscard]] virtual bool drained() const noexcept = 0;
  /// When connect() began: QueueEmpty covers everything stored before it.
  [[nodiscard]] virtual std::chrono::steady_clock::time_point connect_started() const noexcept = 0;
  /// Whether hushd said (PreKeysLow) since the last call that this device's
  /// one-time pre-keys run low; clears it.
  [[nodiscard]] virtual bool take_pre_keys_low() noexcept = 0;
  /// Closes politely (bounded wait).
  virtual void close() = 0;
};

/// Where an existing device can reach a provisioning socket.
struct ProvisioningAddress {
  std::string address;            ///< 32 lower-case hex digits, as hushd sent them
  std::int64_t expires_at_ms = 0; ///< hushd closes the socket then unless a message came
};

/// The new device's side of hushd's provisioning relay (docs/server/api.md,
/// "Provisioning socket"): its address first, then at most one message.
class ProvisioningSocket {
 public:
  virtual ~ProvisioningSocket() = default;
  /// Opens the socket and reads its address (once per object). Errors:
  /// rate_limited (429), invalid_message (no valid address), network_failure, timeout.
  virtual Result<ProvisioningAddress> open(std::chrono::milliseconds timeout) = 0;
  /// Waits up to `timeout` for the one message; nullopt: nothing yet (call
  /// again). Errors: not_found (the address expired), network_failure (closed
  /// otherwise, or finished), invalid_message (a frame that is no message).
  virtual Result<std::optional<Bytes>> wait_message(std::chrono::milliseconds timeout) = 0;
  /// Closes politely (bounded wait). Idempotent.
  virtual void close() = 0;
};

/// Makes Transports and provisioning sockets, and carries the HTTPS
/// requests of registration.
class TransportFactory {
 public:
  virtual ~TransportFactory() = default;
  /// A session with the node at `url` (not yet connected), authenticated
  /// by `authorization` (the Authorization header: it holds the credential).
  virtual std::unique_ptr<Transport> open(const ServerUrl& url, const std::filesystem::path& ca_file,
                                          std::string authorization) = 0;
  /// A provisioning socket on the node at `url` (not yet open): a new
  /// device waits on it while an existing one links it.
  virtual std::unique_ptr<ProvisioningSocket> open_provisioning(const ServerUrl& url,
                                                                const std::filesystem::path& ca_file) = 0;
  /// One POST of `body` to `target` on `url`. Errors: network_failure, timeout.
  virtual Result<HttpAnswer> post(const ServerUrl& url, const std::filesystem::path& ca_file,
                                  const std::string& target, const std::string& body,
                                  std::chrono::milliseconds timeout) = 0;
};

/// hushd over the network: Connection for sessions, http_post for POSTs.
[[nodiscard]] std::shared_ptr<TransportFactory> network_transport();

}  // namespace hush::client::net
