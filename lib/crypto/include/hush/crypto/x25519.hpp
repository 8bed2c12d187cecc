// X25519 keys (RFC 7748) and Signal's public-key serialization: a type byte
// 0x05 ("DJB") followed by the 32-byte u-coordinate. Public keys parsed from
// outside are validated strictly (see PublicKey::from_raw) so a malicious
// peer cannot force a weak or all-zero shared secret.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <array>
#include <compare>
#include <cstdint>

namespace hush::crypto {

/// Signal's type byte for Curve25519 keys.
inline constexpr std::uint8_t kDjbKeyType = 0x05;
inline constexpr std::size_t kKeySize = 32;
inline constexpr std::size_t kSerializedPublicKeySize = 33;

/// How much a parser checks a public key.
enum class KeyCheck {
  /// Everything: canonical encoding, not of small order, on the curve and in
  /// the prime-order subgroup (one scalar multiplication, about a DH's cost).
  full,
  /// Canonical encoding and not one of the small-order points (cheap). For
  /// keys that are only compared with keys already checked in full, or that
  /// are checked in full before their first DH (check_prime_order()).
  canonical,
};

/// An X25519 public key: public data, freely copied, compared and printed.
class PublicKey {
 public:
  /// Parses Signal's 33-byte form (0x05 ‖ u). Fails with bad_length, bad_key.
  static Result<PublicKey> deserialize(ByteView bytes, KeyCheck check = KeyCheck::full);

  /// Parses a raw 32-byte u-coordinate, refusing any key a peer could use to
  /// weaken a DH: a set high bit, u ≥ p (non-canonical), points of small order,
  /// and (with KeyCheck::full) points on the twist and points with a torsion
  /// component (not in the prime-order subgroup). Fails with bad_length or bad_key.
  static Result<PublicKey> from_raw(ByteView raw, KeyCheck check = KeyCheck::full);

  /// The expensive half of KeyCheck::full, for a key parsed with
  /// KeyCheck::canonical: on the curve and in the prime-order subgroup.
  [[nodiscard]] Status check_prime_order() const;

  /// Wraps a key known to be good (one we derived ourselves); no validation.
  static PublicKey from_trusted(const std::array<std::uint8_t, kKeySize>& raw) noexcept { return PublicKey(raw); }

  /// The 33-byte serialized form (0x05 ‖ u).
  [[nodiscard]] Bytes serialize() const;
  [[nodiscard]] const std::array<std::uint8_t, kKeySize>& raw() const noexcept { return u_; }

  friend bool operator==(const PublicKey&, const PublicKey&) = default;
  friend auto operator<=>(const PublicKey&, const PublicKey&) = default;

 private:
  explicit PublicKey(const std::array<std::uint8_t, kKeySize>& u) noexcept : u_(u) {}
  std::array<std::uint8_t, kKeySize> u_{};
};

/// An X25519 private key (a 32-byte scalar, clamped when used). Wiped on destruction.
class PrivateKey {
 public:
  explicit PrivateKey(SecretBytes<kKeySize> scalar) noexcept : scalar_(std::move(scalar)) {}
  /// From 32 untrusted bytes (a stored record). Fails with bad_length.
  static Result<PrivateKey> from_bytes(ByteView bytes);

  [[nodiscard]] PrivateKey clone() const noexcept { return PrivateKey(scalar_.clone()); }
  /// The public key for this private key (X25519 base-point multiplication).
  [[nodiscard]] PublicKey public_key() const noexcept;
  /// Whether `key` is this private key's public key: the same answer as
  /// `public_key() == key` at about half the cost (a fixed-base Edwards
  /// multiplication compared in Edwards form), for checking stored key pairs.
  [[nodiscard]] bool matches(const PublicKey& key) const noexcept;
  [[nodiscard]] const SecretBytes<kKeySize>& secret() const noexcept { return scalar_; }

 private:
  SecretBytes<kKeySize> scalar_;
};

struct KeyPair {
  PublicKey public_key;
  PrivateKey private_key;

  /// A fresh key pair from `rng`.
  static KeyPair generate(Rng& rng);
  static KeyPair from_private(PrivateKey private_key);
  [[nodiscard]] KeyPair clone() const { return KeyPair{public_key, private_key.clone()}; }
};

/// The output of one X25519 agreement.
using SharedSecret = SecretBytes<kKeySize>;

/// X25519(private, public). Fails with bad_key when the result would be all
/// zeros (a small-order peer key): such an output is never used.
[[nodiscard]] Result<SharedSecret> x25519(const PrivateKey& ours, const PublicKey& theirs);

}  // namespace hush::crypto
