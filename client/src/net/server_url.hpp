// Where hushd is: "https://host[:port]" (TLS, the default port 443) or
// "http://host:port" for a loopback hushd started with --plain-tcp
// (docs/server/api.md, Transport). Anything else is refused.
#pragma once

#include <hush/util/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace hush::client::net {

struct ServerUrl {
  bool tls = true;
  std::string host;
  std::uint16_t port = 443;

  /// Parses a URL. invalid_argument: another scheme, a path, a bad port, or
  /// plain http to a host that is not a loopback address (127.0.0.0/8, ::1, localhost).
  static Result<ServerUrl> parse(std::string_view url);
  /// The canonical form ("https://host:port").
  [[nodiscard]] std::string str() const;
};

}  // namespace hush::client::net
