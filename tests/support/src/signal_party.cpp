#include <hush/testing/signal_party.hpp>

namespace hush::testing {

SignalParty::SignalParty(std::string name, std::uint64_t seed)
    : name_(name), address_{std::move(name), signal::DeviceId{1}}, rng_(seed),
      identity_key_(crypto::PublicKey::from_trusted({})) {
  auto identity = signal::IdentityKeyPair::generate(rng_);
  identity_key_ = identity.public_key;
  auto registration_id = signal::generate_registration_id(rng_);
  auto signed_pre_key = signal::generate_signed_pre_key(identity, signal::SignedPreKeyId{signed_pre_key_id_}, 0, rng_);
  store_ = std::make_unique<signal::InMemoryProtocolStore>(std::move(identity), registration_id);
  HUSH_CHECK(store_->signed_pre_keys.store_signed_pre_key(signed_pre_key).has_value());
}

signal::PreKeyBundle SignalParty::make_bundle(bool with_one_time_pre_key) {
  auto signed_pre_key = store_->signed_pre_keys.load_signed_pre_key(signal::SignedPreKeyId{signed_pre_key_id_});
  HUSH_CHECK(signed_pre_key.has_value());
  signal::PreKeyBundle bundle{*store_->identities.local_registration_id(),
                              address_.device,
                              std::nullopt,
                              std::nullopt,
                              signed_pre_key->id,
                              signed_pre_key->key_pair.public_key,
                              signed_pre_key->signature,
                              identity_key_};
  if (with_one_time_pre_key) {
    auto keys = signal::generate_pre_keys(next_pre_key_id_++, 1, rng_);
    HUSH_CHECK(store_->pre_keys.store_pre_key(keys[0]).has_value());
    bundle.pre_key_id = keys[0].id;
    bundle.pre_key = keys[0].key_pair.public_key;
  }
  return bundle;
}

signal::PreKeyBundle SignalParty::make_pq_bundle(bool with_one_time_pre_key, bool last_resort) {
  auto bundle = make_bundle(with_one_time_pre_key);
  auto identity = store_->identities.identity_key_pair();
  HUSH_CHECK(identity.has_value());
  auto kyber = signal::generate_kyber_pre_key(*identity, signal::KyberPreKeyId{next_kyber_pre_key_id_++}, 0,
                                              last_resort, rng_);
  HUSH_CHECK(store_->kyber_pre_keys.store_kyber_pre_key(kyber).has_value());
  bundle.kyber_pre_key = signal::BundleKyberPreKey{kyber.id, kyber.public_key(), kyber.signature};
  return bundle;
}

Status SignalParty::start_session(const signal::ProtocolAddress& peer, const signal::PreKeyBundle& bundle) {
  return signal::process_pre_key_bundle(store_->stores(), peer, bundle, rng_);
}

Result<signal::CiphertextMessage> SignalParty::encrypt(const signal::ProtocolAddress& to, std::string_view text) {
  signal::SessionCipher cipher(store_->stores(), to);
  return cipher.encrypt(as_bytes(text), rng_);
}

Result<std::string> SignalParty::decrypt(const signal::ProtocolAddress& from, const signal::CiphertextMessage& message) {
  signal::SessionCipher cipher(store_->stores(), from);
  HUSH_TRY_ASSIGN(auto plain, cipher.decrypt(message.type, message.serialized, rng_));
  return to_string(plain.expose());
}

Bytes SignalParty::session_bytes(const signal::ProtocolAddress& peer) const {
  const SecretBuffer* raw = store_->sessions.raw(peer);
  return raw ? to_bytes(raw->expose()) : Bytes{};
}

}  // namespace hush::testing
