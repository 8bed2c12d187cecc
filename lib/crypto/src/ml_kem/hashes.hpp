// The hash functions of FIPS 203 §4.1 over OpenSSL's Keccak (EVP): H =
// SHA3-256, G = SHA3-512, J and PRF = SHAKE256, XOF = SHAKE128. Algorithms
// are fetched once; each thread reuses one context per function, re-initialised
// after every use so no secret-derived Keccak state stays behind.
#pragma once

#include <hush/util/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace hush::crypto::detail::kem {

/// SHA3-256 of the concatenated parts.
void sha3_256(std::initializer_list<ByteView> parts, std::uint8_t out[32]) noexcept;
/// SHA3-512 of the concatenated parts.
void sha3_512(std::initializer_list<ByteView> parts, std::uint8_t out[64]) noexcept;
/// The first out.size() bytes of SHAKE256 of the concatenated parts.
void shake256(std::initializer_list<ByteView> parts, MutableByteView out) noexcept;
/// The first out.size() bytes of SHAKE128 of the concatenated parts. OpenSSL
/// 3.0 squeezes once per context (no EVP_DigestSqueeze before 3.3), so a
/// caller that needs more output asks again for a longer prefix.
void shake128(std::initializer_list<ByteView> parts, MutableByteView out) noexcept;

}  // namespace hush::crypto::detail::kem
