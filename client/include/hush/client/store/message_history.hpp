// The conversation history (table messages): who, which way, when and which
// message in plaintext columns; the text sealed.
#pragma once

#include <hush/client/message_id.hpp>
#include <hush/client/store/local_store.hpp>
#include <hush/util/secret.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hush::client::store {

enum class MessageDirection : std::uint8_t { incoming = 1, outgoing = 2 };

/// Longest group id kept (bytes); group ids are 32 bytes today.
inline constexpr std::size_t kMaxGroupIdSize = 64;

struct HistoryEntry {
  MessageId id;
  MessageDirection direction = MessageDirection::incoming;
  std::string peer;               ///< the sender (incoming) or the recipient (outgoing)
  std::optional<Bytes> group_id;  ///< nullopt for a one-to-one message
  std::uint64_t timestamp_ms = 0; ///< the sender's timestamp
  SecretBuffer body;              ///< the text
};

class MessageHistory {
 public:
  explicit MessageHistory(LocalStore& store) noexcept : store_(store) {}
  /// Appends an entry. conflict if (peer, direction, id) is already there.
  /// invalid_argument for a group id longer than kMaxGroupIdSize.
  [[nodiscard]] Status insert(const HistoryEntry& entry);
  /// The last `limit` entries with `peer`, oldest first.
  Result<std::vector<HistoryEntry>> with_peer(std::string_view peer, std::size_t limit);
  /// The last `limit` entries of the group `group_id`, oldest first.
  Result<std::vector<HistoryEntry>> in_group(ByteView group_id, std::size_t limit);
  /// One entry, if present.
  Result<std::optional<HistoryEntry>> find(std::string_view peer, MessageDirection direction, const MessageId& id);

 private:
  LocalStore& store_;
};

}  // namespace hush::client::store
