// SqliteParty: libhush over the SQLite stores, the receive pipeline in one transaction.
#include "sqlite_party.hpp"

#include <hush/client/content/content.hpp>
#include <hush/client/store/message_history.hpp>
#include <hush/client/store/received_ids.hpp>
#include <hush/signal/session_builder.hpp>
#include <hush/signal/session_cipher.hpp>

namespace hush::client::fixture {

Result<SecretBuffer> text_content(std::string_view text, crypto::Rng& rng, std::uint64_t now_ms) {
  content::Content c{MessageId::generate(rng), now_ms, content::TextBody{SecretBuffer(as_bytes(text))}};
  return content::encode(c);
}

Result<std::string> text_of(ByteView padded) {
  HUSH_TRY_ASSIGN(auto c, content::decode(padded));
  const auto* text = std::get_if<content::TextBody>(&c.body);
  if (!text) return make_error(Errc::invalid_message, "not a text");
  return to_string(text->text.expose());
}

SqliteParty::SqliteParty(std::string name, std::filesystem::path home, std::uint64_t seed)
    : name_(name), home_(std::move(home)), address_{std::move(name), signal::DeviceId{1}}, rng_(seed) {
  store_ = create_store(home_, name_ + " passphrase");
  HUSH_CHECK(store::ensure_kyber_pre_key_tables(*store_).has_value());
  protocol_ = std::make_unique<store::SqliteProtocolStore>(*store_);
  auto identity = signal::IdentityKeyPair::generate(rng_);
  auto spk = signal::generate_signed_pre_key(identity, signal::SignedPreKeyId{1}, clock_ms_, rng_);
  HUSH_CHECK(protocol_->identities.set_local_identity(identity, signal::generate_registration_id(rng_)).has_value());
  HUSH_CHECK(protocol_->signed_pre_keys.store_signed_pre_key(spk).has_value());
}

void SqliteParty::reopen() {
  protocol_.reset();
  store_.reset();
  store_ = open_store(home_, name_ + " passphrase");
  protocol_ = std::make_unique<store::SqliteProtocolStore>(*store_);
}

signal::PreKeyBundle SqliteParty::make_bundle() {
  auto identity = protocol_->identities.identity_key_pair();
  auto spk = protocol_->signed_pre_keys.load_signed_pre_key(signal::SignedPreKeyId{1});
  HUSH_CHECK(identity.has_value() && spk.has_value());
  auto keys = signal::generate_pre_keys(next_pre_key_id_++, 1, rng_);
  HUSH_CHECK(protocol_->pre_keys.store_pre_key(keys[0]).has_value());
  return {*protocol_->identities.local_registration_id(),
          address_.device,
          keys[0].id,
          keys[0].key_pair.public_key,
          spk->id,
          spk->key_pair.public_key,
          spk->signature,
          identity->public_key};
}

signal::PreKeyBundle SqliteParty::make_pq_bundle(bool last_resort) {
  auto bundle = make_bundle();
  auto identity = protocol_->identities.identity_key_pair();
  HUSH_CHECK(identity.has_value());
  auto kyber = signal::generate_kyber_pre_key(*identity, signal::KyberPreKeyId{next_kyber_pre_key_id_++}, clock_ms_,
                                              last_resort, rng_);
  HUSH_CHECK(protocol_->kyber_pre_keys.store_kyber_pre_key(kyber).has_value());
  bundle.kyber_pre_key = signal::BundleKyberPreKey{kyber.id, kyber.public_key(), kyber.signature};
  return bundle;
}

Result<signal::CiphertextMessage> SqliteParty::send_text(const signal::ProtocolAddress& to, std::string_view text) {
  HUSH_TRY_ASSIGN(auto padded, text_content(text, rng_, ++clock_ms_));
  signal::SessionCipher cipher(protocol_->stores(), to);
  return cipher.encrypt(padded.expose(), rng_);
}

Result<std::string> SqliteParty::receive(const signal::ProtocolAddress& from, const signal::CiphertextMessage& message) {
  std::string text;
  HUSH_TRY(store_->transaction([&]() -> Status {
    signal::SessionCipher cipher(protocol_->stores(), from);
    HUSH_TRY_ASSIGN(auto padded, cipher.decrypt(message.type, message.serialized, rng_));
    HUSH_TRY_ASSIGN(auto c, content::decode(padded.expose()));
    HUSH_TRY_ASSIGN(bool fresh, store::ReceivedIds(*store_).insert(from.name, c.id.view()));
    if (!fresh) return make_error(Errc::duplicate_message, "content id seen before");
    const auto* body = std::get_if<content::TextBody>(&c.body);
    if (!body) return make_error(Errc::invalid_message, "not a text");
    text = to_string(body->text.expose());
    return store::MessageHistory(*store_).insert(
        {c.id, store::MessageDirection::incoming, from.name, std::nullopt, c.timestamp_ms, body->text.clone()});
  }));
  return text;
}

}  // namespace hush::client::fixture
