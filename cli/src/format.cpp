// Message and time formatting (see format.hpp). Plaintext is copied only into
// the line being printed.
#include "format.hpp"

#include "exit_codes.hpp"

#include <hush/util/bytes.hpp>

#include <fmt/format.h>

#include <ctime>

namespace hush::cli {

std::string format_time(std::uint64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[32];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0) return "?";
  return buf;
}

std::string format_id(const client::MessageId& id) { return to_hex(id.view()); }

std::string failure_text(const client::ReceivedMessage& m) {
  const auto& f = *m.failure;
  const std::string who = m.sender.empty() ? fmt::format("an unknown account ({})", f.sender_account.substr(0, 8))
                                           : terminal_safe(m.sender);
  std::string line = fmt::format("a {}message from {} could not be decrypted ({})", f.group ? "group " : "", who, f.error);
  if (f.resend_requested) {
    line += fmt::format("; asked {}'s device to resend", who);
  } else {
    line += "; it is lost unless they send it again";
  }
  return line;
}

std::string group_change_text(const client::GroupChangeInfo& c) {
  std::string subjects;
  for (const auto& s : c.subjects) subjects += (subjects.empty() ? "" : ", ") + terminal_safe(s);
  const std::string author = terminal_safe(c.author);
  if (c.action == "create") return fmt::format("{} created the group with {}", author, subjects);
  if (c.action == "add") return fmt::format("{} added {}", author, subjects);
  if (c.action == "remove") return fmt::format("{} removed {}", author, subjects);
  if (c.action == "leave") return fmt::format("{} left the group", author);
  if (c.action == "rename") return fmt::format("{} renamed the group to #{}", author, terminal_safe(c.name));
  return fmt::format("{}: {} {}", author, terminal_safe(c.action), subjects);
}

std::string message_line(const client::ReceivedMessage& m) {
  if (m.failure) return fmt::format("[{}] ! {}", format_time(m.server_timestamp_ms), failure_text(m));
  if (m.group_change) {  // "[time] #friends: alice added dave", a line of its own (issue #16)
    return fmt::format("[{}] #{}: {}", format_time(m.timestamp_ms), terminal_safe(m.group_name),
                       group_change_text(*m.group_change));
  }
  if (m.notice) {  // a group warning with no message (docs/protocol.md §8.7)
    std::string text;
    for (const auto& w : m.warnings) text += (text.empty() ? "" : "; ") + terminal_safe(w);
    return fmt::format("[{}] warning in #{}: {}", format_time(m.timestamp_ms), terminal_safe(m.group_name), text);
  }
  if (m.group_id) {  // "[time] alice in #friends: text", our other device's as "me in #friends"
    return fmt::format("[{}] {} in #{}: {}", format_time(m.timestamp_ms), m.sent_by_me ? "me" : terminal_safe(m.sender),
                       terminal_safe(m.group_name), terminal_safe(m.text_view()));
  }
  const std::string who = m.sent_by_me ? fmt::format("me -> {}", terminal_safe(m.conversation)) : terminal_safe(m.sender);
  return fmt::format("[{}] {}: {}", format_time(m.timestamp_ms), who, terminal_safe(m.text_view()));
}

JsonObject message_json(const client::ReceivedMessage& m) {
  if (m.failure) {
    JsonObject f("undecryptable");
    f.add("from", m.sender)
        .add("from_device", m.sender_device)
        .add("from_account", m.failure->sender_account)
        .add("server_timestamp_ms", m.server_timestamp_ms)
        .add("error", m.failure->error)
        .add("resend_requested", m.failure->resend_requested)
        .add("group", m.failure->group);
    return f;
  }
  if (const auto& c = m.group_change) {
    JsonObject g("group_change");
    g.add("group", m.group_name).add("group_id", m.group_id ? to_hex(*m.group_id) : std::string());
    g.add("version", c->version).add("author", c->author).add("action", c->action).add("subjects", c->subjects);
    g.add("name", c->name).add("timestamp_ms", c->timestamp_ms);
    return g;
  }
  JsonObject o("message");
  o.add("id", format_id(m.id))
      .add("from", m.sender)
      .add("from_device", m.sender_device)
      .add("conversation", m.conversation)
      .add("sent_by_me", m.sent_by_me)
      .add("timestamp_ms", m.timestamp_ms)
      .add("server_timestamp_ms", m.server_timestamp_ms)
      .add("text", m.text_view());
  if (m.group_id) o.add("group", m.group_name).add("group_id", to_hex(*m.group_id));
  if (!m.warnings.empty()) o.add("warnings", m.warnings);
  return o;
}

std::string history_line(const client::HistoryMessage& m) {
  const std::string where = m.group_id ? fmt::format(" in #{}", terminal_safe(m.group_name)) : std::string();
  return fmt::format("[{}] {}{}: {}", format_time(m.timestamp_ms), m.outgoing ? "me" : terminal_safe(m.peer), where,
                     terminal_safe(m.text_view()));
}

JsonObject history_json(const client::HistoryMessage& m) {
  JsonObject o("history");
  o.add("id", format_id(m.id))
      .add("peer", m.peer)
      .add("outgoing", m.outgoing)
      .add("timestamp_ms", m.timestamp_ms)
      .add("text", m.text_view());
  if (m.group_id) o.add("group", m.group_name).add("group_id", to_hex(*m.group_id));
  return o;
}

void print_identity(Output& out, const client::Identity& id, std::string_view verb) {
  if (out.json()) {
    JsonObject o("identity");
    o.add("username", id.username)
        .add("account_id", id.account_id_hex)
        .add("device_id", id.device_id)
        .add("server", id.server_url)
        .add("identity_key", id.identity_key_hex);
    if (!id.recovery_code.empty()) o.add("recovery_code", id.recovery_code);
    out.object(o);
    return;
  }
  out.text(fmt::format("{} {} on {} (device {})", verb, terminal_safe(id.username), terminal_safe(id.server_url),
                       id.device_id));
  out.text(fmt::format("account id:   {}", id.account_id_hex));
  out.text(fmt::format("identity key: {}", id.identity_key_hex));
  if (!id.recovery_code.empty()) {
    out.text(fmt::format("recovery code: {}", id.recovery_code));
    out.text("  Write it down and keep it away from this device: it is shown only this once. If you lose");
    out.text("  every device, `hush register --recover CODE` makes a new one (your contacts then see a");
    out.text("  new identity key and must accept it).");
  }
}

namespace {
/// `text` in groups of `size` characters separated by spaces, for reading aloud.
std::string grouped(std::string_view text, std::size_t size) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += size) {
    if (!out.empty()) out += ' ';
    out += text.substr(i, size);
  }
  return out;
}
}  // namespace

std::string grouped_digits(std::string_view digits) { return grouped(digits, 5); }

std::string grouped_key(std::string_view hex) { return grouped(hex, 4); }

void print_message(Output& out, const client::ReceivedMessage& m) {
  if (out.json()) {
    if (m.notice) {
      JsonObject o("group_warning");
      o.add("group", m.group_name).add("group_id", m.group_id ? to_hex(*m.group_id) : std::string());
      o.add("timestamp_ms", m.timestamp_ms).add("warnings", m.warnings);
      out.object(o);
      return;
    }
    out.object(message_json(m));
    return;
  }
  // Group warnings (§8.7) go to stderr, loud, so a script reading stdout
  // still sees only messages and a person cannot miss them.
  if (m.notice) {
    for (const auto& w : m.warnings) out.warning(fmt::format("#{}: {}", terminal_safe(m.group_name), terminal_safe(w)));
    return;
  }
  out.text(message_line(m));
  for (const auto& w : m.warnings) out.warning(fmt::format("#{}: {}", terminal_safe(m.group_name), terminal_safe(w)));
}

std::string refused_text(const client::RefusedCopy& r) {
  const std::string why = r.reason == "share_full"
                              ? "it holds as many of your messages as the server keeps from one sender; they must "
                                "be read first (`hush receive` on that device): send it again later"
                              : "its mailbox on the server is full until that device receives (`hush receive`): "
                                "send it again later";
  return fmt::format("NOT delivered to {}'s device {}: {}", terminal_safe(r.recipient), r.device, why);
}

std::vector<std::string> refused_json(const std::vector<client::RefusedCopy>& refused) {
  std::vector<std::string> out;
  out.reserve(refused.size());
  for (const auto& r : refused) out.push_back(fmt::format("{}:{}:{}", r.recipient, r.device, r.reason));
  return out;
}

int report_refused(Output& out, const std::vector<client::RefusedCopy>& refused) {
  for (const auto& r : refused) out.warning(refused_text(r));
  return refused.empty() ? 0 : static_cast<int>(ExitCode::refused);
}

}  // namespace hush::cli
