// Double Ratchet encrypt/decrypt over a session record, as libsignal does it
// (signal.org/docs/specifications/doubleratchet §3.4–3.5); in version-4
// sessions the triple ratchet: each message also carries an SPQR message and
// its keys are salted with SPQR's key (libsignal triple_ratchet.rs).
// Decryption works on copies and commits to the stores only after the MAC
// has verified and the plaintext has been recovered.
#include <hush/crypto/aes_cbc.hpp>
#include <hush/signal/bound_addresses.hpp>
#include <hush/signal/constants.hpp>
#include <hush/signal/session_cipher.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/signal/spqr.hpp>

#include "x3dh.hpp"

#include <algorithm>
#include <optional>
#include <variant>

namespace hush::signal {

namespace {

crypto::AesKeyView cipher_key(const MessageKeys& mk) {
  return crypto::AesKeyView(mk.cipher_key.expose());
}
crypto::AesIvView cipher_iv(const MessageKeys& mk) {
  return crypto::AesIvView(mk.iv.expose());
}

// The receiving chain for the message's ratchet key, performing a DH ratchet
// step (a new receiving chain and a new sending chain) if it is a new key.
Result<ReceiverChain*> receiver_chain_for(SessionState& state, const crypto::PublicKey& their_ratchet_key,
                                          crypto::Rng& rng) {
  if (auto* chain = state.find_receiver_chain(their_ratchet_key)) return chain;
  // A new ratchet key: check it in full before its first DH.
  HUSH_TRY(their_ratchet_key.check_prime_order());
  HUSH_TRY_ASSIGN(auto receiving, state.root_key.create_chain(their_ratchet_key, state.sender_ratchet.private_key));
  auto our_new_ratchet = crypto::KeyPair::generate(rng);
  HUSH_TRY_ASSIGN(auto sending, receiving.first.create_chain(their_ratchet_key, our_new_ratchet.private_key));
  state.root_key = std::move(sending.first);
  state.add_receiver_chain(their_ratchet_key, std::move(receiving.second));
  const std::uint32_t sent = state.sender_chain.index();
  state.previous_counter = sent > 0 ? sent - 1 : 0;
  state.sender_ratchet = std::move(our_new_ratchet);
  state.sender_chain = std::move(sending.second);
  return &state.receiver_chains.front();
}

// What the chain yields for `counter` on `chain`: a stored skipped key (used
// once) or the seed of a new one, storing the seeds of the messages jumped
// over. Seeds, not keys: a version-4 message's keys also need the SPQR key it
// carries (libsignal: MessageKeyGenerator).
Result<SkippedMessageKey> message_key_for(ReceiverChain& chain, std::uint32_t counter) {
  const std::uint32_t index = chain.chain_key.index();
  if (counter < index) {
    for (auto it = chain.skipped.begin(); it != chain.skipped.end(); ++it) {
      if (skipped_counter(*it) == counter) {
        SkippedMessageKey k = std::move(*it);
        chain.skipped.erase(it);
        return k;
      }
    }
    return make_error(Errc::duplicate_message, "message key already used or dropped");
  }
  if (counter - index > kMaxForwardJumps) return make_error(Errc::too_far_ahead, "counter jumps too far ahead");
  // Seeds for the messages jumped over are kept for late arrivals, the newest
  // kMaxSkippedKeysPerChain of them: older ones are stepped over without
  // deriving anything for them.
  const std::uint32_t keep_from = counter - std::min<std::uint32_t>(counter, kMaxSkippedKeysPerChain);
  while (chain.chain_key.index() < counter) {
    if (chain.chain_key.index() >= keep_from) {
      auto [seed, next] = chain.chain_key.advance_seed();
      chain.skipped.emplace_back(std::move(seed));
      chain.chain_key = std::move(next);
    } else {
      chain.chain_key = chain.chain_key.next();
    }
  }
  if (chain.skipped.size() > kMaxSkippedKeysPerChain) {
    const auto excess = static_cast<std::ptrdiff_t>(chain.skipped.size() - kMaxSkippedKeysPerChain);
    chain.skipped.erase(chain.skipped.begin(), chain.skipped.begin() + excess);
  }
  auto [seed, next] = chain.chain_key.advance_seed();
  chain.chain_key = std::move(next);
  return SkippedMessageKey(std::move(seed));
}

// The message keys from what the chain yielded and the message's SPQR key.
// Keys stored whole (records before format 5) predate SPQR's key and cannot
// take one (libsignal asserts the same).
Result<MessageKeys> message_keys_from(SkippedMessageKey k, const std::optional<spqr::MessageKey>& pq_key) {
  if (auto* seed = std::get_if<MessageKeySeed>(&k)) return seed->derive(pq_key ? &*pq_key : nullptr);
  if (pq_key) return make_error(Errc::invalid_message, "stored message keys cannot take an SPQR key");
  return std::move(std::get<MessageKeys>(k));
}

Result<SecretBuffer> decrypt_with_state(SessionState& state, const SignalMessage& message, crypto::Rng& rng) {
  if (message.version() != state.session_version) return make_error(Errc::invalid_message, "session version differs");
  HUSH_TRY_ASSIGN(ReceiverChain * chain, receiver_chain_for(state, message.ratchet_key(), rng));
  HUSH_TRY_ASSIGN(auto key_source, message_key_for(*chain, message.counter()));
  // SPQR (version 4) before the MAC check, as libsignal does
  // (triple_ratchet.rs): its key salts this message's keys. `state` is a
  // working copy, so the SPQR step is kept only if the whole message decrypts.
  std::optional<spqr::MessageKey> pq_key;
  if (state.session_version == kPqxdhCiphertextVersion) {
    auto received = state.pq_ratchet.recv_in_place(message.pq_ratchet());
    // An SPQR key "already used" is not a duplicate of this session's
    // message: the Double Ratchet key above was still there, so the message
    // is most likely another session's (two sessions started at once), and a
    // duplicate_message would end the search over the archived states.
    // libsignal reports every SPQR failure as InvalidMessage and goes on.
    if (!received && received.code() == Errc::duplicate_message) {
      return make_error(Errc::invalid_message, "spqr key already used");
    }
    HUSH_TRY_ASSIGN(pq_key, std::move(received));
  }
  HUSH_TRY_ASSIGN(auto mk, message_keys_from(std::move(key_source), pq_key));
  if (!message.verify_mac(state.remote_identity, state.local_identity, mk.mac_key.expose())) {
    return make_error(Errc::bad_mac, "signal message MAC");
  }
  auto plaintext = crypto::aes256_cbc_decrypt(cipher_key(mk), cipher_iv(mk), message.ciphertext());
  // A valid MAC over undecryptable data: the sender is broken, not the network.
  if (!plaintext) return make_error(Errc::invalid_message, "signal message ciphertext");
  state.pending_pre_key.reset();  // the peer has answered
  return std::move(plaintext).value();
}

// Tries the current state, then each archived one; a success with an
// archived state makes it current again (how two sessions started at the same
// time converge). `record` is the caller's working copy.
Result<SecretBuffer> decrypt_with_record(SessionRecord& record, const SignalMessage& message, crypto::Rng& rng) {
  std::optional<Error> first_error;
  if (SessionState* current = record.current_state()) {
    if (record.previous_states().empty()) {
      // Nothing to fall back on: work on the loaded copy directly.
      auto r = decrypt_with_state(*current, message, rng);
      if (r) return r;
      return r.error();
    }
    SessionState attempt = current->clone();
    auto r = decrypt_with_state(attempt, message, rng);
    if (r) {
      record.set_current_state(std::move(attempt));
      return r;
    }
    if (r.code() == Errc::duplicate_message) return r.error();
    first_error = r.error();
  }
  auto& previous = record.previous_states();
  for (auto it = previous.begin(); it != previous.end(); ++it) {
    SessionState attempt = it->clone();
    auto r = decrypt_with_state(attempt, message, rng);
    if (r) {
      previous.erase(it);
      record.promote_state(std::move(attempt));
      return r;
    }
    if (r.code() == Errc::duplicate_message) return r.error();
    if (!first_error) first_error = r.error();
  }
  if (first_error) return *first_error;
  return make_error(Errc::no_session, "no session state");
}

}  // namespace

Result<CiphertextMessage> SessionCipher::encrypt(ByteView plaintext, crypto::Rng& rng) {
  return encrypt_impl(plaintext, &rng);
}

Result<CiphertextMessage> SessionCipher::encrypt(ByteView plaintext) {
  return encrypt_impl(plaintext, nullptr);
}

Result<CiphertextMessage> SessionCipher::encrypt_impl(ByteView plaintext, crypto::Rng* rng) {
  HUSH_TRY_ASSIGN(auto loaded, stores_.sessions.load_session(remote_));
  if (!loaded || !loaded->has_current_state()) return make_error(Errc::no_session, "no session to encrypt with");
  SessionRecord record = std::move(*loaded);
  SessionState& state = *record.current_state();
  HUSH_TRY_ASSIGN(bool trusted,
                  stores_.identities.is_trusted_identity(remote_, state.remote_identity, Direction::sending));
  if (!trusted) return make_error(Errc::untrusted_identity, "recipient identity key changed");

  // SPQR (version 4): its message goes into field 5 (pq_ratchet) and its key,
  // when it has one, salts the message keys (libsignal triple_ratchet.rs).
  // An empty state is SPQR's V0: no message, no key.
  Bytes pq_message;
  std::optional<spqr::MessageKey> pq_key;
  if (state.session_version == kPqxdhCiphertextVersion && state.pq_ratchet.version() != spqr::Version::v0) {
    if (rng == nullptr) return make_error(Errc::invalid_argument, "a version-4 session encrypts with an Rng");
    // In place: `record` is this call's copy, stored only on success.
    HUSH_TRY_ASSIGN(auto sent, state.pq_ratchet.send_in_place(*rng));
    pq_message = std::move(sent.message);
    pq_key = std::move(sent.key);
  }
  auto [seed, next_chain] = state.sender_chain.advance_seed();
  const MessageKeys mk = seed.derive(pq_key ? &*pq_key : nullptr);
  Bytes ciphertext = crypto::aes256_cbc_encrypt(cipher_key(mk), cipher_iv(mk), plaintext);
  // Pre-key messages bind both devices when both are Service IDs (libsignal).
  std::optional<BoundAddresses> bound;
  if (state.pending_pre_key && local_) bound = bound_addresses(*local_, remote_);
  auto message = SignalMessage::create(
      static_cast<std::uint8_t>(state.session_version), state.sender_ratchet.public_key, state.sender_chain.index(),
      state.previous_counter, std::move(ciphertext), mk.mac_key.expose(), state.local_identity, state.remote_identity,
      pq_message, bound ? ByteView(*bound) : ByteView{});
  CiphertextMessage out{MessageType::whisper, {}};
  if (state.pending_pre_key) {
    const auto& pending = *state.pending_pre_key;
    std::optional<KyberPayload> kyber;
    if (pending.kyber) kyber = KyberPayload{pending.kyber->id, pending.kyber->ciphertext};
    auto pre_key_message =
        PreKeySignalMessage::create(state.local_registration_id, pending.pre_key_id, pending.signed_pre_key_id,
                                    pending.base_key, state.local_identity, std::move(message), std::move(kyber));
    out = CiphertextMessage{MessageType::pre_key, pre_key_message.serialized()};
  } else {
    out.serialized = message.serialized();
  }
  state.sender_chain = std::move(next_chain);
  HUSH_TRY(stores_.sessions.store_session_owned(remote_, std::move(record)));
  return out;
}

std::string DecryptFailure::describe() const {
  std::string out(errc_name(code));
  if (chain) out += " (chain " + to_hex(chain->serialize()).substr(0, 12) + "…";
  if (counter) out += (chain ? ", counter " : " (counter ") + std::to_string(*counter);
  if (chain || counter) out += ")";
  return out;
}

Result<SecretBuffer> SessionCipher::note_failure(Result<SecretBuffer> result, const SignalMessage* message) {
  if (result) {
    last_failure_ = DecryptFailure{};
  } else {
    last_failure_ = DecryptFailure{result.code(), std::nullopt, std::nullopt};
    if (message) {
      last_failure_.chain = message->ratchet_key();
      last_failure_.counter = message->counter();
    }
  }
  return result;
}

Result<SecretBuffer> SessionCipher::decrypt_signal_message(ByteView serialized, crypto::Rng& rng) {
  auto message = SignalMessage::deserialize(serialized);
  if (!message) return note_failure(message.error(), nullptr);
  return note_failure(decrypt_signal_message_impl(*message, rng), &*message);
}

Result<SecretBuffer> SessionCipher::decrypt_pre_key_message(ByteView serialized, crypto::Rng& rng) {
  auto message = PreKeySignalMessage::deserialize(serialized);
  if (!message) return note_failure(message.error(), nullptr);
  return note_failure(decrypt_pre_key_message_impl(*message, rng), &message->message());
}

Status SessionCipher::check_addresses(const SignalMessage& message) const {
  if (!message.addresses() || !local_) return ok();
  const auto expected = bound_addresses(remote_, *local_);
  // Not Service IDs here, or another pair there: libsignal fails the MAC.
  if (!expected || !ct_equal(ByteView(*expected), ByteView(*message.addresses()))) {
    return make_error(Errc::bad_mac, "signal message bound to other addresses");
  }
  return ok();
}

Result<SecretBuffer> SessionCipher::decrypt_signal_message_impl(const SignalMessage& message, crypto::Rng& rng) {
  HUSH_TRY(check_addresses(message));
  HUSH_TRY_ASSIGN(auto loaded, stores_.sessions.load_session(remote_));
  if (!loaded) return make_error(Errc::no_session, "no session with sender");
  SessionRecord record = std::move(*loaded);
  HUSH_TRY_ASSIGN(auto plaintext, decrypt_with_record(record, message, rng));
  const IdentityKey remote_identity = record.current_state()->remote_identity;
  HUSH_TRY_ASSIGN(bool trusted, stores_.identities.is_trusted_identity(remote_, remote_identity, Direction::receiving));
  if (!trusted) return make_error(Errc::untrusted_identity, "sender identity key changed");
  HUSH_TRY(stores_.sessions.store_session_owned(remote_, std::move(record)));
  return plaintext;
}

Result<SecretBuffer> SessionCipher::decrypt_pre_key_message_impl(const PreKeySignalMessage& message, crypto::Rng& rng) {
  HUSH_TRY(check_addresses(message.message()));
  // As in process_pre_key_bundle: a new identity key is checked in full before
  // the trust decision; the recorded one was checked when it was recorded.
  HUSH_TRY_ASSIGN(auto recorded, stores_.identities.identity(remote_));
  if (!recorded.has_value() || !(*recorded == message.identity_key())) {
    HUSH_TRY(message.identity_key().check_prime_order());
  }
  HUSH_TRY_ASSIGN(bool trusted,
                  stores_.identities.is_trusted_identity(remote_, message.identity_key(), Direction::receiving));
  if (!trusted) return make_error(Errc::untrusted_identity, "sender identity key changed");

  HUSH_TRY_ASSIGN(auto loaded, stores_.sessions.load_session(remote_));
  SessionRecord record = loaded ? std::move(*loaded) : SessionRecord{};
  std::optional<PreKeyId> used_pre_key;
  std::optional<KyberPreKeyId> used_kyber_pre_key;
  if (!record.has_state_with_base_key(message.version(), message.base_key())) {
    auto signed_pre_key = stores_.signed_pre_keys.load_signed_pre_key(message.signed_pre_key_id());
    if (!signed_pre_key) {
      if (signed_pre_key.code() == Errc::not_found) return make_error(Errc::unknown_pre_key, "no such signed pre-key");
      return signed_pre_key.error();
    }
    std::optional<PreKeyRecord> one_time;
    if (message.pre_key_id()) {
      auto loaded_pre_key = stores_.pre_keys.load_pre_key(*message.pre_key_id());
      if (!loaded_pre_key) {
        if (loaded_pre_key.code() == Errc::not_found) return make_error(Errc::unknown_pre_key, "no such pre-key");
        return loaded_pre_key.error();
      }
      one_time = std::move(loaded_pre_key).value();
    }
    // PQXDH: the Kyber pre-key the message names (libsignal refuses a
    // version-4 message without one; the parser already did).
    std::optional<KyberPreKeyRecord> kyber_pre_key;
    if (message.kyber()) {
      if (stores_.kyber_pre_keys == nullptr) return make_error(Errc::unknown_pre_key, "no Kyber pre-key store");
      auto loaded_kyber = stores_.kyber_pre_keys->load_kyber_pre_key(message.kyber()->id);
      if (!loaded_kyber) {
        if (loaded_kyber.code() == Errc::not_found) return make_error(Errc::unknown_pre_key, "no such Kyber pre-key");
        return loaded_kyber.error();
      }
      kyber_pre_key = std::move(loaded_kyber).value();
    }
    HUSH_TRY_ASSIGN(auto our_identity, stores_.identities.identity_key_pair());
    HUSH_TRY_ASSIGN(auto our_registration_id, stores_.identities.local_registration_id());
    HUSH_TRY_ASSIGN(auto state, detail::initialize_bob_session(
                                    {our_identity, signed_pre_key->key_pair, one_time ? &one_time->key_pair : nullptr,
                                     message.identity_key(), message.base_key(),
                                     kyber_pre_key ? &kyber_pre_key->secret_key : nullptr,
                                     message.kyber() ? &message.kyber()->ciphertext : nullptr}));
    state.local_registration_id = our_registration_id;
    state.remote_registration_id = message.registration_id();
    record.promote_state(std::move(state));
    used_pre_key = message.pre_key_id();
    if (message.kyber()) used_kyber_pre_key = message.kyber()->id;
  }
  HUSH_TRY_ASSIGN(auto plaintext, decrypt_with_record(record, message.message(), rng));

  // Marking the Kyber pre-key used is also the last check (a last-resort key
  // seen again with the same base key: a replayed message whose state is
  // gone), so it comes first, as in libsignal (session_management.rs): a
  // refused replay must not replace the current session.
  if (used_kyber_pre_key) {
    HUSH_TRY(stores_.kyber_pre_keys->mark_kyber_pre_key_used(*used_kyber_pre_key, message.signed_pre_key_id(),
                                                             message.base_key()));
  }
  // Commit, in the order that leaves the least damage if a store fails midway:
  // the session first (without it nothing decrypts), the pre-key last.
  HUSH_TRY(stores_.sessions.store_session_owned(remote_, std::move(record)));
  HUSH_TRY(stores_.identities.save_identity(remote_, message.identity_key()));
  if (used_pre_key) HUSH_TRY(stores_.pre_keys.remove_pre_key(*used_pre_key));
  return plaintext;
}

Result<SecretBuffer> SessionCipher::decrypt(MessageType type, ByteView serialized, crypto::Rng& rng) {
  switch (type) {
    case MessageType::whisper:
      return decrypt_signal_message(serialized, rng);
    case MessageType::pre_key:
      return decrypt_pre_key_message(serialized, rng);
    default:
      return make_error(Errc::invalid_argument, "not a 1:1 message type");
  }
}

}  // namespace hush::signal
