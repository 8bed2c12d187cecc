// The two 1:1 wire messages of Signal versions 3 (byte-compatible with
// libsignal-protocol-c) and 4 (PQXDH, byte-compatible with libsignal 0.103).
// Parsing is complete before use: a message object exists only once its
// version, protobuf, required fields and keys are valid, and it keeps its
// original bytes for the MAC check.
#pragma once

#include <hush/crypto/x25519.hpp>
#include <hush/signal/constants.hpp>
#include <hush/signal/identity.hpp>
#include <hush/signal/ids.hpp>
#include <hush/signal/kyber_pre_key.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <array>
#include <optional>

namespace hush::signal {

/// Wire type numbers as libsignal-protocol-c uses them (CIPHERTEXT_*_TYPE).
enum class MessageType : int { whisper = 2, pre_key = 3, sender_key = 4, sender_key_distribution = 5 };

class SignalMessage {
 public:
  /// Builds and MACs a message: version ‖ protobuf ‖ MAC, where
  /// MAC = HMAC-SHA256(mac_key, sender identity ‖ receiver identity ‖ version ‖ protobuf)[0..8].
  /// `version` is 3 or 4 (the version byte (v << 4) | v); `pq_ratchet` is the
  /// version-4 SPQR message, written as field 5 when not empty; `addresses`,
  /// when not empty, libsignal's field 6 (bound_addresses.hpp).
  static SignalMessage create(std::uint8_t version, const crypto::PublicKey& ratchet_key, std::uint32_t counter,
                              std::uint32_t previous_counter, Bytes ciphertext, ByteView mac_key,
                              const IdentityKey& sender_identity, const IdentityKey& receiver_identity,
                              ByteView pq_ratchet = {}, ByteView addresses = {});

  /// Parses. Fails with bad_length (too short), unsupported_version,
  /// decode_error (protobuf or missing field) or bad_key.
  static Result<SignalMessage> deserialize(ByteView bytes);

  /// Checks the MAC in constant time.
  [[nodiscard]] bool verify_mac(const IdentityKey& sender_identity, const IdentityKey& receiver_identity,
                                ByteView mac_key) const;

  [[nodiscard]] std::uint8_t version() const noexcept { return version_; }
  [[nodiscard]] const crypto::PublicKey& ratchet_key() const noexcept { return ratchet_key_; }
  [[nodiscard]] std::uint32_t counter() const noexcept { return counter_; }
  [[nodiscard]] std::uint32_t previous_counter() const noexcept { return previous_counter_; }
  [[nodiscard]] ByteView ciphertext() const noexcept { return slice(ciphertext_); }
  /// The SPQR message (field 5); empty in version 3 and while SPQR is not running.
  [[nodiscard]] ByteView pq_ratchet() const noexcept { return slice(pq_ratchet_); }
  /// libsignal's field 6 (sender and recipient, bound_addresses.hpp), when
  /// present, in any length: checked against the expected bytes, never parsed.
  [[nodiscard]] const std::optional<Bytes>& addresses() const noexcept { return addresses_; }
  [[nodiscard]] const Bytes& serialized() const noexcept { return serialized_; }

 private:
  /// Where a field's bytes sit in serialized_: the message keeps one buffer,
  /// and its fields are views of it (no copy, no allocation per field).
  struct Slice {
    std::size_t offset = 0;
    std::size_t size = 0;
  };
  SignalMessage(std::uint8_t version, crypto::PublicKey ratchet_key, std::uint32_t counter, std::uint32_t previous,
                Slice ciphertext, Slice pq_ratchet, std::optional<Bytes> addresses, Bytes serialized)
      : version_(version),
        ratchet_key_(ratchet_key),
        counter_(counter),
        previous_counter_(previous),
        ciphertext_(ciphertext),
        pq_ratchet_(pq_ratchet),
        addresses_(std::move(addresses)),
        serialized_(std::move(serialized)) {}
  [[nodiscard]] ByteView slice(Slice s) const noexcept { return ByteView(serialized_).subspan(s.offset, s.size); }

  std::uint8_t version_;
  crypto::PublicKey ratchet_key_;
  std::uint32_t counter_;
  std::uint32_t previous_counter_;
  Slice ciphertext_;
  Slice pq_ratchet_;
  std::optional<Bytes> addresses_;
  Bytes serialized_;
};

/// The Kyber part of a version-4 pre-key message.
struct KyberPayload {
  KyberPreKeyId id;
  KyberCiphertext ciphertext;
};

class PreKeySignalMessage {
 public:
  /// Version 4 exactly when `kyber` is given (the inner message's version must match).
  static PreKeySignalMessage create(RegistrationId registration_id, std::optional<PreKeyId> pre_key_id,
                                    SignedPreKeyId signed_pre_key_id, const crypto::PublicKey& base_key,
                                    const IdentityKey& identity_key, SignalMessage message,
                                    std::optional<KyberPayload> kyber = std::nullopt);

  /// Parses the outer message and the SignalMessage inside it. A version-4
  /// message must carry both Kyber fields and a version-3 message neither
  /// (invalid_message otherwise).
  static Result<PreKeySignalMessage> deserialize(ByteView bytes);

  [[nodiscard]] std::uint8_t version() const noexcept { return version_; }
  [[nodiscard]] RegistrationId registration_id() const noexcept { return registration_id_; }
  [[nodiscard]] std::optional<PreKeyId> pre_key_id() const noexcept { return pre_key_id_; }
  [[nodiscard]] SignedPreKeyId signed_pre_key_id() const noexcept { return signed_pre_key_id_; }
  /// Version 4: the Kyber pre-key id and ciphertext.
  [[nodiscard]] const std::optional<KyberPayload>& kyber() const noexcept { return kyber_; }
  [[nodiscard]] const crypto::PublicKey& base_key() const noexcept { return base_key_; }
  [[nodiscard]] const IdentityKey& identity_key() const noexcept { return identity_key_; }
  [[nodiscard]] const SignalMessage& message() const noexcept { return message_; }
  [[nodiscard]] const Bytes& serialized() const noexcept { return serialized_; }

 private:
  PreKeySignalMessage(std::uint8_t version, RegistrationId reg, std::optional<PreKeyId> pre_key_id,
                      SignedPreKeyId signed_id, std::optional<KyberPayload> kyber, crypto::PublicKey base_key,
                      IdentityKey identity, SignalMessage message, Bytes serialized)
      : version_(version),
        registration_id_(reg),
        pre_key_id_(pre_key_id),
        signed_pre_key_id_(signed_id),
        kyber_(std::move(kyber)),
        base_key_(base_key),
        identity_key_(identity),
        message_(std::move(message)),
        serialized_(std::move(serialized)) {}

  std::uint8_t version_;
  RegistrationId registration_id_;
  std::optional<PreKeyId> pre_key_id_;
  SignedPreKeyId signed_pre_key_id_;
  std::optional<KyberPayload> kyber_;
  crypto::PublicKey base_key_;
  IdentityKey identity_key_;
  SignalMessage message_;
  Bytes serialized_;
};

/// What encrypt() returns: the wire type and the bytes to send.
struct CiphertextMessage {
  MessageType type;
  Bytes serialized;
};

}  // namespace hush::signal
