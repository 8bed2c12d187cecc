// The new device's side of hushd's provisioning relay (docs/server/api.md,
// "Provisioning socket"): an unauthenticated WebSocket at /v1/provisioning
// whose first frame is this socket's address and whose second (at most) is
// the ciphertext an existing device sent there, after which hushd closes it.
// It carries opaque bytes only: what they mean is the SDK's business
// (docs/protocol.md §7.4). Single-threaded: the io_context runs only inside calls.
#pragma once

#include "server_url.hpp"

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace hush::client::net {

/// Where an existing device can reach this socket.
struct ProvisioningAddress {
  std::string address;            ///< 32 lower-case hex digits, as hushd sent them
  std::int64_t expires_at_ms = 0; ///< hushd closes the socket then unless a message came
};

class ProvisioningConnection {
 public:
  ProvisioningConnection(ServerUrl url, std::filesystem::path ca_file);
  ~ProvisioningConnection();
  ProvisioningConnection(const ProvisioningConnection&) = delete;
  ProvisioningConnection& operator=(const ProvisioningConnection&) = delete;

  /// Opens the socket and reads its address (once per object). Errors:
  /// rate_limited (429: this client address holds too many such sockets),
  /// invalid_message (the first frame is not a valid address),
  /// network_failure, timeout.
  Result<ProvisioningAddress> open(std::chrono::milliseconds timeout);

  /// Waits up to `timeout` for the one message. nullopt: nothing yet (the
  /// socket stays open; call again). Errors: not_found (hushd closed the
  /// socket at the address's lifetime: the address expired), network_failure (the
  /// socket closed otherwise: server shutdown, connection lost), invalid_message
  /// (a frame that is not a ProvisioningMessage). After a message or an error
  /// the socket is finished: further calls return network_failure.
  Result<std::optional<Bytes>> wait_message(std::chrono::milliseconds timeout);

  /// Closes politely (bounded wait). Idempotent; the destructor does it too.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hush::client::net
