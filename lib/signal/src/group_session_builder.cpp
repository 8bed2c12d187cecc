// Creating, rotating and accepting sender keys. A received key is filed under
// {group from the authenticated envelope, sender from the pairwise session}:
// nothing in a distribution message decides whose key it is. In the
// distribution_id format the message's distribution id decides which of that
// sender's keys it is, as in libsignal.
#include <hush/signal/constants.hpp>
#include <hush/signal/group_session_builder.hpp>
#include <hush/signal/sender_key_record.hpp>
#include <hush/signal/session_cipher.hpp>

#include <array>

namespace hush::signal {

namespace {

// A fresh sending key: random 31-bit chain id, random chain key at iteration
// 0, a new signing key pair (libsignal's key_helper does the same).
SenderKeyState fresh_sending_state(crypto::Rng& rng) {
  std::array<std::uint8_t, 4> id_bytes{};
  rng.fill(id_bytes);
  const std::uint32_t id = (std::uint32_t{id_bytes[0]} << 24 | std::uint32_t{id_bytes[1]} << 16 |
                            std::uint32_t{id_bytes[2]} << 8 | std::uint32_t{id_bytes[3]}) &
                           kSenderChainIdMask;
  SecretBytes<32> chain_key;
  rng.fill(chain_key.expose_mut());
  auto signing = crypto::KeyPair::generate(rng);
  return SenderKeyState(SenderChainId{id}, SenderChainKey(std::move(chain_key), 0), signing.public_key,
                        std::move(signing.private_key));
}

// The distribution message of one of our states, in the format the caller
// speaks: with a distribution id or without.
SenderKeyDistributionMessage distribution_for(const SenderKeyState& state, const DistributionId* id) {
  if (id != nullptr) {
    return SenderKeyDistributionMessage::create(*id, state.chain_id(), state.chain_key(), state.signing_public());
  }
  return SenderKeyDistributionMessage::create(state.chain_id(), state.chain_key(), state.signing_public());
}

Result<SenderKeyDistributionMessage> rotate_under(SenderKeyStore& store, const SenderKeyName& our_name,
                                                  const DistributionId* id, crypto::Rng& rng) {
  if (our_name.group_id.empty()) return make_error(Errc::invalid_argument, "empty group id");
  SenderKeyRecord record;
  record.set_state(fresh_sending_state(rng));
  HUSH_TRY(store.store_sender_key(our_name, record));
  return distribution_for(*record.current_state(), id);
}

Result<SenderKeyDistributionMessage> create_under(SenderKeyStore& store, const SenderKeyName& our_name,
                                                  const DistributionId* id, crypto::Rng& rng) {
  HUSH_TRY_ASSIGN(auto loaded, store.load_sender_key(our_name));
  if (loaded && !loaded->empty() && loaded->current_state()->signing_private() != nullptr) {
    return distribution_for(*loaded->current_state(), id);
  }
  return rotate_under(store, our_name, id, rng);
}

Status add_received(SenderKeyStore& store, const SenderKeyName& name, const SenderKeyDistributionMessage& message) {
  HUSH_TRY_ASSIGN(auto loaded, store.load_sender_key(name));
  SenderKeyRecord record = loaded ? std::move(*loaded) : SenderKeyRecord{};
  record.add_state(
      SenderKeyState(message.chain_id(), message.chain_key().clone(), message.signing_key(), std::nullopt));
  return store.store_sender_key(name, record);
}

}  // namespace

Result<SenderKeyDistributionMessage> GroupSessionBuilder::create_distribution(const SenderKeyName& our_name,
                                                                              crypto::Rng& rng) {
  return create_under(store_, our_name, nullptr, rng);
}

Result<SenderKeyDistributionMessage> GroupSessionBuilder::rotate(const SenderKeyName& our_name, crypto::Rng& rng) {
  return rotate_under(store_, our_name, nullptr, rng);
}

Result<SenderKeyDistributionMessage> GroupSessionBuilder::create_distribution(const DistributionId& id,
                                                                              const ProtocolAddress& us,
                                                                              crypto::Rng& rng) {
  return create_under(store_, sender_key_name(id, us), &id, rng);
}

Result<SenderKeyDistributionMessage> GroupSessionBuilder::rotate(const DistributionId& id, const ProtocolAddress& us,
                                                                 crypto::Rng& rng) {
  return rotate_under(store_, sender_key_name(id, us), &id, rng);
}

Status GroupSessionBuilder::process(const ProtocolAddress& authenticated_sender,
                                    const SenderKeyDistributionMessage& message) {
  if (!message.distribution_id()) {
    return make_error(Errc::invalid_argument, "key_id distribution message: give the group id");
  }
  return add_received(store_, sender_key_name(*message.distribution_id(), authenticated_sender), message);
}

Status GroupSessionBuilder::process(std::string_view group_id, const ProtocolAddress& authenticated_sender,
                                    const SenderKeyDistributionMessage& message) {
  if (group_id.empty()) return make_error(Errc::invalid_argument, "empty group id");
  if (message.distribution_id()) {
    return make_error(Errc::invalid_argument, "distribution_id message: it names its own key");
  }
  return add_received(store_, SenderKeyName{std::string(group_id), authenticated_sender}, message);
}

Status GroupSessionBuilder::process(std::string_view group_id, const SessionCipher& pairwise,
                                    const SenderKeyDistributionMessage& message) {
  return process(group_id, pairwise.remote(), message);
}

}  // namespace hush::signal
