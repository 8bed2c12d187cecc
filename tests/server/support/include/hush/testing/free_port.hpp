// A free TCP port on 127.0.0.1 for servers the tests start (PostgreSQL,
// Redis, hushd nodes that must come back on the same port after a kill).
#pragma once

#include <cstdint>

namespace hush::testing {

/// A port the kernel just handed out for 127.0.0.1 and that nothing holds
/// now; 0 when none could be had. Another process may still take it before
/// the caller binds it: callers that can retry on a fresh port should.
std::uint16_t free_loopback_port();

}  // namespace hush::testing
