// `hush group ...`: groups over Hush (docs/cli.md, docs/protocol.md §8).
// create, send, add, remove, leave, rename, info, list, history; every
// change prints the group as it is after it.
#include "cmd/group_request.hpp"
#include "command.hpp"
#include "daemon/daemon_client.hpp"
#include "exit_codes.hpp"
#include "format.hpp"
#include "session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace hush::cli {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + terminal_safe(n);
  return out;
}

/// The group, and with `details` its history and refused changes.
void print_group(Output& out, const client::GroupInfo& g, bool details) {
  if (out.json()) {
    JsonObject o("group");
    o.add("id", g.id).add("name", g.name).add("version", g.version).add("active", g.active);
    o.add("members", g.members).add("admins", g.admins);
    out.object(o);
    if (g.pending_changes != 0) {
      JsonObject d("group_delivery");
      d.add("group_id", g.id).add("pending_changes", g.pending_changes).add("awaiting", g.awaiting_delivery);
      out.object(d);
    }
    if (g.behind_until != 0 || !g.warnings.empty()) {
      JsonObject w("group_warnings");
      w.add("group_id", g.id).add("behind_until", g.behind_until).add("warnings", g.warnings);
      out.object(w);
    }
    if (!details) return;
    for (const auto& h : g.history) {
      JsonObject c("group_change");
      c.add("group_id", g.id).add("version", h.version).add("author", h.author).add("action", h.action);
      c.add("subjects", h.subjects).add("name", h.name).add("timestamp_ms", h.timestamp_ms);
      out.object(c);
    }
    for (const auto& r : g.refused) {
      JsonObject c("group_refused");
      c.add("group_id", g.id).add("version", r.version).add("author", r.author).add("action", r.action);
      c.add("reason", r.reason).add("received_ms", r.received_ms);
      out.object(c);
    }
    return;
  }
  std::string members;
  for (const auto& m : g.members) {
    const bool admin = std::find(g.admins.begin(), g.admins.end(), m) != g.admins.end();
    members += (members.empty() ? "" : ", ") + terminal_safe(m) + (admin ? " (admin)" : "");
  }
  if (!details) {
    out.text(fmt::format("#{}  {} member{}  version {}  id {}{}", terminal_safe(g.name), g.members.size(),
                         g.members.size() == 1 ? "" : "s", g.version, g.id.substr(0, 16),
                         g.active ? "" : "  (you are no longer a member)"));
    return;
  }
  out.text(fmt::format("group #{}  version {}  id {}", terminal_safe(g.name), g.version, g.id));
  if (!g.active) out.text("you are no longer a member");
  if (g.pending_changes != 0) {
    out.text(fmt::format("waiting for delivery: {} change{} to {}", g.pending_changes,
                         g.pending_changes == 1 ? "" : "s", joined(g.awaiting_delivery)));
  }
  out.text("members: " + members);
  if (g.behind_until != 0) {
    out.warning(fmt::format("#{}: a member holds version {} of this group and it has not reached us yet; sending "
                            "waits for it (we asked for the changes)",
                            terminal_safe(g.name), g.behind_until));
  }
  if (!g.warnings.empty()) {
    out.text("warnings:");
    for (const auto& w : g.warnings) out.text("  " + terminal_safe(w));
  }
  out.text("changes:");
  for (const auto& h : g.history) {
    std::string what = h.action;
    if (!h.subjects.empty() && h.action != "leave") what += " " + joined(h.subjects);
    if (h.action == "create" || h.action == "rename") what += fmt::format(" \"{}\"", terminal_safe(h.name));
    out.text(fmt::format("  v{:<3} {}  {}: {}", h.version, format_time(h.timestamp_ms), terminal_safe(h.author), what));
  }
  if (!g.refused.empty()) {
    out.text("refused changes:");
    for (const auto& r : g.refused) {
      out.text(fmt::format("  v{:<3} {}  from {}: {} ({})", r.version, format_time(r.received_ms),
                           terminal_safe(r.author), r.action, r.reason));
    }
  }
}

/// What `group send` prints and returns, whether the daemon or this process sent it.
int report_group_send(Context& ctx, const std::string& group, const Result<client::SentMessage>& sent) {
  constexpr std::string_view kAmbiguityHint = "two groups share this name: use the id `hush group list` shows";
  if (!sent) {
    if (sent.code() == Errc::conflict) return report(ctx, sent.error(), kAmbiguityHint);
    if (sent.code() == Errc::forbidden) return report(ctx, sent.error(), "you are no longer a member of this group");
    if (sent.code() == Errc::stale_state) {
      return report(ctx, sent.error(),
                    "a member holds a newer version of this group (a change has not reached you): the message was "
                    "NOT sent; we asked for the change: run `hush receive`, then send again");
    }
    if (sent.code() == Errc::untrusted_identity) {
      return report(ctx, sent.error(),
                    "a member's identity key changed: the message was NOT sent; compare safety numbers, then "
                    "`hush trust USER`");
    }
    return report(ctx, sent.error());
  }
  // What the drain before the send brought (docs/protocol.md §8.7):
  // messages shown as `receive` shows them, warnings loud.
  for (const auto& m : sent->received) print_message(ctx.out, m);
  if (ctx.out.json()) {
    JsonObject o("sent");
    o.add("group", group).add("id", format_id(sent->id)).add("server_timestamp_ms", sent->server_timestamp_ms);
    o.add("duplicate", sent->duplicate);
    if (!sent->warnings.empty()) o.add("warnings", sent->warnings);
    if (!sent->refused.empty()) o.add("refused", refused_json(sent->refused));
    ctx.out.object(o);
  } else {
    ctx.out.text(fmt::format("sent to #{} at {} (id {})", terminal_safe(group),
                             format_time(sent->server_timestamp_ms), format_id(sent->id)));
  }
  // Every other member got it; the devices without room are named (exit 7).
  return report_refused(ctx.out, sent->refused);
}

int run(Context& ctx, const ParsedArgs& args) {
  std::string error;
  auto request = parse_group_request(args, error);
  if (!request) return ctx.out.usage(error, "group");
  using Verb = GroupRequest::Verb;
  if (request->verb == Verb::send && request->argument == "-") {
    request->argument.assign(std::istreambuf_iterator<char>(ctx.io.in), std::istreambuf_iterator<char>());
    while (!request->argument.empty() && (request->argument.back() == '\n' || request->argument.back() == '\r')) {
      request->argument.pop_back();
    }
  }
  if (request->verb == Verb::send && request->argument.empty()) return ctx.out.usage("group send: the message is empty", "group");
  if (request->verb == Verb::send) {  // a running `hush daemon` holds this home's connection: it sends
    if (auto daemon = daemon::DaemonClient::connect(ctx.global.home)) {
      return report_group_send(ctx, request->group, daemon->group_send(request->group, request->argument));
    }
  }
  auto client = open_client(ctx);
  if (!client) return report(ctx, client.error());
  client::Client& c = **client;
  const std::string_view ambiguity_hint = "two groups share this name: use the id `hush group list` shows";

  auto finish = [&](const Result<client::GroupInfo>& g, std::string_view verb) -> int {
    if (!g) {
      if (g.code() == Errc::conflict) return report(ctx, g.error(), ambiguity_hint);
      if (g.code() == Errc::forbidden) return report(ctx, g.error(), "only an admin changes the group (anyone may leave)");
      if (g.code() == Errc::untrusted_identity) {
        return report(ctx, g.error(), "a member's identity key changed: compare safety numbers, then `hush trust USER`");
      }
      return report(ctx, g.error());
    }
    if (!ctx.out.json()) {
      ctx.out.note(fmt::format("{} #{}", verb, terminal_safe(g->name)));
      // Applied and queued, not failed (docs/protocol.md §8.3, "Delivery"):
      // the queue is retried before every later command that reaches hushd.
      // Our own name in the list stands for our other devices.
      const auto me = c.whoami();
      std::vector<std::string> others;
      bool own_devices = false;
      for (const auto& a : g->awaiting_delivery) {
        if (me && a == me->username) {
          own_devices = true;
        } else {
          others.push_back(a);
        }
      }
      const auto n = others.size();
      if (n != 0 || own_devices) {
        std::string when = "when the server is reachable";
        if (g->delivery_error == Errc::untrusted_identity) {
          when = "once you trust the changed identity key (`hush trust USER`)";
        } else if (g->delivery_error != Errc::ok && exit_code(g->delivery_error) != static_cast<int>(ExitCode::network)) {
          when = fmt::format("when a retry succeeds ({} now)", errc_name(g->delivery_error));
        }
        std::string who = n == 0 ? std::string("your other devices (if any)")
                                 : fmt::format("{} member{}", n, n == 1 ? "" : "s");
        std::string names = joined(others);
        if (own_devices && n != 0) names += ", and your other devices if any";
        ctx.out.note(fmt::format("applied here; {} will get it {}{}; every command that reaches the server retries", who,
                                 when, n == 0 ? "" : " (" + names + ")"));
      }
    }
    print_group(ctx.out, *g, true);
    return 0;
  };

  switch (request->verb) {
    case Verb::create: return finish(c.group_create(request->name, request->members), "created");
    case Verb::add: return finish(c.group_add(request->group, request->argument), "added " + request->argument + " to");
    case Verb::remove:
      return finish(c.group_remove(request->group, request->argument), "removed " + request->argument + " from");
    case Verb::leave: return finish(c.group_leave(request->group), "left");
    case Verb::rename: return finish(c.group_rename(request->group, request->name), "renamed");
    case Verb::info: {
      auto g = c.group_info(request->group);
      if (!g) return report(ctx, g.error(), g.code() == Errc::conflict ? ambiguity_hint : std::string_view());
      print_group(ctx.out, *g, true);
      return 0;
    }
    case Verb::list: {
      auto all = c.groups();
      if (!all) return report(ctx, all.error());
      for (const auto& g : *all) print_group(ctx.out, g, false);
      if (all->empty() && !ctx.out.json()) ctx.out.note("no groups yet: `hush group create NAME --members USER,...`");
      return 0;
    }
    case Verb::history: {
      auto messages = c.group_history(request->group, static_cast<std::size_t>(request->limit));
      if (!messages) {
        return report(ctx, messages.error(), messages.code() == Errc::conflict ? ambiguity_hint : std::string_view());
      }
      for (const auto& m : *messages) {
        if (ctx.out.json()) {
          ctx.out.object(history_json(m));
        } else {
          ctx.out.text(history_line(m));
        }
      }
      if (messages->empty() && !ctx.out.json()) ctx.out.note("no messages in this group yet");
      return 0;
    }
    case Verb::send: return report_group_send(ctx, request->group, c.group_send(request->group, request->argument));
  }
  return 0;
}

}  // namespace

const CommandSpec& group_command() {
  static const CommandSpec spec{
      "group",
      "create NAME --members U,.. | send G TEXT | add G USER | remove G USER | leave G | rename G NAME | info G | "
      "list | history G",
      "groups: create, send, add, remove, leave, rename, info, list, history",
      "Groups are end-to-end encrypted: a message is encrypted once with your Sender Key and\n"
      "uploaded once for every device of every member. G is a group's name or its id (or the\n"
      "id's first 8+ hex digits); a name two groups share is refused (exit 8).\n"
      "  group create NAME --members A,B,C   a new group with you as its admin\n"
      "  group send G TEXT                   TEXT `-` reads stdin\n"
      "  group add G USER / remove G USER    admins only; a removal rotates every member's key\n"
      "  group leave G                       anyone; the last admin leaving hands the group on\n"
      "  group rename G NAME                 admins only\n"
      "  group info G                        members, admins, version, every change (who, when)\n"
      "                                      and changes refused (from a non-admin, or replayed)\n"
      "  group list                          every group this device knows\n"
      "  group history G [--limit N]         the group's messages from the local store\n"
      "Received group messages appear in receive, listen, chat and history as `alice in #G`.\n"
      "Members agree on the member list: a member behind or ahead is told, and warnings\n"
      "(WARNING: #G: ...) say when someone sent with an old member list or you caught up.",
      {{"--members", "USERS", "create: the members, comma-separated"},
       {"--limit", "N", "history: how many messages (default 50)"}},
      {"SUBCOMMAND", "GROUP", "ARGUMENT"},
      0,
      &run};
  return spec;
}

}  // namespace hush::cli
