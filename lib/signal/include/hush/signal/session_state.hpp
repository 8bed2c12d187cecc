// One Double Ratchet session with one remote device: root key, sending
// chain, up to kMaxReceiverChains receiving chains with their skipped message
// keys, and, until the peer answers, the pre-key data our messages repeat.
#pragma once

#include <hush/crypto/x25519.hpp>
#include <hush/signal/identity.hpp>
#include <hush/signal/ids.hpp>
#include <hush/signal/kyber_pre_key.hpp>
#include <hush/signal/ratchet_keys.hpp>
#include <hush/signal/spqr.hpp>

#include <optional>
#include <vector>

namespace hush::signal {

struct ReceiverChain {
  crypto::PublicKey sender_ratchet_key;
  ChainKey chain_key;
  std::vector<SkippedMessageKey> skipped;  ///< oldest first, at most kMaxSkippedKeysPerChain

  [[nodiscard]] ReceiverChain clone() const;
};

/// The Kyber part of a version-4 initiator's pre-key messages (libsignal:
/// PendingKyberPreKey): which Kyber pre-key, and the ciphertext for it.
struct PendingKyberPreKey {
  KyberPreKeyId id;
  KyberCiphertext ciphertext;
};

/// What an initiator's messages carry until the responder has answered.
struct PendingPreKey {
  std::optional<PreKeyId> pre_key_id;
  SignedPreKeyId signed_pre_key_id;
  crypto::PublicKey base_key;
  std::optional<PendingKyberPreKey> kyber{};  ///< present exactly in version-4 sessions
};

struct SessionState {
  std::uint32_t session_version = 3;
  IdentityKey local_identity;
  IdentityKey remote_identity;
  RootKey root_key;
  std::uint32_t previous_counter = 0;
  crypto::KeyPair sender_ratchet;
  ChainKey sender_chain;
  std::vector<ReceiverChain> receiver_chains;  ///< newest first
  std::optional<PendingPreKey> pending_pre_key;
  RegistrationId local_registration_id;
  RegistrationId remote_registration_id;
  crypto::PublicKey alice_base_key;  ///< the initiator's base key: identifies this session's X3DH
  /// Version 4: the last 32 bytes of PQXDH's output, the SPQR ratchet's
  /// authentication key (libsignal: HandshakeKeys.pqr_key, spqr Params.auth_key).
  std::optional<SecretBytes<32>> pq_ratchet_seed{};
  /// Version 4: the SPQR state, started at V1 with minimum V1 as libsignal
  /// does. Kept parsed (the record holds its bytes): a session works on a
  /// copy of its state for every message, and a store that keeps parsed
  /// records hands out copies without parsing anything. V0 (the default) is
  /// SPQR off (no key mixed into the message keys, no pq_ratchet field): only
  /// version-3 states and version-4 records written before SPQR was wired in
  /// (record format 4) hold that.
  spqr::SpqrState pq_ratchet{};

  [[nodiscard]] SessionState clone() const;

  /// The receiving chain for a sender ratchet key, or nullptr.
  [[nodiscard]] ReceiverChain* find_receiver_chain(const crypto::PublicKey& key) noexcept;
  /// Adds a chain as the newest, dropping the oldest beyond kMaxReceiverChains.
  void add_receiver_chain(const crypto::PublicKey& key, ChainKey chain);
};

}  // namespace hush::signal
