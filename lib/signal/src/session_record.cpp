// Session record bookkeeping: archive, promote, look-up by base key.
#include <hush/signal/constants.hpp>
#include <hush/signal/session_record.hpp>

namespace hush::signal {

SessionRecord SessionRecord::clone() const {
  SessionRecord r;
  if (current_) r.current_ = std::make_unique<SessionState>(current_->clone());
  r.previous_.reserve(previous_.size());
  for (const auto& s : previous_) r.previous_.push_back(s.clone());
  return r;
}

bool SessionRecord::has_state_with_base_key(std::uint32_t version, const crypto::PublicKey& base_key) const {
  if (current_ && current_->session_version == version && current_->alice_base_key == base_key) return true;
  for (const auto& s : previous_) {
    if (s.session_version == version && s.alice_base_key == base_key) return true;
  }
  return false;
}

void SessionRecord::archive_current_state() {
  if (!current_) return;
  previous_.insert(previous_.begin(), std::move(*current_));
  current_.reset();
  if (previous_.size() > kMaxArchivedStates) previous_.erase(previous_.begin() + kMaxArchivedStates, previous_.end());
}

void SessionRecord::promote_state(SessionState state) {
  archive_current_state();
  current_ = std::make_unique<SessionState>(std::move(state));
}

}  // namespace hush::signal
