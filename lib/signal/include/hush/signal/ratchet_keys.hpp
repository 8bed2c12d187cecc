// The Double Ratchet's key types (signal.org/docs/specifications/doubleratchet
// §2, §5 with libsignal's v3 KDFs). Each role is its own type, so a chain key
// can't be used as a root key; all are wiped when destroyed.
#pragma once

#include <hush/crypto/x25519.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <utility>
#include <variant>

namespace hush::signal {

/// mk: the per-message keys derived from a chain key (HKDF "WhisperMessageKeys").
struct MessageKeys {
  SecretBytes<32> cipher_key;
  SecretBytes<32> mac_key;
  SecretBytes<16> iv;
  std::uint32_t counter = 0;

  [[nodiscard]] MessageKeys clone() const { return {cipher_key.clone(), mac_key.clone(), iv.clone(), counter}; }
};

/// The seed of one message's keys, HMAC(CK_i, 0x01) (libsignal:
/// MessageKeyGenerator::Seed). A version-4 message's keys also depend on the
/// SPQR key the message itself carries, so a skipped message is remembered by
/// its seed and its keys are derived only when it arrives.
struct MessageKeySeed {
  SecretBytes<32> seed;
  std::uint32_t counter = 0;

  [[nodiscard]] MessageKeySeed clone() const { return {seed.clone(), counter}; }
  /// mk = HKDF(salt = the message's SPQR key or none, IKM = seed, "WhisperMessageKeys")
  /// (libsignal ratchet/keys.rs: MessageKeys::derive_keys(seed, pqr_key)).
  [[nodiscard]] MessageKeys derive(const SecretBytes<32>* pq_key) const;
};

/// A skipped message's stored key material: a seed (written since record
/// format 5, every session version) or, from older records, the keys
/// themselves (valid only for a message without an SPQR key).
using SkippedMessageKey = std::variant<MessageKeys, MessageKeySeed>;

/// The counter a skipped key belongs to.
[[nodiscard]] inline std::uint32_t skipped_counter(const SkippedMessageKey& k) noexcept {
  return std::visit([](const auto& v) { return v.counter; }, k);
}
/// An explicit deep copy.
[[nodiscard]] inline SkippedMessageKey clone_skipped(const SkippedMessageKey& k) {
  return std::visit([](const auto& v) -> SkippedMessageKey { return v.clone(); }, k);
}

/// CK with its index: CK_{i+1} = HMAC(CK_i, 0x02); mk_i from HMAC(CK_i, 0x01).
class ChainKey {
 public:
  ChainKey(SecretBytes<32> key, std::uint32_t index) noexcept : key_(std::move(key)), index_(index) {}
  [[nodiscard]] ChainKey clone() const { return ChainKey(key_.clone(), index_); }

  [[nodiscard]] std::uint32_t index() const noexcept { return index_; }
  [[nodiscard]] const SecretBytes<32>& key() const noexcept { return key_; }
  /// CK_{i+1}.
  [[nodiscard]] ChainKey next() const;
  /// mk_i.
  [[nodiscard]] MessageKeys message_keys() const;
  /// (mk_i, CK_{i+1}) with the chain key keyed into HMAC once.
  [[nodiscard]] std::pair<MessageKeys, ChainKey> advance() const;
  /// (seed of mk_i, CK_{i+1}): for version 4, whose mk_i needs the SPQR key too.
  [[nodiscard]] std::pair<MessageKeySeed, ChainKey> advance_seed() const;

 private:
  SecretBytes<32> key_;
  std::uint32_t index_;
};

/// RK. A DH ratchet step turns (RK, DH output) into (RK', CK) via HKDF "WhisperRatchet".
class RootKey {
 public:
  explicit RootKey(SecretBytes<32> key) noexcept : key_(std::move(key)) {}
  [[nodiscard]] RootKey clone() const { return RootKey(key_.clone()); }
  [[nodiscard]] const SecretBytes<32>& key() const noexcept { return key_; }

  /// KDF_RK(RK, DH(ours, theirs)). Fails with bad_key if the DH output is all zeros.
  [[nodiscard]] Result<std::pair<RootKey, ChainKey>> create_chain(const crypto::PublicKey& their_ratchet_key,
                                                                  const crypto::PrivateKey& our_ratchet_key) const;

 private:
  SecretBytes<32> key_;
};

}  // namespace hush::signal
