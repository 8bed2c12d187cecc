// The two Sender Keys wire messages, in both formats Hush speaks:
//  - key_id: libsignal-protocol-c 2.3.3, the sender key named by a chain id;
//  - distribution_id: today's libsignal (libsignal-client 0.103), the sender
//    key named by a distribution id (a UUID) and a chain id.
// Both: SenderKeyMessage = 0x33 ‖ protobuf ‖ 64-byte XEdDSA signature over
// 0x33 ‖ protobuf; SenderKeyDistributionMessage = 0x33 ‖ protobuf. Only the
// protobuf field numbers differ (proto/signal_wire.proto).
// A message object exists only once fully parsed; it keeps its bytes.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/signal/distribution_id.hpp>
#include <hush/signal/sender_key_state.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <optional>

namespace hush::signal {

/// Which of the two Sender Keys wire formats a message is in. A byte string
/// is parsed as one format, chosen by the caller (the group's kind), never
/// guessed from the bytes.
enum class SenderKeyFormat : std::uint8_t {
  key_id,           ///< libsignal-protocol-c: no distribution id
  distribution_id,  ///< today's libsignal: a distribution id in every message
};

class SenderKeyMessage {
 public:
  /// Builds and signs a message (key_id format) with the sender's (cached) signing key.
  static SenderKeyMessage create(SenderChainId chain_id, std::uint32_t iteration, Bytes ciphertext,
                                 const crypto::XeddsaSigner& signer, crypto::Rng& rng);
  /// The same in the distribution_id format.
  static SenderKeyMessage create(const DistributionId& distribution_id, SenderChainId chain_id, std::uint32_t iteration,
                                 Bytes ciphertext, const crypto::XeddsaSigner& signer, crypto::Rng& rng);

  /// Parses without checking the signature (that needs the sender's key).
  /// Fails with bad_length (too short or too long), unsupported_version,
  /// decode_error (protobuf, a missing field, a distribution id that is not
  /// 16 bytes).
  static Result<SenderKeyMessage> deserialize(ByteView bytes, SenderKeyFormat format = SenderKeyFormat::key_id);

  /// Checks the XEdDSA signature over version ‖ protobuf.
  [[nodiscard]] bool verify_signature(const crypto::PublicKey& signing_key) const noexcept;

  [[nodiscard]] SenderKeyFormat format() const noexcept {
    return distribution_id_ ? SenderKeyFormat::distribution_id : SenderKeyFormat::key_id;
  }
  /// Present exactly in the distribution_id format.
  [[nodiscard]] const std::optional<DistributionId>& distribution_id() const noexcept { return distribution_id_; }
  [[nodiscard]] SenderChainId chain_id() const noexcept { return chain_id_; }
  [[nodiscard]] std::uint32_t iteration() const noexcept { return iteration_; }
  [[nodiscard]] ByteView ciphertext() const noexcept { return ciphertext_; }
  [[nodiscard]] const Bytes& serialized() const noexcept { return serialized_; }

 private:
  SenderKeyMessage(std::optional<DistributionId> distribution_id, SenderChainId id, std::uint32_t iteration,
                   Bytes ciphertext, Bytes serialized)
      : distribution_id_(distribution_id),
        chain_id_(id),
        iteration_(iteration),
        ciphertext_(std::move(ciphertext)),
        serialized_(std::move(serialized)) {}

  std::optional<DistributionId> distribution_id_;
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
  /// key_id format.
  static SenderKeyDistributionMessage create(SenderChainId chain_id, const SenderChainKey& chain_key,
                                             const crypto::PublicKey& signing_key);
  /// distribution_id format.
  static SenderKeyDistributionMessage create(const DistributionId& distribution_id, SenderChainId chain_id,
                                             const SenderChainKey& chain_key, const crypto::PublicKey& signing_key);

  /// Parses. Fails with bad_length (too short, too long, a chain key that is
  /// not 32 bytes), unsupported_version, decode_error (protobuf, a missing
  /// field, a distribution id that is not 16 bytes) or bad_key (a signing key
  /// that is malformed or of small order; checked in full).
  static Result<SenderKeyDistributionMessage> deserialize(ByteView bytes,
                                                          SenderKeyFormat format = SenderKeyFormat::key_id);

  [[nodiscard]] SenderKeyDistributionMessage clone() const;

  [[nodiscard]] SenderKeyFormat format() const noexcept {
    return distribution_id_ ? SenderKeyFormat::distribution_id : SenderKeyFormat::key_id;
  }
  /// Present exactly in the distribution_id format.
  [[nodiscard]] const std::optional<DistributionId>& distribution_id() const noexcept { return distribution_id_; }
  [[nodiscard]] SenderChainId chain_id() const noexcept { return chain_id_; }
  [[nodiscard]] std::uint32_t iteration() const noexcept { return chain_key_.iteration(); }
  [[nodiscard]] const SenderChainKey& chain_key() const noexcept { return chain_key_; }
  [[nodiscard]] const crypto::PublicKey& signing_key() const noexcept { return signing_key_; }
  [[nodiscard]] const SecretBuffer& serialized() const noexcept { return serialized_; }

 private:
  SenderKeyDistributionMessage(std::optional<DistributionId> distribution_id, SenderChainId id,
                               SenderChainKey chain_key, crypto::PublicKey signing_key, SecretBuffer serialized)
      : distribution_id_(distribution_id),
        chain_id_(id),
        chain_key_(std::move(chain_key)),
        signing_key_(signing_key),
        serialized_(std::move(serialized)) {}

  std::optional<DistributionId> distribution_id_;
  SenderChainId chain_id_;
  SenderChainKey chain_key_;
  crypto::PublicKey signing_key_;
  SecretBuffer serialized_;
};

}  // namespace hush::signal
