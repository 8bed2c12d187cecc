// Sampling (FIPS 203 §4.2.2): SampleNTT, the rejection sampling of the
// public matrix Â from SHAKE128, and SamplePolyCBD_η, the secret noise from
// SHAKE256 (PRF_η).
#pragma once

#include "field.hpp"

#include <cstdint>

namespace hush::crypto::detail::kem {

/// Â (or Âᵀ when `transposed`) from ρ: row i, column j is SampleNTT(ρ ‖ j ‖ i)
/// (Alg. 13 step 6; transposed: SampleNTT(ρ ‖ i ‖ j), Alg. 14 step 6–8).
void sample_matrix(PolyVec* rows, const std::uint8_t rho[32], std::size_t k, bool transposed) noexcept;

/// The same matrix k×k row-major: m[i·k + j] is row i, column j.
void sample_matrix_flat(Poly* m, const std::uint8_t rho[32], std::size_t k, bool transposed) noexcept;

/// SampleNTT (Alg. 7) of XOF(seed34). Reads as much of the stream as the
/// rejections need; the amount depends only on public input.
void sample_ntt(Poly& p, const std::uint8_t seed34[34]) noexcept;

/// SamplePolyCBD_η(PRF_η(σ, n)) (Alg. 8 and §4.1), η ∈ {2, 3}.
void sample_cbd(Poly& p, const std::uint8_t sigma[32], std::uint8_t n, unsigned eta) noexcept;

}  // namespace hush::crypto::detail::kem
