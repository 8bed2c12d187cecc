// A session record: the current session state with a remote device plus up
// to kMaxArchivedStates earlier ones (replaced sessions whose late messages
// may still arrive). This is what a SessionStore persists.
#pragma once

#include <hush/signal/session_state.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <memory>
#include <vector>

namespace hush::signal {

class SessionRecord {
 public:
  SessionRecord() = default;
  SessionRecord(SessionRecord&&) noexcept = default;
  SessionRecord& operator=(SessionRecord&&) noexcept = default;
  [[nodiscard]] SessionRecord clone() const;

  [[nodiscard]] bool has_current_state() const noexcept { return current_ != nullptr; }
  [[nodiscard]] SessionState* current_state() noexcept { return current_.get(); }
  [[nodiscard]] const SessionState* current_state() const noexcept { return current_.get(); }
  [[nodiscard]] std::vector<SessionState>& previous_states() noexcept { return previous_; }
  [[nodiscard]] const std::vector<SessionState>& previous_states() const noexcept { return previous_; }

  /// Whether any kept state was set up from this initiator base key (a repeated pre-key message).
  [[nodiscard]] bool has_state_with_base_key(std::uint32_t version, const crypto::PublicKey& base_key) const;

  /// Makes `state` current, archiving the present current state (if any).
  void promote_state(SessionState state);
  /// Moves the current state into the archive.
  void archive_current_state();
  /// Replaces the current state without archiving.
  void set_current_state(SessionState state) { current_ = std::make_unique<SessionState>(std::move(state)); }

  /// Our storage format (proto/signal_storage.proto); holds secrets.
  [[nodiscard]] SecretBuffer serialize() const;
  /// Parses a stored record, validating every key and length. Fails with
  /// decode_error, unsupported_version, bad_key or bad_length.
  static Result<SessionRecord> deserialize(ByteView bytes);

 private:
  // Behind a pointer so that moving a record (it travels through Result and
  // optional on every load) moves no secrets: each such move would copy and wipe them.
  std::unique_ptr<SessionState> current_;
  std::vector<SessionState> previous_;  ///< most recent first
};

}  // namespace hush::signal
