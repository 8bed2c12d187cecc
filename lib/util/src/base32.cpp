#include <hush/util/base32.hpp>

#include <cstdint>

namespace hush {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

}  // namespace

std::string base32_encode(ByteView bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (auto byte : bytes) {
    buffer = ((buffer << 8) | byte) & 0xFFFFu;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

Result<Bytes> base32_decode(std::string_view typed) {
  Bytes out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char ch : typed) {
    if (ch == ' ' || ch == '-') continue;
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (ch == '0') ch = 'O';
    if (ch == '1') ch = 'I';
    if (ch == '8') ch = 'B';
    const auto v = kAlphabet.find(ch);
    if (v == std::string_view::npos) return make_error(Errc::invalid_argument, "base32 character");
    buffer = ((buffer << 5) | static_cast<std::uint32_t>(v)) & 0xFFFFu;
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) return make_error(Errc::invalid_argument, "base32 length");
  return out;
}

std::string group_characters(std::string_view text, std::size_t size) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += size) {
    if (i > 0) out += '-';
    out += text.substr(i, size);
  }
  return out;
}

}  // namespace hush
