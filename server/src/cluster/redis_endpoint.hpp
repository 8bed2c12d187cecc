// Where a Redis server listens, as hushd's configuration names it.
#pragma once

#include <hush/util/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace hush::server::cluster {

/// A Redis server's TCP address.
struct RedisEndpoint {
  std::string host;
  std::uint16_t port = 6379;

  /// "redis://HOST:PORT", "redis://HOST", "HOST:PORT" or "HOST"; a bracketed
  /// IPv6 host ("[::1]:6379") too. No credentials, database or TLS: Redis
  /// runs beside the nodes on a private network (docs/deploy.md).
  static Result<RedisEndpoint> parse(std::string_view text);
};

}  // namespace hush::server::cluster
