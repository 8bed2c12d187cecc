// The protocol address name of an account (issue #16 item 1): its 16-byte
// account id as a lowercase hyphenated UUID (8-4-4-4-12), the way libsignal
// names an ACI service id, so pre-key messages can bind both addresses
// (docs/protocol.md §2a.6). Sessions, identities, 1:1 history and Sender Key
// holders are keyed by it; usernames are directory data only.
#pragma once

#include <hush/util/bytes.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace hush::client::store {

/// Length of an account id in bytes.
inline constexpr std::size_t kAccountIdBytes = 16;

/// The address name of `account_id` ("3f2a…-…"); empty if it is not 16 bytes.
[[nodiscard]] inline std::string account_address(ByteView account_id) {
  if (account_id.size() != kAccountIdBytes) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < kAccountIdBytes; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[account_id[i] >> 4]);
    out.push_back(kHex[account_id[i] & 0x0f]);
  }
  return out;
}

/// The account id an address name stands for, or nullopt when `address` is
/// not exactly account_address's form (a username, an upper-case UUID).
[[nodiscard]] inline std::optional<Bytes> account_of_address(std::string_view address) {
  if (address.size() != 36) return std::nullopt;
  Bytes out;
  out.reserve(kAccountIdBytes);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < address.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (address[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int hi = nibble(address[i]);
    const int lo = nibble(address[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    i += 2;
  }
  return out;
}

}  // namespace hush::client::store
