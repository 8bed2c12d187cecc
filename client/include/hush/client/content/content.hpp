// Hush's message content, the plaintext that travels inside the ratchet:
// version, message id, timestamp and one body (a text or a receipt; control
// messages are reserved). encode() serializes and pads; decode() unpads,
// parses and validates fully. Wire schema: proto/client_content.proto.
#pragma once

#include <hush/client/message_id.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <variant>
#include <vector>

namespace hush::client::content {

/// The content version this build writes and the only one it reads.
inline constexpr std::uint32_t kContentVersion = 1;
/// Longest text (bytes of UTF-8) sent or accepted: 64 KiB.
inline constexpr std::size_t kMaxTextSize = 64 * 1024;
/// Most message ids in one receipt (a screenful of messages read at once, with room).
inline constexpr std::size_t kMaxReceiptIds = 1000;

/// A text message. The text is plaintext from the ratchet: a secret.
struct TextBody {
  SecretBuffer text;
};

/// Delivery or read receipt for messages from the receiver of this content.
struct Receipt {
  enum class Kind { delivered, read };
  Kind kind = Kind::delivered;
  std::vector<MessageId> message_ids;
};

struct Content {
  MessageId id;
  std::uint64_t timestamp_ms = 0;
  std::variant<TextBody, Receipt> body;
};

/// Serializes (version kContentVersion) and pads. invalid_argument for a text
/// longer than kMaxTextSize or a receipt with 0 or more than kMaxReceiptIds ids.
[[nodiscard]] Result<SecretBuffer> encode(const Content& content);

/// Unpads and parses. Errors: decode_error (padding, protobuf, invalid UTF-8),
/// unsupported_version (another version, or a control message, which this
/// build does not handle yet), bad_length (a message id not 16 bytes),
/// invalid_message (no body, an unknown receipt kind, limits exceeded).
[[nodiscard]] Result<Content> decode(ByteView padded);

/// As encode() without the padding, for a container that is padded whole
/// (the SDK's frame, docs/protocol.md §7.1). Same errors as encode().
[[nodiscard]] Result<SecretBuffer> serialize(const Content& content);

/// As decode() for bytes without padding. Same errors as decode().
[[nodiscard]] Result<Content> parse(ByteView bytes);

}  // namespace hush::client::content
