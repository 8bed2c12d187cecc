// address_prefix: inet_pton, mask, inet_ntop.
#include "service/address_prefix.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace hush::server {
namespace {

void mask_bits(std::uint8_t* bytes, std::size_t size, unsigned bits) {
  for (std::size_t i = 0; i < size; ++i) {
    const unsigned first = static_cast<unsigned>(i) * 8;
    if (first >= bits) {
      bytes[i] = 0;
    } else if (first + 8 > bits) {
      bytes[i] = static_cast<std::uint8_t>(bytes[i] & (0xFFu << (8 - (bits - first))));
    }
  }
}

std::string v4_prefix(std::array<std::uint8_t, 4> a, unsigned bits) {
  bits = std::min(bits, 32U);
  mask_bits(a.data(), a.size(), bits);
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, a.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(bits);
}

}  // namespace

std::string address_prefix(std::string_view address, unsigned v4_bits, unsigned v6_bits) {
  const std::string text(address);
  std::array<std::uint8_t, 4> v4{};
  if (::inet_pton(AF_INET, text.c_str(), v4.data()) == 1) return v4_prefix(v4, v4_bits);
  std::array<std::uint8_t, 16> v6{};
  if (::inet_pton(AF_INET6, text.c_str(), v6.data()) != 1) return text;
  static constexpr std::array<std::uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(v6.data(), kMapped.data(), kMapped.size()) == 0) {
    return v4_prefix({v6[12], v6[13], v6[14], v6[15]}, v4_bits);
  }
  v6_bits = std::min(v6_bits, 128U);
  mask_bits(v6.data(), v6.size(), v6_bits);
  char out[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET6, v6.data(), out, sizeof out);
  return std::string(out) + "/" + std::to_string(v6_bits);
}

}  // namespace hush::server
