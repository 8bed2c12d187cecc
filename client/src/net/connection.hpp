// The SDK's link to hushd (docs/server/api.md): one HTTPS request for
// registration, and one WebSocket at /v1/ws carrying service.proto frames,
// with request/response correlation by id, pushed envelopes queued in
// arrival order, a deadline on every operation, and TLS pinned to a CA file
// (hushd's self-signed certificate) or the system trust store.
// Single-threaded: the io_context runs only inside calls.
#pragma once

#include "server_url.hpp"
#include "service.pb.h"
#include "transport.hpp"

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

/// One HTTPS (or loopback HTTP) POST on a new connection. Errors:
/// network_failure (connect, TLS or certificate failure), timeout.
Result<HttpAnswer> http_post(const ServerUrl& url, const std::filesystem::path& ca_file, const std::string& target,
                             const std::string& body, std::chrono::milliseconds timeout);

class Connection final : public Transport {
 public:
  Connection(ServerUrl url, std::filesystem::path ca_file, std::string authorization);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Transport (transport.hpp says what each does).
  [[nodiscard]] Status connect(std::chrono::milliseconds timeout) override;
  [[nodiscard]] bool is_open() const noexcept override;
  [[nodiscard]] bool still_open() override;
  Result<pb::Response> call(pb::ClientFrame frame, std::chrono::milliseconds timeout) override;
  Result<std::optional<pb::Envelope>> next_envelope(std::chrono::milliseconds timeout,
                                                    Wait wait = Wait::full_timeout) override;
  [[nodiscard]] bool drained() const noexcept override;
  [[nodiscard]] std::chrono::steady_clock::time_point connect_started() const noexcept override;
  [[nodiscard]] bool take_pre_keys_low() noexcept override;
  void close() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hush::client::net
