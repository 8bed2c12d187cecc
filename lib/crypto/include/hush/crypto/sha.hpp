// SHA-256 and SHA-512 (FIPS 180-4) through OpenSSL's EVP digests.
#pragma once

#include <hush/util/bytes.hpp>

#include <array>
#include <cstdint>

namespace hush::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;
using Sha512Digest = std::array<std::uint8_t, 64>;

[[nodiscard]] Sha256Digest sha256(ByteView data);
[[nodiscard]] Sha512Digest sha512(ByteView data);

/// Streaming SHA-512 (Signal's fingerprints hash thousands of times over
/// inputs built in parts).
class Sha512 {
 public:
  Sha512();
  Sha512(const Sha512&) = delete;
  Sha512& operator=(const Sha512&) = delete;
  ~Sha512();

  Sha512& update(ByteView data);
  /// Returns the digest and resets the object for a new message.
  [[nodiscard]] Sha512Digest finish();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace hush::crypto
