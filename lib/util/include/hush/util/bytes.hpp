// Plain (non-secret) byte strings: public keys, ciphertexts, wire messages.
// Secrets never live in these; they use SecretBytes / SecretBuffer.
#pragma once

#include <hush/util/result.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hush {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

/// The bytes of a string, without copying.
inline ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// The bytes of a view as a string, copied.
inline std::string to_string(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline Bytes to_bytes(ByteView b) {
  return {b.begin(), b.end()};
}
inline Bytes to_bytes(std::string_view s) {
  return to_bytes(as_bytes(s));
}

/// Concatenates views into one new byte string.
Bytes concat(std::initializer_list<ByteView> parts);

/// Lower-case hexadecimal.
std::string to_hex(ByteView b);

/// Parses hexadecimal (either case, no separators). Fails with decode_error.
Result<Bytes> from_hex(std::string_view hex);

}  // namespace hush
