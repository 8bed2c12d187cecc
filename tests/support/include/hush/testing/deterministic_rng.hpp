// A seeded, reproducible Rng for tests, fuzzers and benchmarks: a ChaCha20
// keystream (libsodium) keyed by the seed. Never use outside tests.
#pragma once

#include <hush/crypto/random.hpp>

#include <array>
#include <cstdint>

namespace hush::testing {

class DeterministicRng final : public crypto::Rng {
 public:
  explicit DeterministicRng(std::uint64_t seed) noexcept;
  void fill(MutableByteView out) noexcept override;

 private:
  std::array<std::uint8_t, 32> key_{};
  std::uint32_t block_ = 0;  ///< next unused 64-byte keystream block
};

}  // namespace hush::testing
