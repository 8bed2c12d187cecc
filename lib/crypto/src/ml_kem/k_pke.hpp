// K-PKE (FIPS 203 §5): the CPA-secure public-key encryption under ML-KEM and
// Kyber. Inputs are already validated by the caller (lengths, ek modulus check).
#pragma once

#include "field.hpp"
#include "params.hpp"

#include <cstdint>

namespace hush::crypto::detail::kem {

/// K-PKE.KeyGen (Alg. 13) from d; writes ek (384k+32 bytes) and dk_PKE (384k).
/// FIPS 203 hashes G(d ‖ k); round 3 hashes G(d) (Params::keygen_hashes_k).
/// When at_out is not null, also writes the matrix it sampled, transposed as
/// K-PKE.Encrypt uses it: at_out[i·k + j] = Â[j][i] (k² polynomials).
void k_pke_keygen(const Params& params, const std::uint8_t d[32], std::uint8_t* ek, std::uint8_t* dk,
                  Poly* at_out = nullptr) noexcept;

/// K-PKE.Encrypt (Alg. 14) of the 32-byte message m with randomness r. `at`
/// is Âᵀ of ek in that layout (as the key objects cache it), or null to
/// sample it from ek's ρ here.
void k_pke_encrypt(const Params& params, const std::uint8_t* ek, const Poly* at, const std::uint8_t m[32],
                   const std::uint8_t r[32], std::uint8_t* c) noexcept;

/// K-PKE.Decrypt (Alg. 15).
void k_pke_decrypt(const Params& params, const std::uint8_t* dk, const std::uint8_t* c, std::uint8_t m[32]) noexcept;

}  // namespace hush::crypto::detail::kem
