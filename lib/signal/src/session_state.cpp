// Session state bookkeeping: deep copies and receiver-chain management.
#include <hush/signal/constants.hpp>
#include <hush/signal/session_state.hpp>

namespace hush::signal {

ReceiverChain ReceiverChain::clone() const {
  ReceiverChain c{sender_ratchet_key, chain_key.clone(), {}};
  c.skipped.reserve(skipped.size());
  for (const auto& k : skipped) c.skipped.push_back(clone_skipped(k));
  return c;
}

SessionState SessionState::clone() const {
  SessionState s{session_version,  local_identity,         remote_identity,        root_key.clone(),
                 previous_counter, sender_ratchet.clone(), sender_chain.clone(),   {},
                 pending_pre_key,  local_registration_id,  remote_registration_id, alice_base_key};
  if (pq_ratchet_seed) s.pq_ratchet_seed = pq_ratchet_seed->clone();
  s.pq_ratchet = pq_ratchet.clone();
  s.receiver_chains.reserve(receiver_chains.size());
  for (const auto& c : receiver_chains) s.receiver_chains.push_back(c.clone());
  return s;
}

ReceiverChain* SessionState::find_receiver_chain(const crypto::PublicKey& key) noexcept {
  for (auto& c : receiver_chains) {
    if (c.sender_ratchet_key == key) return &c;
  }
  return nullptr;
}

void SessionState::add_receiver_chain(const crypto::PublicKey& key, ChainKey chain) {
  receiver_chains.insert(receiver_chains.begin(), ReceiverChain{key, std::move(chain), {}});
  if (receiver_chains.size() > kMaxReceiverChains) receiver_chains.pop_back();
}

}  // namespace hush::signal
