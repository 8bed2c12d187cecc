// The initiator's side of session setup: verify the bundle, X3DH or PQXDH
// (version 4, when the bundle carries a Kyber pre-key), store.
#include <hush/signal/session_builder.hpp>
#include <hush/signal/session_record.hpp>

#include <hush/signal/constants.hpp>

#include "x3dh.hpp"

namespace hush::signal {

Status process_pre_key_bundle(ProtocolStores stores, const ProtocolAddress& address, const PreKeyBundle& bundle,
                              crypto::Rng& rng) {
  // Keys are checked before the trust decision, so a key the application is
  // later asked to accept (a changed identity) has passed the full check. A key
  // equal to the recorded identity passed it when it was recorded: only the
  // signature is verified then (the prime-order check costs about a DH).
  HUSH_TRY_ASSIGN(auto recorded, stores.identities.identity(address));
  const bool known_identity = recorded.has_value() && *recorded == bundle.identity_key;
  bool signature_valid = false;
  if (known_identity) {
    signature_valid =
        crypto::xeddsa_verify(bundle.identity_key, bundle.signed_pre_key.serialize(), bundle.signed_pre_key_signature);
  } else {
    // One Edwards conversion for both the signature and the key check.
    HUSH_TRY_ASSIGN(signature_valid,
                    crypto::xeddsa_verify_and_check_key(bundle.identity_key, bundle.signed_pre_key.serialize(),
                                                        bundle.signed_pre_key_signature));
  }
  if (!signature_valid) return make_error(Errc::bad_signature, "signed pre-key signature");
  // libsignal (session.rs process_prekey_bundle): the Kyber pre-key's
  // signature over 0x08 ‖ key is checked like the signed pre-key's.
  if (bundle.kyber_pre_key &&
      !kyber_signature_valid(bundle.identity_key, bundle.kyber_pre_key->public_key, bundle.kyber_pre_key->signature)) {
    return make_error(Errc::bad_signature, "kyber pre-key signature");
  }
  HUSH_TRY_ASSIGN(bool trusted,
                  stores.identities.is_trusted_identity(address, bundle.identity_key, Direction::sending));
  if (!trusted) return make_error(Errc::untrusted_identity, "bundle identity key changed");
  if (bundle.pre_key_id.has_value() != bundle.pre_key.has_value()) {
    return make_error(Errc::invalid_argument, "bundle pre-key id without key");
  }

  HUSH_TRY_ASSIGN(auto loaded, stores.sessions.load_session(address));
  SessionRecord record = loaded ? std::move(*loaded) : SessionRecord{};
  // No downgrade: once a session with this device is post-quantum, a bundle
  // without a Kyber pre-key (one a server stripped) does not replace it.
  if (!bundle.kyber_pre_key && record.has_current_state() &&
      record.current_state()->session_version >= kPqxdhCiphertextVersion) {
    return make_error(Errc::invalid_message, "bundle without a Kyber pre-key for a post-quantum session");
  }
  HUSH_TRY_ASSIGN(auto our_identity, stores.identities.identity_key_pair());
  HUSH_TRY_ASSIGN(auto our_registration_id, stores.identities.local_registration_id());

  auto base_key = crypto::KeyPair::generate(rng);
  const KyberPublicKey* kyber_key = bundle.kyber_pre_key ? &bundle.kyber_pre_key->public_key : nullptr;
  HUSH_TRY_ASSIGN(auto alice, detail::initialize_alice_session({our_identity, base_key, bundle.identity_key,
                                                                bundle.signed_pre_key, bundle.pre_key, true, kyber_key},
                                                               rng));
  SessionState state = std::move(alice.state);
  state.pending_pre_key = PendingPreKey{bundle.pre_key_id, bundle.signed_pre_key_id, base_key.public_key};
  if (alice.kyber_ciphertext) {
    state.pending_pre_key->kyber = PendingKyberPreKey{bundle.kyber_pre_key->id, *alice.kyber_ciphertext};
  }
  state.local_registration_id = our_registration_id;
  state.remote_registration_id = bundle.registration_id;
  record.promote_state(std::move(state));

  // Commit: only now does anything reach the stores.
  HUSH_TRY(stores.sessions.store_session_owned(address, std::move(record)));
  HUSH_TRY(stores.identities.save_identity(address, bundle.identity_key));
  return ok();
}

}  // namespace hush::signal
