// Sent messages kept for a resend (table sent_messages, issue #13): when a
// recipient's device reports that it could not decrypt one of our messages
// (a decryption error, docs/protocol.md §7.6), the frame is found here by
// the envelope id the recipient saw and sent again over a new session. The
// frame is sealed like every other secret; rows are pruned by age and count.
// Also the per-peer-device counters that rate-limit decryption errors and
// resends, so that a hostile peer cannot make two clients loop.
#pragma once

#include <hush/client/store/local_store.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hush::client::store {

/// How long a sent frame is kept for a resend: a day, as Signal's message
/// send log; a recipient offline longer gets a decryption error answered with
/// "no longer held" (shown on its side as a lost message).
inline constexpr std::uint64_t kSentMessageRetentionMs = 24ULL * 3600 * 1000;
/// Most sent frames kept (the oldest go first): bounds the store however much is sent.
inline constexpr std::size_t kMaxSentMessages = 2000;
/// Most resends of one sent message (one per reporting device is the norm;
/// more means the recipient keeps failing, and resending cannot help).
inline constexpr std::uint32_t kMaxResendsPerMessage = 3;

/// One kept frame.
struct SentRecord {
  Bytes server_message_id;     ///< the envelope id the recipient sees
  Bytes recipient_account;     ///< 16 bytes
  std::string recipient_name;
  std::uint64_t created_ms = 0;
  std::uint32_t resends = 0;
  bool resend_pending = false; ///< a decryption error asked for it; not yet sent again
  SecretBuffer frame;          ///< the padded frame, as encrypted for each device
};

/// Creates the tables if they do not exist (run when a store is opened).
[[nodiscard]] Status ensure_sent_message_tables(LocalStore& store);

class SentMessages {
 public:
  explicit SentMessages(LocalStore& store) noexcept : store_(store) {}
  /// Keeps a sent frame (replacing one with the same id), then prunes rows
  /// older than kSentMessageRetentionMs and beyond kMaxSentMessages.
  [[nodiscard]] Status keep(ByteView server_message_id, ByteView recipient_account, std::string_view recipient_name,
                            ByteView frame);
  /// The frame sent under `server_message_id`, or nullopt.
  Result<std::optional<SentRecord>> find(ByteView server_message_id);
  /// Marks a resend as wanted (a decryption error named it). false when the
  /// row is gone or has had kMaxResendsPerMessage resends already.
  Result<bool> request_resend(ByteView server_message_id);
  /// Rows with a resend wanted, oldest first.
  Result<std::vector<SentRecord>> pending_resends();
  /// Counts one resend done and clears the request.
  [[nodiscard]] Status resent(ByteView server_message_id);

 private:
  LocalStore& store_;
};

/// Rate limit of the decryption-error exchange per peer device (table
/// decryption_error_budget): at most `limit` events of one kind per window.
class DecryptionErrorBudget {
 public:
  explicit DecryptionErrorBudget(LocalStore& store) noexcept : store_(store) {}
  /// Takes one unit of `kind` ("report": errors we send; "resend": resends we
  /// make on a peer's request) for `peer` ("account_hex.device"). false when
  /// `limit` were taken in the current window of `window_ms`.
  Result<bool> take(std::string_view peer, std::string_view kind, std::uint32_t limit, std::uint64_t window_ms);

 private:
  LocalStore& store_;
};

}  // namespace hush::client::store
