#include <hush/crypto/init.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <sodium.h>

#include <cstring>

namespace hush::testing {

DeterministicRng::DeterministicRng(std::uint64_t seed) noexcept {
  crypto::ensure_initialized();
  std::memcpy(key_.data(), &seed, sizeof seed);
}

void DeterministicRng::fill(MutableByteView out) noexcept {
  if (out.empty()) return;
  std::memset(out.data(), 0, out.size());
  static const std::uint8_t kNonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {};
  crypto_stream_chacha20_ietf_xor_ic(out.data(), out.data(), out.size(), kNonce, block_, key_.data());
  block_ += static_cast<std::uint32_t>((out.size() + 63) / 64);
}

}  // namespace hush::testing
