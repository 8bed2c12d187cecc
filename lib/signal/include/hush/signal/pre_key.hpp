// Pre-keys: one-time pre-keys, signed pre-keys, and the bundle a server hands
// out so that someone offline can be reached (X3DH, signal.org/docs/x3dh §3).
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/signal/identity.hpp>
#include <hush/signal/ids.hpp>
#include <hush/signal/kyber_pre_key.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace hush::signal {

struct PreKeyRecord {
  PreKeyId id;
  crypto::KeyPair key_pair;

  [[nodiscard]] PreKeyRecord clone() const { return {id, key_pair.clone()}; }
  /// Serialized with our storage schema; the result holds a private key.
  [[nodiscard]] SecretBuffer serialize() const;
  static Result<PreKeyRecord> deserialize(ByteView bytes);
};

struct SignedPreKeyRecord {
  SignedPreKeyId id;
  std::uint64_t timestamp_ms = 0;  ///< when it was made (application clock), for rotation
  crypto::KeyPair key_pair;
  crypto::Signature signature{};  ///< XEdDSA by the identity key over key_pair.public_key.serialize()

  [[nodiscard]] SignedPreKeyRecord clone() const { return {id, timestamp_ms, key_pair.clone(), signature}; }
  [[nodiscard]] SecretBuffer serialize() const;
  static Result<SignedPreKeyRecord> deserialize(ByteView bytes);
};

/// The Kyber pre-key a bundle carries (PQXDH): with it, a session is set up
/// with PQXDH and speaks message version 4.
struct BundleKyberPreKey {
  KyberPreKeyId id;
  KyberPublicKey public_key;
  crypto::Signature signature{};  ///< XEdDSA by the identity key over 0x08 ‖ public_key
};

/// What a device publishes so that others can start a session with it.
struct PreKeyBundle {
  RegistrationId registration_id;
  DeviceId device_id;
  std::optional<PreKeyId> pre_key_id;
  std::optional<crypto::PublicKey> pre_key;
  SignedPreKeyId signed_pre_key_id;
  crypto::PublicKey signed_pre_key;
  crypto::Signature signed_pre_key_signature{};
  IdentityKey identity_key;
  /// Present: PQXDH, message version 4. Absent: X3DH, version 3 (refused
  /// when the session it would replace is version 4: no downgrade).
  std::optional<BundleKyberPreKey> kyber_pre_key{};

  /// Whether the signed pre-key's signature verifies under identity_key.
  [[nodiscard]] bool signature_valid() const noexcept;
};

/// `count` one-time pre-keys with ids start, start+1, … (wrapping modulo
/// kPreKeyIdModulus, never 0).
std::vector<PreKeyRecord> generate_pre_keys(std::uint32_t start, std::uint32_t count, crypto::Rng& rng);

/// A fresh signed pre-key, signed by `identity`.
SignedPreKeyRecord generate_signed_pre_key(const IdentityKeyPair& identity, SignedPreKeyId id,
                                           std::uint64_t timestamp_ms, crypto::Rng& rng);

}  // namespace hush::signal
