// Kyber pre-keys of PQXDH (signal.org/docs/specifications/pqxdh §3.2, as
// libsignal keeps them): a Kyber1024 (round 3) key pair signed by the identity
// key, one-time or last-resort, and their libsignal wire form (type byte 0x08).
#pragma once

#include <hush/crypto/ml_kem.hpp>
#include <hush/crypto/random.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/signal/identity.hpp>
#include <hush/signal/ids.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>

namespace hush::signal {

using KyberPublicKey = crypto::Kyber1024::PublicKey;
using KyberSecretKey = crypto::Kyber1024::SecretKey;
using KyberCiphertext = crypto::Kyber1024::Ciphertext;

/// libsignal's KEM key type byte for Kyber1024 round 3 (kem.rs: KeyType::Kyber1024).
inline constexpr std::uint8_t kKyberKeyType = 0x08;
/// 0x08 ‖ 1568-byte key: what bundles carry and what the signature covers.
inline constexpr std::size_t kSerializedKyberPublicKeySize = 1 + crypto::Kyber1024::kPublicKeySize;
/// 0x08 ‖ 1568-byte ciphertext: what a version-4 PreKeySignalMessage carries.
inline constexpr std::size_t kSerializedKyberCiphertextSize = 1 + crypto::Kyber1024::kCiphertextSize;

/// 0x08 ‖ key bytes.
[[nodiscard]] Bytes serialize_kyber_public_key(const KyberPublicKey& key);
/// Parses 0x08 ‖ key: bad_length, bad_key (wrong type byte or an unreduced coefficient).
[[nodiscard]] Result<KyberPublicKey> deserialize_kyber_public_key(ByteView bytes);
/// 0x08 ‖ ciphertext bytes.
[[nodiscard]] Bytes serialize_kyber_ciphertext(const KyberCiphertext& ciphertext);
/// Parses 0x08 ‖ ciphertext: bad_length, bad_key (wrong type byte).
[[nodiscard]] Result<KyberCiphertext> deserialize_kyber_ciphertext(ByteView bytes);

/// A Kyber pre-key we published. The secret key embeds the public key.
struct KyberPreKeyRecord {
  KyberPreKeyId id;
  std::uint64_t timestamp_ms = 0;  ///< when it was made (application clock), for rotation
  /// A last-resort key stays after use (PQXDH §3.2: used when the one-time
  /// ones run out); a one-time key is removed after its first use.
  bool last_resort = false;
  KyberSecretKey secret_key;
  crypto::Signature signature{};  ///< XEdDSA by the identity key over serialize_kyber_public_key(public)

  [[nodiscard]] KyberPublicKey public_key() const { return secret_key.public_key(); }
  [[nodiscard]] KyberPreKeyRecord clone() const {
    return {id, timestamp_ms, last_resort, secret_key.clone(), signature};
  }
  /// Our storage format (proto/signal_storage.proto KyberPreKeyRecordProto,
  /// with an integrity digest); the result holds the secret key.
  [[nodiscard]] SecretBuffer serialize() const;
  /// Fails with decode_error, unsupported_version, bad_length or bad_key (a
  /// damaged record: digest or key check).
  static Result<KyberPreKeyRecord> deserialize(ByteView bytes);
};

/// A fresh Kyber pre-key signed by `identity`.
KyberPreKeyRecord generate_kyber_pre_key(const IdentityKeyPair& identity, KyberPreKeyId id, std::uint64_t timestamp_ms,
                                         bool last_resort, crypto::Rng& rng);

/// Whether `signature` is identity's XEdDSA signature over 0x08 ‖ key.
[[nodiscard]] bool kyber_signature_valid(const IdentityKey& identity, const KyberPublicKey& key,
                                         const crypto::Signature& signature) noexcept;

}  // namespace hush::signal
