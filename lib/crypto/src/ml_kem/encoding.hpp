// ByteEncode/ByteDecode (FIPS 203 Alg. 5/6) and Compress/Decompress (§4.2.1).
// Compression divides by q with a multiplication and a shift, never a
// division instruction (whose time may depend on the secret dividend).
#pragma once

#include "field.hpp"

#include <hush/util/bytes.hpp>

namespace hush::crypto::detail::kem {

/// ByteEncode_d of coefficients already in [0, 2^d) (d ≤ 12): 32·d bytes.
void byte_encode(std::uint8_t* out, const Poly& p, unsigned d) noexcept;
/// ByteDecode_d (d < 12): 32·d bytes to coefficients in [0, 2^d).
void byte_decode(Poly& p, const std::uint8_t* in, unsigned d) noexcept;
/// ByteDecode_12 with the reduction mod q of Alg. 6 (for dk_PKE).
void byte_decode12_reduce(Poly& p, const std::uint8_t* in) noexcept;
/// ByteDecode_12 of an encapsulation-key polynomial; false when a coefficient
/// is ≥ q (the §7.2 modulus check: ek must re-encode to itself).
[[nodiscard]] bool byte_decode12_checked(Poly& p, const std::uint8_t* in) noexcept;

/// ByteEncode_12 of a polynomial with |c| < q (made canonical first).
void encode12(std::uint8_t* out, const Poly& p) noexcept;

/// Compress_d then ByteEncode_d of a polynomial with |c| < q.
void compress_encode(std::uint8_t* out, const Poly& p, unsigned d) noexcept;
/// ByteDecode_d then Decompress_d.
void decode_decompress(Poly& p, const std::uint8_t* in, unsigned d) noexcept;

/// Compress_d(x) = round(2^d·x/q) mod 2^d for x in [0, q): computed as
/// floor((2^d·x + ⌊q/2⌋) / q) with the division done as floor(n·M / 2^48),
/// M = ⌈2^48/q⌉, exact for every n < 2^24 (checked exhaustively by the tests).
template <unsigned D>
[[gnu::always_inline]] inline std::uint16_t compress_d(std::uint16_t x) noexcept {
  constexpr std::uint64_t kM = ((std::uint64_t{1} << 48) + kQ - 1) / kQ;
  const std::uint64_t n = (static_cast<std::uint64_t>(x) << D) + kQ / 2;
  return static_cast<std::uint16_t>(((n * kM) >> 48) & ((1u << D) - 1));
}

/// Compress_d(x) for a run-time d (the exhaustive test).
std::uint16_t compress(std::uint16_t x, unsigned d) noexcept;

}  // namespace hush::crypto::detail::kem
