// Randomness is a parameter everywhere in libhush (a protocol core that
// reaches for OS randomness on its own cannot be tested deterministically).
// SystemRng is libsodium's CSPRNG; tests use a seeded deterministic Rng.
#pragma once

#include <hush/util/bytes.hpp>

#include <cstdint>

namespace hush::crypto {

/// A source of random bytes. Implementations must be cryptographically secure
/// outside tests.
class Rng {
 public:
  virtual ~Rng() = default;
  /// Fills `out` with random bytes. Never fails.
  virtual void fill(MutableByteView out) noexcept = 0;

  /// A uniformly random integer in [0, upper_bound); upper_bound > 0.
  std::uint32_t uniform(std::uint32_t upper_bound) noexcept;
};

/// The operating system's CSPRNG through libsodium (randombytes_buf).
class SystemRng final : public Rng {
 public:
  SystemRng();
  void fill(MutableByteView out) noexcept override;
};

/// A process-wide SystemRng, for applications that need no other.
Rng& system_rng();

}  // namespace hush::crypto
