// Chain and root key derivations (Double Ratchet §5.2 as libsignal v3 does them).
#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/hmac.hpp>
#include <hush/signal/constants.hpp>
#include <hush/signal/ratchet_keys.hpp>

namespace hush::signal {

ChainKey ChainKey::next() const {
  const std::uint8_t seed = kChainKeySeed;
  auto next_key = crypto::hmac_sha256(key_.expose(), ByteView(&seed, 1));
  return ChainKey(std::move(next_key), index_ + 1);
}

namespace {

MessageKeys derive_message_keys(const SecretBytes<32>& seed, const SecretBytes<32>* pq_key, std::uint32_t counter) {
  SecretBytes<kMessageKeyMaterialSize> material;
  // Salt: the message's SPQR key (version 4), else none (libsignal passes
  // None, which HKDF treats exactly as 32 zero bytes).
  const ByteView salt = pq_key ? ByteView(pq_key->expose()) : ByteView{};
  auto status = crypto::hkdf_sha256_into(seed.expose(), salt, as_bytes(kInfoMessageKeys), material.expose_mut());
  HUSH_CHECK(status.has_value());
  auto m = material.expose();
  return MessageKeys{SecretBytes<32>::from(m.subspan(0, 32)), SecretBytes<32>::from(m.subspan(32, 32)),
                     SecretBytes<16>::from(m.subspan(64, 16)), counter};
}

}  // namespace

MessageKeys ChainKey::message_keys() const {
  const std::uint8_t seed_input = kMessageKeySeed;
  return derive_message_keys(crypto::hmac_sha256(key_.expose(), ByteView(&seed_input, 1)), nullptr, index_);
}

std::pair<MessageKeys, ChainKey> ChainKey::advance() const {
  const std::uint8_t seed_input = kMessageKeySeed;
  const std::uint8_t next_input = kChainKeySeed;
  crypto::HmacSha256Output seed;
  crypto::HmacSha256Output next_key;
  {
    crypto::HmacSha256Keyed h(key_.expose());
    seed = h.mac({ByteView(&seed_input, 1)});
    next_key = h.mac({ByteView(&next_input, 1)});
  }
  return {derive_message_keys(seed, nullptr, index_), ChainKey(std::move(next_key), index_ + 1)};
}

std::pair<MessageKeySeed, ChainKey> ChainKey::advance_seed() const {
  const std::uint8_t seed_input = kMessageKeySeed;
  const std::uint8_t next_input = kChainKeySeed;
  crypto::HmacSha256Output seed;
  crypto::HmacSha256Output next_key;
  {
    crypto::HmacSha256Keyed h(key_.expose());
    seed = h.mac({ByteView(&seed_input, 1)});
    next_key = h.mac({ByteView(&next_input, 1)});
  }
  return {MessageKeySeed{std::move(seed), index_}, ChainKey(std::move(next_key), index_ + 1)};
}

MessageKeys MessageKeySeed::derive(const SecretBytes<32>* pq_key) const {
  return derive_message_keys(seed, pq_key, counter);
}

Result<std::pair<RootKey, ChainKey>> RootKey::create_chain(const crypto::PublicKey& their_ratchet_key,
                                                           const crypto::PrivateKey& our_ratchet_key) const {
  HUSH_TRY_ASSIGN(auto shared, crypto::x25519(our_ratchet_key, their_ratchet_key));
  SecretBytes<64> derived;
  HUSH_TRY(crypto::hkdf_sha256_into(shared.expose(), key_.expose(), as_bytes(kInfoRatchet), derived.expose_mut()));
  auto d = derived.expose();
  return std::pair<RootKey, ChainKey>(RootKey(SecretBytes<32>::from(d.subspan(0, 32))),
                                      ChainKey(SecretBytes<32>::from(d.subspan(32, 32)), 0));
}

}  // namespace hush::signal
