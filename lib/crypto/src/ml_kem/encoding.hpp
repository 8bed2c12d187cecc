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

/// Compress_d(x) for x in [0, q) (exposed for the exhaustive test).
std::uint16_t compress(std::uint16_t x, unsigned d) noexcept;

}  // namespace hush::crypto::detail::kem
