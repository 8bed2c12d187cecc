// Byte encodings and compression of FIPS 203 §4.2.1 (encoding.hpp).
#include "encoding.hpp"

namespace hush::crypto::detail::kem {

void byte_encode(std::uint8_t* out, const Poly& p, unsigned d) noexcept {
  // Little-endian bit packing (BitsToBytes): coefficient i occupies bits
  // [d·i, d·(i+1)) of the output.
  std::uint32_t acc = 0;
  unsigned bits = 0;
  for (std::size_t i = 0; i < kN; ++i) {
    acc |= static_cast<std::uint32_t>(static_cast<std::uint16_t>(p.c[i])) << bits;
    bits += d;
    while (bits >= 8) {
      *out++ = static_cast<std::uint8_t>(acc);
      acc >>= 8;
      bits -= 8;
    }
  }
}

void byte_decode(Poly& p, const std::uint8_t* in, unsigned d) noexcept {
  const std::uint32_t mask = (1u << d) - 1;
  std::uint32_t acc = 0;
  unsigned bits = 0;
  for (std::size_t i = 0; i < kN; ++i) {
    while (bits < d) {
      acc |= static_cast<std::uint32_t>(*in++) << bits;
      bits += 8;
    }
    p.c[i] = static_cast<std::int16_t>(acc & mask);
    acc >>= d;
    bits -= d;
  }
}

void byte_decode12_reduce(Poly& p, const std::uint8_t* in) noexcept {
  byte_decode(p, in, 12);
  for (auto& c : p.c) {
    // c in [0, 4096): subtract q when c ≥ q, branch-free.
    const std::int16_t t = static_cast<std::int16_t>(c - kQ);
    c = static_cast<std::int16_t>(t + ((t >> 15) & kQ));
  }
}

bool byte_decode12_checked(Poly& p, const std::uint8_t* in) noexcept {
  byte_decode(p, in, 12);
  // Public data: an early answer is fine, but a running OR is as short.
  int bad = 0;
  for (const auto c : p.c) bad |= c >= kQ;
  return bad == 0;
}

void encode12(std::uint8_t* out, const Poly& p) noexcept {
  Poly canonical;
  for (std::size_t i = 0; i < kN; ++i) canonical.c[i] = to_unsigned(barrett_reduce(p.c[i]));
  byte_encode(out, canonical, 12);
}

std::uint16_t compress(std::uint16_t x, unsigned d) noexcept {
  // round(2^d·x/q) = floor((2^d·x + ⌊q/2⌋) / q); n < 2^23, and
  // floor(n·M / 2^48) with M = ⌈2^48/q⌉ equals floor(n/q) for all n < 2^24
  // (checked exhaustively by the tests).
  constexpr std::uint64_t kM = ((std::uint64_t{1} << 48) + kQ - 1) / kQ;
  const std::uint64_t n = (static_cast<std::uint64_t>(x) << d) + kQ / 2;
  return static_cast<std::uint16_t>(((n * kM) >> 48) & ((1u << d) - 1));
}

void compress_encode(std::uint8_t* out, const Poly& p, unsigned d) noexcept {
  Poly t;
  for (std::size_t i = 0; i < kN; ++i) {
    t.c[i] = static_cast<std::int16_t>(compress(static_cast<std::uint16_t>(to_unsigned(barrett_reduce(p.c[i]))), d));
  }
  byte_encode(out, t, d);
}

void decode_decompress(Poly& p, const std::uint8_t* in, unsigned d) noexcept {
  byte_decode(p, in, d);
  // Decompress_d(y) = round(q·y / 2^d).
  for (auto& c : p.c) {
    c = static_cast<std::int16_t>((static_cast<std::uint32_t>(c) * kQ + (1u << (d - 1))) >> d);
  }
}

}  // namespace hush::crypto::detail::kem
