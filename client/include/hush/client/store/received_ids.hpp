// Exactly-once delivery: the ids of messages already processed, written in
// the same transaction as the message's other effects, so a message
// redelivered after a crash is recognised and acknowledged without being
// shown twice (table received_ids; plaintext).
#pragma once

#include <hush/client/store/local_store.hpp>

#include <string_view>

namespace hush::client::store {

/// Longest id accepted (bytes): message ids are 16 bytes, server envelope ids up to 64.
inline constexpr std::size_t kMaxReceivedIdSize = 64;

class ReceivedIds {
 public:
  explicit ReceivedIds(LocalStore& store) noexcept : store_(store) {}
  /// Records (sender, id). true if it was new, false if already recorded.
  /// invalid_argument for an empty id or one longer than kMaxReceivedIdSize.
  Result<bool> insert(std::string_view sender, ByteView id);
  /// Whether (sender, id) was recorded.
  Result<bool> contains(std::string_view sender, ByteView id);
  /// Forgets ids recorded before `cutoff_ms` (once the server can no longer redeliver them).
  [[nodiscard]] Status prune_before(std::uint64_t cutoff_ms);

 private:
  LocalStore& store_;
};

}  // namespace hush::client::store
