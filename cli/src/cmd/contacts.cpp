// `hush contacts`: everyone we have exchanged keys with, verified or not,
// and whose identity key changed.
#include "command.hpp"
#include "daemon/daemon_client.hpp"
#include "format.hpp"
#include "session.hpp"

#include <fmt/format.h>

namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs&) {
  Result<std::vector<client::Contact>> contacts = make_error(Errc::unavailable);
  if (auto daemon = daemon::DaemonClient::connect(ctx.global.home)) {
    contacts = daemon->contacts();
  } else {
    auto client = open_client(ctx);
    if (!client) return report(ctx, client.error());
    contacts = (*client)->contacts();
  }
  if (!contacts) return report(ctx, contacts.error());
  for (const auto& c : *contacts) {
    if (ctx.out.json()) {
      JsonObject o("contact");
      // A script reading `verified` alone must never see true for a contact
      // whose key changed: the verification was of the key being replaced.
      o.add("username", c.username)
          .add("verified", c.verified && !c.identity_changed)
          .add("identity_changed", c.identity_changed);
      o.add("first_seen_ms", c.first_seen_ms).add("key_changes", static_cast<std::uint64_t>(c.key_changes));
      ctx.out.object(o);
      continue;
    }
    std::string state = c.verified ? "verified" : "not verified";
    if (c.identity_changed) state = fmt::format("IDENTITY KEY CHANGED (see `hush trust {}`)", terminal_safe(c.username));
    ctx.out.text(fmt::format("{:<20} {}", terminal_safe(c.username), state));
  }
  if (contacts->empty() && !ctx.out.json()) ctx.out.note("no contacts yet");
  return 0;
}

}  // namespace

const CommandSpec& contacts_command() {
  static const CommandSpec spec{"contacts", "", "list contacts, verified or not, and key changes",
                                "Lists everyone you have exchanged keys with: verified or not, and whether\n"
                                "their identity key changed and awaits `hush trust`.",
                                {}, {}, 0, &run};
  return spec;
}

}  // namespace hush::cli
