// Sender chain and message key derivations (libsignal-protocol-c 2.3.3,
// sender_key.c) and the per-state bookkeeping of skipped message keys.
#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/hmac.hpp>
#include <hush/signal/constants.hpp>
#include <hush/signal/sender_key_state.hpp>

#include <limits>

namespace hush::signal {

SecretBytes<48> SenderMessageKey::derive() const {
  SecretBytes<kSenderMessageKeyMaterialSize> material;
  // Salt: libsignal passes 32 zero bytes, which HMAC treats exactly as no salt.
  auto status = crypto::hkdf_sha256_into(seed.expose(), {}, as_bytes(kInfoSenderKeys), material.expose_mut());
  HUSH_CHECK(status.has_value());
  return material;
}

SenderChainKey SenderChainKey::next() const {
  HUSH_CHECK(iteration_ < std::numeric_limits<std::uint32_t>::max());
  const std::uint8_t seed = kChainKeySeed;
  return SenderChainKey(crypto::hmac_sha256(key_.expose(), ByteView(&seed, 1)), iteration_ + 1);
}

SenderMessageKey SenderChainKey::message_key() const {
  const std::uint8_t seed = kMessageKeySeed;
  return SenderMessageKey{iteration_, crypto::hmac_sha256(key_.expose(), ByteView(&seed, 1))};
}

SenderKeyState SenderKeyState::clone() const {
  std::optional<crypto::PrivateKey> priv;
  if (signing_private_) priv = signing_private_->clone();
  SenderKeyState s(chain_id_, chain_key_.clone(), signing_public_, std::move(priv));
  for (const auto& k : skipped_) s.skipped_.push_back(k.clone());
  return s;
}

void SenderKeyState::push_skipped(SenderMessageKey key) {
  skipped_.push_back(std::move(key));
  while (skipped_.size() > kMaxSenderMessageKeys) skipped_.pop_front();
}

Result<SenderMessageKey> SenderKeyState::take_message_key(std::uint32_t iteration) {
  const std::uint32_t current = chain_key_.iteration();
  if (iteration < current) {
    for (auto it = skipped_.begin(); it != skipped_.end(); ++it) {
      if (it->iteration == iteration) {
        SenderMessageKey key = std::move(*it);
        skipped_.erase(it);
        return key;
      }
    }
    return make_error(Errc::duplicate_message, "sender message key already used or dropped");
  }
  if (iteration - current > kMaxSenderKeyForwardJumps) {
    return make_error(Errc::too_far_ahead, "sender key iteration jumps too far ahead");
  }
  // The chain key after the last message: no successor exists to store.
  if (iteration == std::numeric_limits<std::uint32_t>::max()) {
    return make_error(Errc::invalid_message, "sender chain exhausted");
  }
  SenderChainKey chain = chain_key_.clone();
  while (chain.iteration() < iteration) {
    // Keys that the bound would drop at once are not derived at all.
    if (iteration - chain.iteration() <= kMaxSenderMessageKeys) push_skipped(chain.message_key());
    chain = chain.next();
  }
  SenderMessageKey key = chain.message_key();
  chain_key_ = chain.next();
  return key;
}

}  // namespace hush::signal
