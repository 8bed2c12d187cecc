// The ring R_q = Z_q[X]/(X^256 + 1) of FIPS 203 §2.4 with q = 3329, and the
// modular reductions every other ML-KEM file uses. Coefficients are int16;
// products are reduced with Montgomery (R = 2^16) or Barrett reduction, both
// branch-free so that they take the same time for every secret value. Always
// inlined: poly_ops_avx2.cpp compiles them with AVX2, and an out-of-line copy
// shared with portable code could reach a CPU without it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace hush::crypto::detail::kem {

inline constexpr std::int16_t kQ = 3329;
inline constexpr std::size_t kN = 256;
/// The largest k of the parameter sets (ML-KEM-1024).
inline constexpr std::size_t kMaxK = 4;
/// q^-1 mod 2^16, as a signed 16-bit value.
inline constexpr std::int16_t kQInv = -3327;

/// A polynomial (or its NTT representation, FIPS 203 §4.3).
struct Poly {
  alignas(32) std::int16_t c[kN];
};
/// A vector of k polynomials.
struct PolyVec {
  Poly p[kMaxK];
};
/// ζ·b₁ products cached for the base-case multiplications of one NTT
/// polynomial b that is multiplied several times (FIPS 203 Alg. 11/12).
struct MulCache {
  alignas(32) std::int16_t c[kN / 2];
};

struct MulCacheVec {
  MulCache m[kMaxK];
};

/// a·R^-1 mod q in (-q, q) for |a| < q·2^15.
[[gnu::always_inline]] constexpr std::int16_t montgomery_reduce(std::int32_t a) noexcept {
  const auto t = static_cast<std::int16_t>(static_cast<std::int16_t>(a) * kQInv);
  return static_cast<std::int16_t>((a - static_cast<std::int32_t>(t) * kQ) >> 16);
}

/// a·b·R^-1 mod q.
[[gnu::always_inline]] constexpr std::int16_t fqmul(std::int16_t a, std::int16_t b) noexcept {
  return montgomery_reduce(static_cast<std::int32_t>(a) * b);
}

/// a mod q, centred: in [-(q-1)/2, (q-1)/2].
[[gnu::always_inline]] constexpr std::int16_t barrett_reduce(std::int16_t a) noexcept {
  constexpr std::int32_t v = ((1 << 26) + kQ / 2) / kQ;
  const std::int32_t t = ((v * a + (1 << 25)) >> 26) * kQ;
  return static_cast<std::int16_t>(a - t);
}

/// a in [0, q) for a in (-q, q): adds q when negative, without a branch.
[[gnu::always_inline]] constexpr std::int16_t to_unsigned(std::int16_t a) noexcept {
  return static_cast<std::int16_t>(a + ((a >> 15) & kQ));
}

namespace zeta_table {
constexpr unsigned bit_reverse7(unsigned i) noexcept {
  unsigned r = 0;
  for (int b = 0; b < 7; ++b) r |= ((i >> b) & 1u) << (6 - b);
  return r;
}
constexpr std::array<std::int16_t, 128> make() noexcept {
  std::array<std::int16_t, 128> z{};
  for (unsigned i = 0; i < 128; ++i) {
    std::int64_t v = 1;
    for (unsigned e = 0; e < bit_reverse7(i); ++e) v = v * 17 % kQ;  // ζ = 17, FIPS 203 §4.3
    v = v * 65536 % kQ;                                              // Montgomery form
    if (v > kQ / 2) v -= kQ;
    z[i] = static_cast<std::int16_t>(v);
  }
  return z;
}
}  // namespace zeta_table

/// ζ^BitRev7(i)·R mod q, centred (the NTT's twiddle factors in Montgomery form).
inline constexpr std::array<std::int16_t, 128> kZetas = zeta_table::make();
static_assert(kZetas[0] == -1044 && kZetas[1] == -758 && kZetas[127] == 1628);

}  // namespace hush::crypto::detail::kem
