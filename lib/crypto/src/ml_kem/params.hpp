// Parameter sets (FIPS 203 §8, Table 2) as run-time values for the shared
// K-PKE and ML-KEM code, and the sizes they imply.
#pragma once

#include <hush/crypto/ml_kem.hpp>

#include <cstddef>

namespace hush::crypto::detail::kem {

struct Params {
  std::size_t k;
  unsigned eta1;
  unsigned eta2;
  unsigned du;
  unsigned dv;
  /// Kyber round 3 rather than FIPS 203 (see kyber_r3.cpp for what differs).
  bool round3;
  /// K-PKE.KeyGen hashes G(d ‖ k) (FIPS 203 final) rather than G(d) (round 3
  /// and the FIPS 203 draft, whose intermediate-value vectors tests still check).
  bool keygen_hashes_k;

  [[nodiscard]] constexpr std::size_t pke_secret_size() const noexcept { return 384 * k; }
  [[nodiscard]] constexpr std::size_t public_key_size() const noexcept { return 384 * k + 32; }
  [[nodiscard]] constexpr std::size_t secret_key_size() const noexcept { return 768 * k + 96; }
  [[nodiscard]] constexpr std::size_t u_size() const noexcept { return 32 * du * k; }
  [[nodiscard]] constexpr std::size_t ciphertext_size() const noexcept { return 32 * (du * k + dv); }
};

constexpr Params params_of(KemAlgorithm a) noexcept {
  switch (a) {
    case KemAlgorithm::ml_kem_512:
      return {2, 3, 2, 10, 4, false, true};
    case KemAlgorithm::ml_kem_768:
      return {3, 2, 2, 10, 4, false, true};
    case KemAlgorithm::ml_kem_1024:
      return {4, 2, 2, 11, 5, false, true};
    case KemAlgorithm::kyber1024_r3:
      return {4, 2, 2, 11, 5, true, false};
  }
  return {};
}

}  // namespace hush::crypto::detail::kem
