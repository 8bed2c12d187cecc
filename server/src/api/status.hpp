// The one table mapping hush::Errc to the status code hushd puts in a
// WebSocket Response and in an HTTP answer (the same number for both).
// docs/server/api.md lists it; change both together.
#pragma once

#include <hush/util/errc.hpp>

#include <cstdint>
#include <string_view>

namespace hush::server::api {

inline constexpr std::uint32_t kStatusOk = 200;
inline constexpr std::uint32_t kStatusBadRequest = 400;

/// The status code for an error code (200 for Errc::ok, 500 for anything the
/// table does not name).
[[nodiscard]] std::uint32_t status_for(Errc code) noexcept;

/// The stable name sent with a status ("stale_devices"); "ok" for Errc::ok.
[[nodiscard]] std::string_view status_message(Errc code) noexcept;

}  // namespace hush::server::api
