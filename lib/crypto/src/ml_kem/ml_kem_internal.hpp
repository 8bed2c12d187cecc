// The byte-level KEM algorithms shared by every parameter set: ML-KEM
// (FIPS 203 §6, ml_kem_internal.cpp) and the Kyber round 3 variant
// (kyber_r3.cpp). The typed API (kem.cpp) validates inputs first.
#pragma once

#include "field.hpp"
#include "params.hpp"

#include <cstdint>

namespace hush::crypto::detail::kem {

/// ML-KEM.KeyGen_internal (Alg. 16), identical in round 3 but for G (k_pke.hpp):
/// ek (384k+32 bytes), dk = dk_PKE ‖ ek ‖ H(ek) ‖ z (768k+96 bytes), and,
/// when at_out is not null, the k×k matrix Âᵀ it sampled (see k_pke.hpp).
void keygen_internal(const Params& params, const std::uint8_t d[32], const std::uint8_t z[32], std::uint8_t* ek,
                     std::uint8_t* dk, Poly* at_out = nullptr) noexcept;

// In what follows, `at` is ek's matrix Âᵀ (k×k, row-major) cached by the key
// object, or null to sample it from ek's ρ.

/// ML-KEM.Encaps_internal (Alg. 17): ciphertext c and shared secret K.
/// h_ek is H(ek), which the PublicKey caches.
void ml_kem_encaps(const Params& params, const std::uint8_t* ek, const std::uint8_t h_ek[32], const Poly* at,
                   const std::uint8_t m[32], std::uint8_t* c, std::uint8_t k_out[32]) noexcept;
/// ML-KEM.Decaps_internal (Alg. 18).
void ml_kem_decaps(const Params& params, const std::uint8_t* dk, const Poly* at, const std::uint8_t* c,
                   std::uint8_t k_out[32]) noexcept;

/// Kyber round 3 crypto_kem_enc with the raw randomness m given; h_ek = H(ek).
void kyber_r3_encaps(const Params& params, const std::uint8_t* ek, const std::uint8_t h_ek[32], const Poly* at,
                     const std::uint8_t m[32], std::uint8_t* c, std::uint8_t k_out[32]) noexcept;
/// Kyber round 3 crypto_kem_dec.
void kyber_r3_decaps(const Params& params, const std::uint8_t* dk, const Poly* at, const std::uint8_t* c,
                     std::uint8_t k_out[32]) noexcept;

/// Re-encrypts m' under dk's ek with coins r' and returns 0xFF when the result
/// differs from c (0 when equal), in constant time: the FO check both
/// variants share.
std::uint8_t reencrypt_differs(const Params& params, const std::uint8_t* dk, const Poly* at, const std::uint8_t* c,
                               const std::uint8_t m[32], const std::uint8_t r[32]) noexcept;

}  // namespace hush::crypto::detail::kem
