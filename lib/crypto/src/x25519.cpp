// X25519 through libsodium; strict public-key validation using libxeddsa's
// Montgomery→Edwards map and libsodium's subgroup check.
#include <hush/crypto/init.hpp>
#include <hush/crypto/x25519.hpp>

#include <sodium.h>
#include <xeddsa.h>

#include <algorithm>
#include <cstring>

namespace hush::crypto {

namespace {

// p = 2^255 - 19, little-endian.
constexpr std::array<std::uint8_t, kKeySize> kFieldPrime = {
    0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};

// Is the little-endian number u below p? Public data, so an ordinary compare is fine.
bool below_field_prime(const std::uint8_t* u) noexcept {
  for (int i = kKeySize - 1; i >= 0; --i) {
    if (u[i] != kFieldPrime[i]) return u[i] < kFieldPrime[i];
  }
  return false;  // equal to p
}

}  // namespace

Result<PublicKey> PublicKey::from_raw(ByteView raw) {
  ensure_initialized();
  if (raw.size() != kKeySize) return make_error(Errc::bad_length, "x25519 public key length");
  std::array<std::uint8_t, kKeySize> u{};
  std::memcpy(u.data(), raw.data(), kKeySize);
  if ((u[31] & 0x80) != 0) return make_error(Errc::bad_key, "x25519 public key high bit set");
  if (!below_field_prime(u.data())) return make_error(Errc::bad_key, "x25519 public key not canonical");
  // u = -1 has no Edwards image; the map below would send it to y = 0.
  std::array<std::uint8_t, kKeySize> minus_one = kFieldPrime;
  minus_one[0] -= 1;
  if (u == minus_one) return make_error(Errc::bad_key, "x25519 public key of small order");
  // Map to Edwards (y = (u-1)/(u+1)) and require a point on the curve, of
  // large prime order: this refuses small-order points, twist points and
  // torsion-shifted points in one check.
  std::array<std::uint8_t, kKeySize> edwards{};
  curve25519_pub_to_ed25519_pub(edwards.data(), u.data(), false);
  if (crypto_core_ed25519_is_valid_point(edwards.data()) != 1) {
    return make_error(Errc::bad_key, "x25519 public key not in the prime-order subgroup");
  }
  return PublicKey(u);
}

Result<PublicKey> PublicKey::deserialize(ByteView bytes) {
  if (bytes.size() != kSerializedPublicKeySize) return make_error(Errc::bad_length, "serialized public key length");
  if (bytes[0] != kDjbKeyType) return make_error(Errc::bad_key, "public key type byte");
  return from_raw(bytes.subspan(1));
}

Bytes PublicKey::serialize() const {
  Bytes out(kSerializedPublicKeySize);
  out[0] = kDjbKeyType;
  std::copy(u_.begin(), u_.end(), out.begin() + 1);
  return out;
}

Result<PrivateKey> PrivateKey::from_bytes(ByteView bytes) {
  if (bytes.size() != kKeySize) return make_error(Errc::bad_length, "x25519 private key length");
  return PrivateKey(SecretBytes<kKeySize>::from(bytes));
}

PublicKey PrivateKey::public_key() const noexcept {
  ensure_initialized();
  std::array<std::uint8_t, kKeySize> u{};
  // libsodium clamps the scalar internally.
  crypto_scalarmult_curve25519_base(u.data(), scalar_.expose().data());
  return PublicKey::from_trusted(u);
}

KeyPair KeyPair::generate(Rng& rng) {
  SecretBytes<kKeySize> scalar;
  rng.fill(scalar.expose_mut());
  // Clamp as RFC 7748 §5 decodeScalar25519 does, so the stored private key
  // equals libsignal's (which clamps at generation too).
  auto s = scalar.expose_mut();
  s[0] &= 248;
  s[31] &= 127;
  s[31] |= 64;
  return from_private(PrivateKey(std::move(scalar)));
}

KeyPair KeyPair::from_private(PrivateKey private_key) {
  PublicKey pub = private_key.public_key();
  return KeyPair{pub, std::move(private_key)};
}

Result<SharedSecret> x25519(const PrivateKey& ours, const PublicKey& theirs) {
  ensure_initialized();
  SharedSecret out;
  // crypto_scalarmult returns -1 when the output is all zeros.
  if (crypto_scalarmult_curve25519(out.expose_mut().data(), ours.secret().expose().data(), theirs.raw().data()) != 0) {
    return make_error(Errc::bad_key, "x25519 output is all zeros");
  }
  return out;
}

}  // namespace hush::crypto
