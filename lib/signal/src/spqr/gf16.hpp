// GF(2^16), the field of SPQR's erasure code: elements are 16-bit polynomials
// over GF(2) reduced modulo x^16 + x^12 + x^3 + x + 1 (spqr: src/encoding/gf.rs,
// POLY = 0x1100b). Addition is XOR. The values encoded are public (keys and
// ciphertexts on their way to the peer), so nothing here needs constant time.
//
// gf16_mul and gf16_inv are the definitions, bit by bit; the erasure code
// multiplies through the logarithm tables (gf16_logs), about a hundred times
// cheaper, and its tests check the two agree.
#pragma once

#include <array>
#include <cstdint>

namespace hush::signal::spqr::detail {

/// The reduction polynomial, bit 16 included.
inline constexpr std::uint32_t kGf16Poly = 0x1100b;

/// a · b in GF(2^16).
constexpr std::uint16_t gf16_mul(std::uint16_t a, std::uint16_t b) noexcept {
  std::uint32_t product = 0;
  for (int i = 0; i < 16; ++i) {
    if ((b >> i) & 1U) product ^= static_cast<std::uint32_t>(a) << i;
  }
  for (int bit = 31; bit >= 16; --bit) {
    if ((product >> bit) & 1U) product ^= kGf16Poly << (bit - 16);
  }
  return static_cast<std::uint16_t>(product);
}

/// a⁻¹ = a^(2^16 − 2); a must not be 0 (callers divide by differences of
/// distinct points).
constexpr std::uint16_t gf16_inv(std::uint16_t a) noexcept {
  std::uint16_t result = 1;
  std::uint16_t base = a;
  for (std::uint32_t e = 0xFFFEU; e != 0; e >>= 1) {
    if (e & 1U) result = gf16_mul(result, base);
    base = gf16_mul(base, base);
  }
  return result;
}

static_assert(gf16_mul(2, 0x8000) == 0x100b, "x · x^15 = x^16 ≡ x^12 + x^3 + x + 1");
static_assert(gf16_mul(0x1234, gf16_inv(0x1234)) == 1);

/// Logarithms to the base x, which generates the multiplicative group (x has
/// order 2^16 − 1 modulo kGf16Poly; gf16_logs checks it): for a, b ≠ 0,
/// a · b = exp[log[a] + log[b]].
struct Gf16Logs {
  /// The order of the multiplicative group, 2^16 − 1.
  static constexpr std::uint32_t kOrder = 0xFFFF;
  /// log[a] for a ≠ 0, in 0 … kOrder − 1 (log[0] is unused).
  std::array<std::uint16_t, 0x10000> log{};
  /// exp[i] = x^i, written twice over so that the sum of two logarithms
  /// indexes it without a reduction.
  std::array<std::uint16_t, 2 * kOrder> exp{};

  /// a · x^e for a ≠ 0 and e < kOrder (e a logarithm or a sum reduced below kOrder).
  [[nodiscard]] std::uint16_t mul_exp(std::uint16_t a, std::uint32_t e) const noexcept { return exp[log[a] + e]; }
};

/// The tables, built on first use (384 KiB, about 65,000 shifts).
const Gf16Logs& gf16_logs();

}  // namespace hush::signal::spqr::detail
