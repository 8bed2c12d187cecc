// The durable outbox of group changes (docs/protocol.md §8.3, "Delivery"):
// what one queued delivery holds (the padded frame for one recipient account
// and where it belongs), its sealed encoding in the store's `outbox` table,
// and the per-account server message id every attempt reuses. Private to the
// SDK; the sending and retrying live in group_outbox.cpp.
#pragma once

#include <hush/client/message_id.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>

namespace hush::client::sdk {

/// The payload format this build writes and the only one it reads.
inline constexpr std::uint8_t kPendingGroupChangeFormat = 1;
/// Largest padded frame a queued change may hold: a change with the full
/// history (content::kMaxGroupHistory entries) pads to well under this.
inline constexpr std::size_t kMaxPendingFrameSize = 1 << 20;

/// One change waiting for one recipient account. The outbox row adds the
/// recipient's username and the change's content id (MessageId).
struct PendingGroupChange {
  Bytes group_id;
  std::uint32_t version = 0;
  /// The recipient joins with this change: its copy carries the history, and
  /// it is sent only after every member's copy went out.
  bool joining = false;
  SecretBuffer frame;  ///< the padded pairwise plaintext (§7.1) as it is encrypted for each device
};

/// The sealed outbox payload. The frame is copied into a self-wiping buffer.
[[nodiscard]] SecretBuffer encode_pending_group_change(const PendingGroupChange& p);
/// Parses a payload. decode_error (truncated, trailing bytes, over-long
/// fields), unsupported_version (another format).
[[nodiscard]] Result<PendingGroupChange> decode_pending_group_change(ByteView payload);

/// The server-side id of one change for one recipient account: hushd's
/// idempotency key is per sender device and id, so each account's copy needs
/// its own, and every retry of that copy uses the same one.
[[nodiscard]] Bytes change_message_id(const MessageId& id, ByteView account);

}  // namespace hush::client::sdk
