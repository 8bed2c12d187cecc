// A sender key record: every sender key state we keep for one SenderKeyName,
// newest first, at most kMaxSenderKeyStates. Our own record for a group holds
// exactly one state, with the signing private key; a record for another
// member holds the keys that member distributed to us.
#pragma once

#include <hush/signal/sender_key_state.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <deque>

namespace hush::signal {

class SenderKeyRecord {
 public:
  SenderKeyRecord() = default;
  SenderKeyRecord(SenderKeyRecord&&) noexcept = default;
  SenderKeyRecord& operator=(SenderKeyRecord&&) noexcept = default;
  [[nodiscard]] SenderKeyRecord clone() const;

  [[nodiscard]] bool empty() const noexcept { return states_.empty(); }
  /// The newest state, or nullptr.
  [[nodiscard]] SenderKeyState* current_state() noexcept { return states_.empty() ? nullptr : &states_.front(); }
  [[nodiscard]] const SenderKeyState* current_state() const noexcept {
    return states_.empty() ? nullptr : &states_.front();
  }
  /// The state with this chain id, or nullptr.
  [[nodiscard]] SenderKeyState* state_for(SenderChainId id) noexcept;
  [[nodiscard]] const std::deque<SenderKeyState>& states() const noexcept { return states_; }

  /// Adds a received key as the newest state, dropping the oldest beyond
  /// kMaxSenderKeyStates. A key we already hold (same chain id and signing
  /// key) keeps its progress, so a repeated distribution message can never
  /// rewind a chain and re-open messages already read; a different key under
  /// an id we hold replaces the old one.
  void add_state(SenderKeyState state);
  /// Replaces every state with `state` (our own new sending key).
  void set_state(SenderKeyState state);

  /// Our storage format (proto/signal_storage.proto); holds secrets.
  [[nodiscard]] SecretBuffer serialize() const;
  /// Parses a stored record, validating every key and length. Fails with
  /// decode_error, unsupported_version, bad_key or bad_length.
  static Result<SenderKeyRecord> deserialize(ByteView bytes);

 private:
  std::deque<SenderKeyState> states_;  ///< newest first
};

}  // namespace hush::signal
