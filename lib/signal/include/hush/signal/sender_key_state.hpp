// One sender key of one group member: the sending chain (CK with its
// iteration), the chain id, the member's signing key (with its private half
// only on the sender's own state) and the keys of skipped messages. Key
// derivations are those of libsignal-protocol-c 2.3.3 (sender_key.c).
#pragma once

#include <hush/crypto/x25519.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <deque>
#include <optional>

namespace hush::signal {

/// The keys of one group message: IV and AES-256 key from
/// HKDF(seed, salt = none, info = "WhisperGroup", 48) = IV 16 ‖ key 32.
struct SenderMessageKey {
  std::uint32_t iteration = 0;
  SecretBytes<32> seed;  ///< HMAC-SHA256(CK_i, 0x01)

  [[nodiscard]] SenderMessageKey clone() const { return {iteration, seed.clone()}; }
  /// Derives IV (first 16 bytes) and cipher key (last 32 bytes).
  [[nodiscard]] SecretBytes<48> derive() const;
};

/// CK_i of a sender chain: CK_{i+1} = HMAC(CK_i, 0x02), seed_i = HMAC(CK_i, 0x01).
class SenderChainKey {
 public:
  SenderChainKey(SecretBytes<32> key, std::uint32_t iteration) noexcept : key_(std::move(key)), iteration_(iteration) {}
  [[nodiscard]] SenderChainKey clone() const { return SenderChainKey(key_.clone(), iteration_); }

  [[nodiscard]] std::uint32_t iteration() const noexcept { return iteration_; }
  [[nodiscard]] const SecretBytes<32>& key() const noexcept { return key_; }
  /// CK_{i+1}. Aborts at iteration 2^32-1 (a sender must rotate long before).
  [[nodiscard]] SenderChainKey next() const;
  /// The message key of iteration i.
  [[nodiscard]] SenderMessageKey message_key() const;

 private:
  SecretBytes<32> key_;
  std::uint32_t iteration_;
};

/// Sender chain ids: random 31-bit numbers naming one sender key of a member.
struct SenderChainId {
  std::uint32_t value = 0;
  friend auto operator<=>(const SenderChainId&, const SenderChainId&) = default;
};

class SenderKeyState {
 public:
  SenderKeyState(SenderChainId chain_id, SenderChainKey chain_key, crypto::PublicKey signing_public,
                 std::optional<crypto::PrivateKey> signing_private) noexcept
      : chain_id_(chain_id),
        chain_key_(std::move(chain_key)),
        signing_public_(signing_public),
        signing_private_(std::move(signing_private)) {}
  SenderKeyState(SenderKeyState&&) noexcept = default;
  SenderKeyState& operator=(SenderKeyState&&) noexcept = default;
  [[nodiscard]] SenderKeyState clone() const;

  [[nodiscard]] SenderChainId chain_id() const noexcept { return chain_id_; }
  [[nodiscard]] const SenderChainKey& chain_key() const noexcept { return chain_key_; }
  void set_chain_key(SenderChainKey key) noexcept { chain_key_ = std::move(key); }
  [[nodiscard]] const crypto::PublicKey& signing_public() const noexcept { return signing_public_; }
  /// Present only on our own sending state.
  [[nodiscard]] const crypto::PrivateKey* signing_private() const noexcept {
    return signing_private_ ? &*signing_private_ : nullptr;
  }
  /// Skipped message keys, oldest first, at most kMaxSenderMessageKeys.
  [[nodiscard]] const std::deque<SenderMessageKey>& skipped() const noexcept { return skipped_; }

  /// The key for the message of `iteration`, advancing the chain past it:
  /// a stored skipped key (used once), or new keys, storing those of the
  /// messages jumped over. Errors: duplicate_message (iteration already used
  /// or its key dropped), too_far_ahead (more than kMaxSenderKeyForwardJumps
  /// ahead). On error the state is unchanged.
  [[nodiscard]] Result<SenderMessageKey> take_message_key(std::uint32_t iteration);

  /// Adds a skipped key, dropping the oldest beyond kMaxSenderMessageKeys
  /// (used when loading a record).
  void push_skipped(SenderMessageKey key);

 private:
  SenderChainId chain_id_;
  SenderChainKey chain_key_;
  crypto::PublicKey signing_public_;
  std::optional<crypto::PrivateKey> signing_private_;
  std::deque<SenderMessageKey> skipped_;
};

}  // namespace hush::signal
