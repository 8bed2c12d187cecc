// XEdDSA (signal.org/docs/specifications/xeddsa): Ed25519-compatible
// signatures made with an X25519 key pair, through libxeddsa. Signatures are
// those of libsignal: the Edwards sign bit travels in the top bit of the
// last signature byte, so verify() accepts both libsignal-protocol-c's
// signatures (either sign) and the specification's (always sign 0, which is
// what sign() produces).
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/secret.hpp>

#include <array>
#include <cstdint>

namespace hush::crypto {

inline constexpr std::size_t kSignatureSize = 64;
using Signature = std::array<std::uint8_t, kSignatureSize>;

/// A signing key kept in the Edwards form libxeddsa signs with, so repeated
/// signatures (sender keys, signed pre-keys) skip the conversion.
class XeddsaSigner {
 public:
  explicit XeddsaSigner(const PrivateKey& key) noexcept;
  /// Signs `message` with 64 fresh random bytes from `rng` as the nonce.
  [[nodiscard]] Signature sign(ByteView message, Rng& rng) const noexcept;

 private:
  SecretBytes<kKeySize> edwards_scalar_;
};

/// One-off XEdDSA signature.
[[nodiscard]] Signature xeddsa_sign(const PrivateKey& key, ByteView message, Rng& rng) noexcept;

/// Verifies an XEdDSA signature. Any length other than 64 is refused.
[[nodiscard]] bool xeddsa_verify(const PublicKey& key, ByteView message, ByteView signature) noexcept;

/// xeddsa_verify() and, when the signature verifies, key.check_prime_order(),
/// sharing the key's one conversion to Edwards form. Returns whether the
/// signature verifies; fails with bad_key if it does but the key is not in the
/// prime-order subgroup (for a key about to be used in a DH as well).
[[nodiscard]] Result<bool> xeddsa_verify_and_check_key(const PublicKey& key, ByteView message,
                                                       ByteView signature) noexcept;

}  // namespace hush::crypto
