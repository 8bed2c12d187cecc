// The new device's side of hushd's provisioning relay (docs/server/api.md,
// "Provisioning socket"): an unauthenticated WebSocket at /v1/provisioning
// whose first frame is this socket's address and whose second (at most) is
// the ciphertext an existing device sent there, after which hushd closes it.
// It carries opaque bytes only: what they mean is the SDK's business
// (docs/protocol.md §7.4). Single-threaded: the io_context runs only inside calls.
#pragma once

#include "server_url.hpp"
#include "transport.hpp"

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace hush::client::net {

class ProvisioningConnection final : public ProvisioningSocket {
 public:
  ProvisioningConnection(ServerUrl url, std::filesystem::path ca_file);
  ~ProvisioningConnection() override;
  ProvisioningConnection(const ProvisioningConnection&) = delete;
  ProvisioningConnection& operator=(const ProvisioningConnection&) = delete;

  // ProvisioningSocket (transport.hpp says what each does).
  Result<ProvisioningAddress> open(std::chrono::milliseconds timeout) override;
  Result<std::optional<Bytes>> wait_message(std::chrono::milliseconds timeout) override;
  void close() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hush::client::net
