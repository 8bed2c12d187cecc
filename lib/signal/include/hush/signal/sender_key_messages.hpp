// The two Sender Keys wire messages of libsignal-protocol-c 2.3.3 (message
// version 3). SenderKeyMessage = 0x33 ‖ protobuf ‖ 64-byte XEdDSA signature
// over 0x33 ‖ protobuf; SenderKeyDistributionMessage = 0x33 ‖ protobuf.
// A message object exists only once fully parsed; it keeps its bytes.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/signal/sender_key_state.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

namespace hush::signal {

class SenderKeyMessage {
 public:
  /// Builds and signs a message with the sender's (cached) signing key.
  static SenderKeyMessage create(SenderChainId chain_id, std::uint32_t iteration, Bytes ciphertext,
                                 const crypto::XeddsaSigner& signer, crypto::Rng& rng);

  /// Parses without checking the signature (that needs the sender's key).
  /// Fails with bad_length (too short or too long), unsupported_version,
  /// decode_error (protobuf or a missing field).
  static Result<SenderKeyMessage> deserialize(ByteView bytes);

  /// Checks the XEdDSA signature over version ‖ protobuf.
  [[nodiscard]] bool verify_signature(const crypto::PublicKey& signing_key) const noexcept;

  [[nodiscard]] SenderChainId chain_id() const noexcept { return chain_id_; }
  [[nodiscard]] std::uint32_t iteration() const noexcept { return iteration_; }
  [[nodiscard]] ByteView ciphertext() const noexcept { return ciphertext_; }
  [[nodiscard]] const Bytes& serialized() const noexcept { return serialized_; }

 private:
  SenderKeyMessage(SenderChainId id, std::uint32_t iteration, Bytes ciphertext, Bytes serialized)
      : chain_id_(id), iteration_(iteration), ciphertext_(std::move(ciphertext)), serialized_(std::move(serialized)) {}

  SenderChainId chain_id_;
  std::uint32_t iteration_;
  Bytes ciphertext_;
  Bytes serialized_;
};

/// A sender key as distributed to the other members over pairwise sessions.
/// It carries a chain key, so its bytes are a secret: whoever holds them reads
/// the group from that iteration on.
class SenderKeyDistributionMessage {
 public:
  static SenderKeyDistributionMessage create(SenderChainId chain_id, const SenderChainKey& chain_key,
                                             const crypto::PublicKey& signing_key);

  /// Parses. Fails with bad_length, unsupported_version, decode_error (protobuf,
  /// a missing field, a chain key that is not 32 bytes) or bad_key (a signing
  /// key that is malformed or of small order; checked in full).
  static Result<SenderKeyDistributionMessage> deserialize(ByteView bytes);

  [[nodiscard]] SenderKeyDistributionMessage clone() const;

  [[nodiscard]] SenderChainId chain_id() const noexcept { return chain_id_; }
  [[nodiscard]] std::uint32_t iteration() const noexcept { return chain_key_.iteration(); }
  [[nodiscard]] const SenderChainKey& chain_key() const noexcept { return chain_key_; }
  [[nodiscard]] const crypto::PublicKey& signing_key() const noexcept { return signing_key_; }
  [[nodiscard]] const SecretBuffer& serialized() const noexcept { return serialized_; }

 private:
  SenderKeyDistributionMessage(SenderChainId id, SenderChainKey chain_key, crypto::PublicKey signing_key,
                               SecretBuffer serialized)
      : chain_id_(id),
        chain_key_(std::move(chain_key)),
        signing_key_(signing_key),
        serialized_(std::move(serialized)) {}

  SenderChainId chain_id_;
  SenderChainKey chain_key_;
  crypto::PublicKey signing_key_;
  SecretBuffer serialized_;
};

}  // namespace hush::signal
