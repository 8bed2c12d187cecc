// The Double Ratchet's key types (signal.org/docs/specifications/doubleratchet
// §2, §5 with libsignal's v3 KDFs). Each role is its own type, so a chain key
// can't be used as a root key; all are wiped when destroyed.
#pragma once

#include <hush/crypto/x25519.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <utility>

namespace hush::signal {

/// mk: the per-message keys derived from a chain key (HKDF "WhisperMessageKeys").
struct MessageKeys {
  SecretBytes<32> cipher_key;
  SecretBytes<32> mac_key;
  SecretBytes<16> iv;
  std::uint32_t counter = 0;

  [[nodiscard]] MessageKeys clone() const { return {cipher_key.clone(), mac_key.clone(), iv.clone(), counter}; }
};

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
