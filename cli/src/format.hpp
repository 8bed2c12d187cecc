// How messages, ids and times look: one human line per message
// ("[2024-05-01 12:00:03] alice: hello", text made terminal-safe) and one
// JSON object per message with stable keys (docs/cli.md). Shared by
// receive, listen, chat and history.
#pragma once

#include "output.hpp"

#include <hush/client/client.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace hush::cli {

/// "2024-05-01 12:00:03" in local time.
[[nodiscard]] std::string format_time(std::uint64_t ms_since_epoch);
/// 32 lower-case hex digits.
[[nodiscard]] std::string format_id(const client::MessageId& id);

/// "[time] alice: text" (for a copy of our own: "[time] me -> bob: text"; for
/// a group change: "[time] #friends: alice added dave").
[[nodiscard]] std::string message_line(const client::ReceivedMessage& m);
/// A group change in words: "alice added dave, erin", "bob left the group",
/// "alice renamed the group to #pals".
[[nodiscard]] std::string group_change_text(const client::GroupChangeInfo& change);
/// For a message that could not be decrypted: "a message from carol could not
/// be decrypted (bad_mac); asked carol's device to resend".
[[nodiscard]] std::string failure_text(const client::ReceivedMessage& m);
/// {"type":"message","id",...,"text"}.
[[nodiscard]] JsonObject message_json(const client::ReceivedMessage& m);

/// "[time] me: text" or "[time] bob: text".
[[nodiscard]] std::string history_line(const client::HistoryMessage& m);
[[nodiscard]] JsonObject history_json(const client::HistoryMessage& m);

/// Prints who we are: human lines or {"type":"identity",...}.
void print_identity(Output& out, const client::Identity& id, std::string_view verb);

/// "12345 67890 ..." (groups of five digits).
[[nodiscard]] std::string grouped_digits(std::string_view digits);
/// A key's hex in groups of four, for reading aloud: "05ab cdef ...".
[[nodiscard]] std::string grouped_key(std::string_view hex);
/// Prints one received message in the current mode.
void print_message(Output& out, const client::ReceivedMessage& m);

/// For a copy the server refused for lack of room: "NOT delivered to bob's
/// device 2: its mailbox on the server is full".
[[nodiscard]] std::string refused_text(const client::RefusedCopy& r);
/// "bob:2:queue_full" for the `refused` array of a `sent` JSON object.
[[nodiscard]] std::vector<std::string> refused_json(const std::vector<client::RefusedCopy>& refused);
/// After a send the server accepted: each refused copy as a warning
/// (stderr); the exit code, 7 (refused) when some copy was, else 0.
[[nodiscard]] int report_refused(Output& out, const std::vector<client::RefusedCopy>& refused);

}  // namespace hush::cli
