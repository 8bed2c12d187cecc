// Byte encodings and compression of FIPS 203 §4.2.1 (encoding.hpp).
#include "encoding.hpp"

#include "ct.hpp"

#include <hush/util/check.hpp>

#include <type_traits>

namespace hush::crypto::detail::kem {

namespace {

__extension__ typedef unsigned __int128 Bits128;

// G coefficients of D bits fill exactly D·G/8 bytes; with D and G constants
// the compiler turns each group into a few shifts (a 64-bit accumulator
// except for D = 11, whose 8-coefficient groups need 88 bits).
template <unsigned D>
constexpr unsigned kGroup = D == 12   ? 4
                            : D == 10 ? 4
                                      : 8;
template <unsigned D>
using Acc = std::conditional_t<(D * kGroup<D> > 64), Bits128, std::uint64_t>;

template <unsigned D>
void encode_fixed(std::uint8_t* out, const Poly& p) noexcept {
  constexpr unsigned kG = kGroup<D>;
  constexpr unsigned kBytes = D * kG / 8;
  for (std::size_t i = 0; i < kN; i += kG) {
    Acc<D> acc = 0;
    for (unsigned j = 0; j < kG; ++j) acc |= static_cast<Acc<D>>(static_cast<std::uint16_t>(p.c[i + j])) << (D * j);
    for (unsigned b = 0; b < kBytes; ++b) out[b] = static_cast<std::uint8_t>(acc >> (8 * b));
    out += kBytes;
  }
}

template <unsigned D>
void decode_fixed(Poly& p, const std::uint8_t* in) noexcept {
  constexpr unsigned kG = kGroup<D>;
  constexpr unsigned kBytes = D * kG / 8;
  constexpr Acc<D> kMask = (Acc<D>{1} << D) - 1;
  for (std::size_t i = 0; i < kN; i += kG) {
    Acc<D> acc = 0;
    for (unsigned b = 0; b < kBytes; ++b) acc |= static_cast<Acc<D>>(in[b]) << (8 * b);
    for (unsigned j = 0; j < kG; ++j) p.c[i + j] = static_cast<std::int16_t>((acc >> (D * j)) & kMask);
    in += kBytes;
  }
}

template <unsigned D>
void compress_encode_fixed(std::uint8_t* out, const Poly& p) noexcept {
  Wiped<Poly> t;  // compressed secrets (the message bits in decryption)
  for (std::size_t i = 0; i < kN; ++i) {
    t.c[i] = static_cast<std::int16_t>(compress_d<D>(static_cast<std::uint16_t>(to_unsigned(barrett_reduce(p.c[i])))));
  }
  encode_fixed<D>(out, t);
}

}  // namespace

// Little-endian bit packing (BitsToBytes): coefficient i occupies bits
// [d·i, d·(i+1)) of the output.
void byte_encode(std::uint8_t* out, const Poly& p, unsigned d) noexcept {
  switch (d) {
    case 1:
      return encode_fixed<1>(out, p);
    case 4:
      return encode_fixed<4>(out, p);
    case 5:
      return encode_fixed<5>(out, p);
    case 10:
      return encode_fixed<10>(out, p);
    case 11:
      return encode_fixed<11>(out, p);
    case 12:
      return encode_fixed<12>(out, p);
    default:
      HUSH_CHECK(false);
  }
}

void byte_decode(Poly& p, const std::uint8_t* in, unsigned d) noexcept {
  switch (d) {
    case 1:
      return decode_fixed<1>(p, in);
    case 4:
      return decode_fixed<4>(p, in);
    case 5:
      return decode_fixed<5>(p, in);
    case 10:
      return decode_fixed<10>(p, in);
    case 11:
      return decode_fixed<11>(p, in);
    case 12:
      return decode_fixed<12>(p, in);
    default:
      HUSH_CHECK(false);
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
  Wiped<Poly> canonical;  // ŝ when encoding dk_PKE
  for (std::size_t i = 0; i < kN; ++i) canonical.c[i] = to_unsigned(barrett_reduce(p.c[i]));
  byte_encode(out, canonical, 12);
}

std::uint16_t compress(std::uint16_t x, unsigned d) noexcept {
  switch (d) {
    case 1:
      return compress_d<1>(x);
    case 4:
      return compress_d<4>(x);
    case 5:
      return compress_d<5>(x);
    case 10:
      return compress_d<10>(x);
    case 11:
      return compress_d<11>(x);
    default:
      HUSH_CHECK(false);
      return 0;
  }
}

void compress_encode(std::uint8_t* out, const Poly& p, unsigned d) noexcept {
  switch (d) {
    case 1:
      return compress_encode_fixed<1>(out, p);
    case 4:
      return compress_encode_fixed<4>(out, p);
    case 5:
      return compress_encode_fixed<5>(out, p);
    case 10:
      return compress_encode_fixed<10>(out, p);
    case 11:
      return compress_encode_fixed<11>(out, p);
    default:
      HUSH_CHECK(false);
  }
}

void decode_decompress(Poly& p, const std::uint8_t* in, unsigned d) noexcept {
  byte_decode(p, in, d);
  // Decompress_d(y) = round(q·y / 2^d).
  for (auto& c : p.c) {
    c = static_cast<std::int16_t>((static_cast<std::uint32_t>(c) * kQ + (1u << (d - 1))) >> d);
  }
}

}  // namespace hush::crypto::detail::kem
