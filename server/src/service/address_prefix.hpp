// The network prefix a client address is counted under: an IPv4 /24 or an
// IPv6 /56 by default (what one household or small office gets), so that
// someone holding a whole prefix cannot multiply a per-address limit by the
// number of addresses in it.
#pragma once

#include <string>
#include <string_view>

namespace hush::server {

/// IPv4 addresses are counted per /24 and IPv6 per /56 unless configured.
inline constexpr unsigned kDefaultPrefixV4 = 24;
inline constexpr unsigned kDefaultPrefixV6 = 56;

/// `address` (textual IPv4 or IPv6, as hushd logs it) masked to its first
/// `v4_bits` / `v6_bits` bits, as "ADDR/BITS". An IPv4-mapped IPv6 address
/// counts as IPv4. Anything that does not parse is returned as is (a key of
/// its own).
std::string address_prefix(std::string_view address, unsigned v4_bits = kDefaultPrefixV4,
                           unsigned v6_bits = kDefaultPrefixV6);

}  // namespace hush::server
