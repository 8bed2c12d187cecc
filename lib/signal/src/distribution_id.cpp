// DistributionId: its text form and random generation. The bytes are the
// UUID's 16 bytes in network order, exactly what libsignal puts on the wire
// (Uuid::as_bytes).
#include <hush/signal/distribution_id.hpp>

#include <algorithm>

namespace hush::signal {

namespace {

// Where the dashes go in the 36-character text form.
constexpr std::array<std::size_t, 4> kDashes{8, 13, 18, 23};
constexpr std::size_t kTextSize = 36;

}  // namespace

DistributionId DistributionId::generate(crypto::Rng& rng) {
  std::array<std::uint8_t, kSize> b{};
  rng.fill(b);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);  // variant 10
  return DistributionId(b);
}

Result<DistributionId> DistributionId::from_bytes(ByteView bytes) {
  if (bytes.size() != kSize) return make_error(Errc::bad_length, "distribution id is not 16 bytes");
  std::array<std::uint8_t, kSize> b{};
  std::copy(bytes.begin(), bytes.end(), b.begin());
  return DistributionId(b);
}

Result<DistributionId> DistributionId::parse(std::string_view text) {
  if (text.size() != kTextSize) return make_error(Errc::decode_error, "distribution id text length");
  std::string digits;
  digits.reserve(2 * kSize);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_here = std::find(kDashes.begin(), kDashes.end(), i) != kDashes.end();
    if (dash_here != (text[i] == '-')) return make_error(Errc::decode_error, "distribution id text form");
    if (!dash_here) digits.push_back(text[i]);
  }
  HUSH_TRY_ASSIGN(auto bytes, from_hex(digits));
  return from_bytes(bytes);
}

std::string DistributionId::to_string() const {
  const std::string hex = to_hex(ByteView(bytes_));
  std::string out;
  out.reserve(kTextSize);
  std::size_t next = 0;
  for (std::size_t i = 0; i < kTextSize; ++i) {
    if (std::find(kDashes.begin(), kDashes.end(), i) != kDashes.end()) {
      out.push_back('-');
    } else {
      out.push_back(hex[next++]);
    }
  }
  return out;
}

SenderKeyName sender_key_name(const DistributionId& id, ProtocolAddress sender) {
  return SenderKeyName{id.to_string(), std::move(sender)};
}

}  // namespace hush::signal
