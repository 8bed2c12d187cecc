// Hush's message content, the plaintext that travels inside the ratchet:
// version, message id, timestamp and one body (a text, a receipt, or a
// group control message: a membership change or a Sender Key distribution). encode() serializes and pads; decode() unpads,
// parses and validates fully. Wire schema: proto/client_content.proto.
#pragma once

#include <hush/client/message_id.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace hush::client::content {

/// The content version this build writes and the only one it reads. 2: the
/// SDK's frame around 1:1 content is gone, its fields are the content's
/// (issue #16; docs/protocol.md §6.1).
inline constexpr std::uint32_t kContentVersion = 2;
/// Longest username in sender_username and sent_to (hushd allows 32).
inline constexpr std::size_t kMaxContentUsername = 64;
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

/// Group ids are 32 random bytes chosen by the group's creator.
inline constexpr std::size_t kGroupIdSize = 32;
/// Most members of one group (accounts): a group of 1,000 accounts is the
/// largest the benchmarks cover; a change listing more is refused.
inline constexpr std::size_t kMaxGroupMembers = 1000;
/// Longest group name (bytes of UTF-8).
inline constexpr std::size_t kMaxGroupNameSize = 128;
/// Longest username in a group change (hushd allows 32; frames 64).
inline constexpr std::size_t kMaxGroupUsername = 64;
/// Most past changes carried to a newly added member (older ones are left out).
inline constexpr std::size_t kMaxGroupHistory = 256;

/// Size of a group members hash (SHA-256, docs/protocol.md §8.7).
inline constexpr std::size_t kMembersHashSize = 32;
/// Most signed changes in one GroupStateNotice (a member further behind
/// than this takes them in several notices, or is re-added).
inline constexpr std::size_t kMaxNoticeChanges = 64;

/// A group's version and members hash as a member held them (§8.7): stamped
/// on group texts and Sender Key distributions. version 0: not stamped.
struct GroupStamp {
  std::uint32_t version = 0;
  Bytes members_hash;  ///< kMembersHashSize bytes when version != 0
};

/// What a group change does (docs/protocol.md §8.3).
enum class GroupAction : std::uint8_t { create = 1, add = 2, remove = 3, leave = 4, rename = 5 };

/// A past change as carried to a newly added member.
struct GroupChangeSummary {
  std::uint32_t version = 0;
  std::string author;
  GroupAction action = GroupAction::create;
  std::vector<std::string> subjects;
  std::string name;
  std::uint64_t timestamp_ms = 0;
};

/// One change of a group's state with the whole state after it.
struct GroupChange {
  Bytes group_id;                     ///< kGroupIdSize bytes
  std::uint32_t version = 0;          ///< the version after the change (create: 1)
  std::string author;                 ///< username of the member making it
  GroupAction action = GroupAction::create;
  std::vector<std::string> subjects;  ///< added / removed members; the author for a leave
  std::vector<std::string> members;   ///< every member after the change
  std::vector<std::string> admins;    ///< every admin after the change
  std::string name;                   ///< the group's name after the change
  std::uint64_t timestamp_ms = 0;
  std::vector<GroupChangeSummary> history;  ///< only for the members an add adds
  /// XEdDSA by the author's identity key over the canonical bytes (§8.7);
  /// empty only in changes of builds before it.
  Bytes signature;
};

/// A member device's Sender Key for one group (a serialized
/// SenderKeyDistributionMessage: it holds a chain key, so it is a secret).
struct SenderKeyDistribution {
  Bytes group_id;
  SecretBuffer distribution;
  GroupStamp stamp = {};  ///< the sender's view of the group (§8.7)
};

/// Membership agreement between two members (§8.7): the sender's version
/// and members hash, the signed changes it thinks the receiver lacks, and
/// whether it asks for the receiver's changes after `stamp.version`.
struct GroupStateNotice {
  Bytes group_id;
  GroupStamp stamp;
  std::vector<GroupChange> changes;  ///< oldest first, at most kMaxNoticeChanges, no history
  bool request = false;
};

/// Longest envelope message id a decryption error may name (as the store's received ids).
inline constexpr std::size_t kMaxDecryptionErrorIdSize = 64;

/// "Your message could not be decrypted; please resend" (docs/protocol.md
/// §7.6): names the failed envelope so its sender can find and resend it.
struct DecryptionError {
  Bytes message_id;                   ///< the failed envelope's message id, 1..kMaxDecryptionErrorIdSize bytes
  Bytes ratchet_key;                  ///< its sender ratchet key (33 bytes) when it parsed, else empty
  std::uint64_t server_timestamp_ms = 0;
};

struct Content {
  MessageId id;
  std::uint64_t timestamp_ms = 0;
  std::variant<TextBody, Receipt, GroupChange, SenderKeyDistribution, DecryptionError, GroupStateNotice> body;
  /// A group text's group (kGroupIdSize bytes); nullopt for everything else.
  std::optional<Bytes> group_id = std::nullopt;
  /// A group text's stamp (§8.7); version 0 when absent.
  GroupStamp group_stamp = {};
  /// The sender's claimed username (1:1 content; docs/protocol.md §7.1):
  /// names an account the receiver does not know yet, once hushd confirms it.
  std::string sender_username = {};
  /// Only on a copy between one account's own devices: the recipient's username.
  std::string sent_to = {};
};

/// Serializes (version kContentVersion) and pads. invalid_argument for a text
/// longer than kMaxTextSize, a receipt with 0 or more than kMaxReceiptIds ids,
/// or a group change or distribution outside the limits above.
[[nodiscard]] Result<SecretBuffer> encode(const Content& content);

/// Unpads and parses. Errors: decode_error (padding, protobuf, invalid UTF-8),
/// unsupported_version (another version, or a device provisioning control
/// message, which this build does not handle yet), bad_length (a message id
/// not 16 bytes, a group id not kGroupIdSize), invalid_message (no body, an
/// unknown receipt kind or group action, limits exceeded).
[[nodiscard]] Result<Content> decode(ByteView padded);

/// As decode() for bytes without padding. Same errors as decode().
[[nodiscard]] Result<Content> parse(ByteView bytes);
/// As parse() for content of version 1, which travelled inside the SDK's
/// frame (docs/protocol.md §7.1): only to bring frames a store kept before
/// version 2 up to date (sdk/legacy_frame.hpp). Never used on received bytes.
[[nodiscard]] Result<Content> parse_version1(ByteView bytes);

/// One group change alone (protobuf GroupChange, history included if set),
/// as a group record keeps the changes it may forward. invalid_argument as encode().
[[nodiscard]] Result<Bytes> serialize_group_change(const GroupChange& change);
/// Parses and validates what serialize_group_change() wrote. Errors as decode().
[[nodiscard]] Result<GroupChange> parse_group_change(ByteView bytes);

}  // namespace hush::client::content
