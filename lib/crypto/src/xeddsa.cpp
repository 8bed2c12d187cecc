// XEdDSA signing and verification through libxeddsa.
#include <hush/crypto/init.hpp>
#include <hush/crypto/xeddsa.hpp>

#include <sodium.h>
#include <xeddsa.h>

#include <cstring>
#include <limits>

namespace hush::crypto {

XeddsaSigner::XeddsaSigner(const PrivateKey& key) noexcept {
  ensure_initialized();
  // XEdDSA §2.3 calculate_key_pair: negate the scalar if needed so the
  // Edwards public key has sign bit 0.
  priv_force_sign(edwards_scalar_.expose_mut().data(), key.secret().expose().data(), false);
}

Signature XeddsaSigner::sign(ByteView message, Rng& rng) const noexcept {
  HUSH_CHECK(message.size() <= std::numeric_limits<std::uint32_t>::max());
  SecretBytes<64> nonce;
  rng.fill(nonce.expose_mut());
  Signature sig{};
  ed25519_priv_sign(sig.data(), edwards_scalar_.expose().data(), message.data(),
                    static_cast<std::uint32_t>(message.size()), nonce.expose().data());
  return sig;
}

Signature xeddsa_sign(const PrivateKey& key, ByteView message, Rng& rng) noexcept {
  return XeddsaSigner(key).sign(message, rng);
}

namespace {

// Verifies with the key already in Edwards form (y, sign bit from the signature).
bool verify_edwards(const std::uint8_t* edwards, ByteView message, ByteView signature) noexcept {
  std::uint8_t sig[kSignatureSize];
  std::memcpy(sig, signature.data(), kSignatureSize);
  sig[63] &= 0x7f;
  return ed25519_verify(sig, edwards, message.data(), static_cast<std::uint32_t>(message.size())) == 0;
}

// libsignal carries the Edwards sign bit in the (otherwise always zero) top
// bit of S; the specification's signatures have it clear.
bool sign_bit_of(ByteView signature) noexcept {
  return (signature[63] & 0x80) != 0;
}

bool acceptable_lengths(ByteView message, ByteView signature) noexcept {
  return signature.size() == kSignatureSize && message.size() <= std::numeric_limits<std::uint32_t>::max();
}

}  // namespace

bool xeddsa_verify(const PublicKey& key, ByteView message, ByteView signature) noexcept {
  ensure_initialized();
  if (!acceptable_lengths(message, signature)) return false;
  std::uint8_t edwards[32];
  curve25519_pub_to_ed25519_pub(edwards, key.raw().data(), sign_bit_of(signature));
  return verify_edwards(edwards, message, signature);
}

Result<bool> xeddsa_verify_and_check_key(const PublicKey& key, ByteView message, ByteView signature) noexcept {
  ensure_initialized();
  if (!acceptable_lengths(message, signature)) return false;
  std::uint8_t edwards[32];
  curve25519_pub_to_ed25519_pub(edwards, key.raw().data(), sign_bit_of(signature));
  if (!verify_edwards(edwards, message, signature)) return false;
  // PublicKey::check_prime_order() on the same Edwards y (the sign bit does
  // not change subgroup membership: -P is in it exactly when P is).
  edwards[31] &= 0x7f;
  if (crypto_core_ed25519_is_valid_point(edwards) != 1) {
    return make_error(Errc::bad_key, "x25519 public key not in the prime-order subgroup");
  }
  return true;
}

}  // namespace hush::crypto
