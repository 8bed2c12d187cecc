// X3DH key agreement as libsignal v3 runs it (signal.org/docs/specifications/x3dh §3)
// and PQXDH as libsignal runs it for version 4 (signal.org/docs/specifications/pqxdh
// §3.3–3.4, libsignal pqxdh.rs), producing the first session state for either
// side. Private to lib/signal.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/signal/identity.hpp>
#include <hush/signal/session_state.hpp>
#include <hush/util/result.hpp>

#include <optional>

namespace hush::signal::detail {

struct AliceParameters {
  const IdentityKeyPair& our_identity;
  const crypto::KeyPair& our_base_key;
  const IdentityKey& their_identity;
  const crypto::PublicKey& their_signed_pre_key;
  const std::optional<crypto::PublicKey>& their_one_time_pre_key;
  /// Whether their_identity was already checked in full (with the bundle's signature).
  bool their_identity_checked = false;
  /// PQXDH: their signed Kyber pre-key (its signature checked by the caller).
  /// Null: X3DH.
  const KyberPublicKey* their_kyber_pre_key = nullptr;
};

struct BobParameters {
  const IdentityKeyPair& our_identity;
  const crypto::KeyPair& our_signed_pre_key;
  const crypto::KeyPair* our_one_time_pre_key;  ///< null when the message used none
  const IdentityKey& their_identity;            ///< already checked in full by the caller (or recorded before)
  const crypto::PublicKey& their_base_key;
  /// PQXDH: our Kyber pre-key and the ciphertext the initiator sent for it. Null: X3DH.
  const KyberSecretKey* our_kyber_pre_key = nullptr;
  const KyberCiphertext* their_kyber_ciphertext = nullptr;
};

/// The initiator's state and, with PQXDH, the Kyber ciphertext to send.
struct AliceSession {
  SessionState state;
  std::optional<KyberCiphertext> kyber_ciphertext;
};

/// The initiator's first state: a receiving chain on the responder's signed
/// pre-key and a sending chain one DH ratchet step further, with a fresh
/// ratchet key from `rng` (drawn after the Kyber encapsulation's randomness).
/// Version 4 when their_kyber_pre_key is set, else 3.
Result<AliceSession> initialize_alice_session(const AliceParameters& p, crypto::Rng& rng);

/// The responder's first state: sending with the signed pre-key as ratchet key.
/// Version 4 when our_kyber_pre_key is set (their_kyber_ciphertext must be too).
Result<SessionState> initialize_bob_session(const BobParameters& p);

}  // namespace hush::signal::detail
