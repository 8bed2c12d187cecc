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

// The canonical u-coordinates of the points of small order on Curve25519 and
// its twist (0, 1, the two of order 8, and p - 1).
constexpr std::array<std::array<std::uint8_t, kKeySize>, 4> kSmallOrder = {{
    {0},
    {1},
    {0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
     0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00},
    {0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef, 0x5b,
     0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f, 0x11, 0x57},
}};

Result<PublicKey> PublicKey::from_raw(ByteView raw, KeyCheck check) {
  ensure_initialized();
  if (raw.size() != kKeySize) return make_error(Errc::bad_length, "x25519 public key length");
  std::array<std::uint8_t, kKeySize> u{};
  std::memcpy(u.data(), raw.data(), kKeySize);
  if ((u[31] & 0x80) != 0) return make_error(Errc::bad_key, "x25519 public key high bit set");
  if (!below_field_prime(u.data())) return make_error(Errc::bad_key, "x25519 public key not canonical");
  std::array<std::uint8_t, kKeySize> minus_one = kFieldPrime;
  minus_one[0] -= 1;
  if (u == minus_one) return make_error(Errc::bad_key, "x25519 public key of small order");
  for (const auto& bad : kSmallOrder) {
    if (u == bad) return make_error(Errc::bad_key, "x25519 public key of small order");
  }
  PublicKey key(u);
  if (check == KeyCheck::full) HUSH_TRY(key.check_prime_order());
  return key;
}

Status PublicKey::check_prime_order() const {
  ensure_initialized();
  // Map to Edwards (y = (u-1)/(u+1)) and require a point on the curve, of
  // large prime order: this refuses twist points and torsion-shifted points.
  std::array<std::uint8_t, kKeySize> edwards{};
  curve25519_pub_to_ed25519_pub(edwards.data(), u_.data(), false);
  if (crypto_core_ed25519_is_valid_point(edwards.data()) != 1) {
    return make_error(Errc::bad_key, "x25519 public key not in the prime-order subgroup");
  }
  return ok();
}

Result<PublicKey> PublicKey::deserialize(ByteView bytes, KeyCheck check) {
  if (bytes.size() != kSerializedPublicKeySize) return make_error(Errc::bad_length, "serialized public key length");
  if (bytes[0] != kDjbKeyType) return make_error(Errc::bad_key, "public key type byte");
  return from_raw(bytes.subspan(1), check);
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

bool PrivateKey::matches(const PublicKey& key) const noexcept {
  ensure_initialized();
  // [s]B on Edwards25519 with s clamped as X25519 clamps it: the image of
  // X25519(s, 9) under the birational map y = (u - 1) / (u + 1), which is a
  // bijection on the keys from_raw accepts (u = p - 1 is refused there).
  std::array<std::uint8_t, kKeySize> ours{};
  if (crypto_scalarmult_ed25519_base(ours.data(), scalar_.expose().data()) != 0) {
    // libsodium refuses an all-zero scalar here; X25519 accepts it.
    return public_key() == key;
  }
  std::array<std::uint8_t, kKeySize> theirs{};
  curve25519_pub_to_ed25519_pub(theirs.data(), key.raw().data(), false);
  // Compare y only: the top bit is the sign of x, which u does not carry.
  ours[31] &= 0x7f;
  theirs[31] &= 0x7f;
  return ours == theirs;  // public values: an ordinary compare is fine
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
