// Group encrypt/decrypt with Sender Keys, as libsignal-protocol-c 2.3.3's
// group_cipher.c: AES-256-CBC under the sender message key, XEdDSA signature
// over the whole message, verified before any key is derived. The same for
// today's libsignal's format, which adds the distribution id.
#include <hush/crypto/aes_cbc.hpp>
#include <hush/signal/group_cipher.hpp>
#include <hush/signal/sender_key_messages.hpp>
#include <hush/signal/sender_key_record.hpp>

#include <limits>

namespace hush::signal {

namespace {

// IV = material[0..16), cipher key = material[16..48) (libsignal's order).
crypto::AesIvView iv_of(const SecretBytes<48>& m) {
  return crypto::AesIvView(m.expose().subspan<0, 16>());
}
crypto::AesKeyView key_of(const SecretBytes<48>& m) {
  return crypto::AesKeyView(m.expose().subspan<16, 32>());
}

}  // namespace

Result<CiphertextMessage> GroupCipher::encrypt(ByteView plaintext, crypto::Rng& rng) {
  HUSH_TRY_ASSIGN(auto loaded, store_.load_sender_key(name_));
  if (!loaded || loaded->empty()) return make_error(Errc::no_session, "no sending key for this group");
  SenderKeyRecord record = std::move(*loaded);
  SenderKeyState& state = *record.current_state();
  const crypto::PrivateKey* signing_private = state.signing_private();
  if (signing_private == nullptr) return make_error(Errc::no_session, "sender key record holds no signing key");
  if (state.chain_key().iteration() == std::numeric_limits<std::uint32_t>::max()) {
    return make_error(Errc::invalid_message, "sender chain exhausted: rotate");
  }
  if (!signer_ || signer_->chain_id != state.chain_id() || signer_->public_key != state.signing_public()) {
    signer_.reset();
    signer_.emplace(CachedSigner{state.chain_id(), state.signing_public(), crypto::XeddsaSigner(*signing_private)});
  }

  const SenderMessageKey message_key = state.chain_key().message_key();
  const SecretBytes<48> material = message_key.derive();
  Bytes ciphertext = crypto::aes256_cbc_encrypt(key_of(material), iv_of(material), plaintext);
  auto message = distribution_id_ ? SenderKeyMessage::create(*distribution_id_, state.chain_id(), message_key.iteration,
                                                             std::move(ciphertext), signer_->signer, rng)
                                  : SenderKeyMessage::create(state.chain_id(), message_key.iteration,
                                                             std::move(ciphertext), signer_->signer, rng);
  state.set_chain_key(state.chain_key().next());
  HUSH_TRY(store_.store_sender_key(name_, record));
  return CiphertextMessage{MessageType::sender_key, message.serialized()};
}

Result<SecretBuffer> GroupCipher::decrypt(ByteView serialized) {
  const auto format = distribution_id_ ? SenderKeyFormat::distribution_id : SenderKeyFormat::key_id;
  HUSH_TRY_ASSIGN(auto message, SenderKeyMessage::deserialize(serialized, format));
  // libsignal looks the record up by the message's distribution id; this
  // cipher holds one, so another id has no key here.
  if (message.distribution_id() != distribution_id_) {
    return make_error(Errc::no_session, "sender key message of another distribution id");
  }
  // The loaded record is our private copy: it reaches the store only on success.
  HUSH_TRY_ASSIGN(auto loaded, store_.load_sender_key(name_));
  if (!loaded || loaded->empty()) return make_error(Errc::no_session, "no sender key from this member");
  SenderKeyRecord record = std::move(*loaded);
  SenderKeyState* state = record.state_for(message.chain_id());
  if (state == nullptr) return make_error(Errc::no_session, "no sender key state for this chain id");
  if (!message.verify_signature(state->signing_public())) {
    return make_error(Errc::bad_signature, "sender key message signature");
  }
  HUSH_TRY_ASSIGN(auto message_key, state->take_message_key(message.iteration()));
  const SecretBytes<48> material = message_key.derive();
  auto plaintext = crypto::aes256_cbc_decrypt(key_of(material), iv_of(material), message.ciphertext());
  // A valid signature over undecryptable data: the sender is broken, not the network.
  if (!plaintext) return make_error(Errc::invalid_message, "sender key message ciphertext");
  HUSH_TRY(store_.store_sender_key(name_, record));
  return std::move(plaintext).value();
}

}  // namespace hush::signal
