// Errc → status code (see status.hpp). HTTP semantics where one fits, so a
// client can treat a status class the same on HTTPS and on the WebSocket.
#include "api/status.hpp"

#include <array>
#include <utility>

namespace hush::server::api {
namespace {

constexpr std::array<std::pair<Errc, std::uint32_t>, 20> kTable = {{
    {Errc::ok, 200},
    {Errc::invalid_argument, 400},
    {Errc::bad_length, 400},
    {Errc::decode_error, 400},
    {Errc::unsupported_version, 400},
    {Errc::invalid_message, 400},
    {Errc::unauthorized, 401},
    {Errc::forbidden, 403},
    {Errc::not_found, 404},
    {Errc::conflict, 409},
    {Errc::stale_devices, 410},
    {Errc::bad_signature, 422},
    {Errc::bad_key, 422},
    {Errc::rate_limited, 429},
    {Errc::storage_failure, 500},
    {Errc::crypto_failure, 500},
    {Errc::network_failure, 502},
    {Errc::unavailable, 503},
    {Errc::timeout, 504},
    {Errc::quota_exceeded, 507},
}};

}  // namespace

std::uint32_t status_for(Errc code) noexcept {
  for (const auto& [errc, status] : kTable) {
    if (errc == code) return status;
  }
  return 500;
}

std::string_view status_message(Errc code) noexcept { return code == Errc::ok ? "ok" : errc_name(code); }

}  // namespace hush::server::api
