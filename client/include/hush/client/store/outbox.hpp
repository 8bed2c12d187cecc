// Messages accepted for sending but not yet accepted by the server (table
// outbox): recipient and id plaintext, the content sealed. The content is
// kept unencrypted-for-the-peer so that a stale-device answer can be retried
// with fresh sessions.
#pragma once

#include <hush/client/message_id.hpp>
#include <hush/client/store/local_store.hpp>
#include <hush/util/secret.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hush::client::store {

struct OutboxEntry {
  std::int64_t seq = 0;  ///< position in the outbox (send order)
  MessageId id;
  std::string recipient;
  std::uint64_t created_ms = 0;
  std::uint32_t attempts = 0;
  SecretBuffer payload;
};

class Outbox {
 public:
  explicit Outbox(LocalStore& store) noexcept : store_(store) {}
  /// Queues a payload; returns its seq. conflict if (recipient, id) is queued already.
  Result<std::int64_t> enqueue(std::string_view recipient, const MessageId& id, ByteView payload);
  /// The oldest `limit` entries, in send order.
  Result<std::vector<OutboxEntry>> pending(std::size_t limit);
  /// Counts one more send attempt.
  [[nodiscard]] Status note_attempt(std::int64_t seq);
  /// Removes an entry once the server accepted it.
  [[nodiscard]] Status remove(std::int64_t seq);

 private:
  LocalStore& store_;
};

}  // namespace hush::client::store
