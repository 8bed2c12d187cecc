// Sender key record bookkeeping: look-up by chain id, adding received keys
// (bounded, never rewinding a key we hold), replacing our own key.
#include <hush/signal/constants.hpp>
#include <hush/signal/sender_key_record.hpp>

namespace hush::signal {

SenderKeyRecord SenderKeyRecord::clone() const {
  SenderKeyRecord r;
  for (const auto& s : states_) r.states_.push_back(s.clone());
  return r;
}

SenderKeyState* SenderKeyRecord::state_for(SenderChainId id) noexcept {
  for (auto& s : states_) {
    if (s.chain_id() == id) return &s;
  }
  return nullptr;
}

void SenderKeyRecord::add_state(SenderKeyState state) {
  for (auto it = states_.begin(); it != states_.end(); ++it) {
    if (it->chain_id() != state.chain_id()) continue;
    if (it->signing_public() == state.signing_public()) {
      // The same key again: keep our progress (and skipped keys), make it newest.
      state = std::move(*it);
    }
    states_.erase(it);
    break;
  }
  states_.push_front(std::move(state));
  while (states_.size() > kMaxSenderKeyStates) states_.pop_back();
}

void SenderKeyRecord::set_state(SenderKeyState state) {
  states_.clear();
  states_.push_front(std::move(state));
}

}  // namespace hush::signal
