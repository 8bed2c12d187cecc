// Base32 (RFC 4648 alphabet, no padding) for codes a person reads aloud or
// types: link codes and account recovery codes. Decoding is forgiving of
// how people type: any case, spaces and dashes ignored, and 0/1/8 read as
// O/I/B (never in the alphabet, easily confused with them).
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace hush {

/// `bytes` in base32, upper case, no padding (the last character carries
/// the remaining bits, zero-filled).
[[nodiscard]] std::string base32_encode(ByteView bytes);

/// A typed code back to bytes. invalid_argument: a character outside the
/// alphabet, or trailing bits that are not zero (a code of the wrong length).
[[nodiscard]] Result<Bytes> base32_decode(std::string_view typed);

/// `text` cut into dash-separated groups of `size` characters ("ABCD-EFGH").
[[nodiscard]] std::string group_characters(std::string_view text, std::size_t size);

}  // namespace hush
