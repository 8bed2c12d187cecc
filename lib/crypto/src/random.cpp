// The system CSPRNG (libsodium) behind the Rng interface.
#include <hush/crypto/init.hpp>
#include <hush/crypto/random.hpp>

#include <sodium.h>

namespace hush::crypto {

std::uint32_t Rng::uniform(std::uint32_t upper_bound) noexcept {
  HUSH_CHECK(upper_bound > 0);
  // Rejection sampling: draw until the value falls below the largest multiple
  // of upper_bound, so every residue is equally likely.
  const std::uint32_t limit = static_cast<std::uint32_t>(-upper_bound) % upper_bound;
  for (;;) {
    std::uint32_t v = 0;
    fill(MutableByteView(reinterpret_cast<std::uint8_t*>(&v), sizeof v));
    if (v >= limit) return v % upper_bound;
  }
}

SystemRng::SystemRng() {
  ensure_initialized();
}

void SystemRng::fill(MutableByteView out) noexcept {
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

Rng& system_rng() {
  static SystemRng rng;
  return rng;
}

}  // namespace hush::crypto
