// `hush trust USERNAME [--yes]`: accepts USERNAME's changed identity key
// after a loud warning (and a confirmation on a terminal); sending to them
// works again, and they are no longer verified.
#include "command.hpp"
#include "format.hpp"
#include "session.hpp"

#include <fmt/format.h>

#include <cctype>

namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs& args) {
  const std::string& who = args.positionals[0];
  const std::string name = terminal_safe(who);
  auto client = open_client(ctx);
  if (!client) return report(ctx, client.error());
  auto contacts = (*client)->contacts();
  if (!contacts) return report(ctx, contacts.error());
  std::string wanted = who;
  for (char& ch : wanted) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  bool changed = false;
  for (const auto& c : *contacts) {
    if (c.username == wanted) changed = changed || c.identity_changed;
  }
  if (!changed) {
    return report(ctx, make_error(Errc::not_found, "no identity change pending"),
                  fmt::format("{}'s identity key has not changed: there is nothing to trust", name));
  }
  ctx.out.warning(fmt::format("{}'s IDENTITY KEY HAS CHANGED.", name));
  ctx.out.note(fmt::format(
      "  This happens when {0} reinstalls Hush or sets up a new device, or when someone is\n"
      "  trying to intercept your conversation. Messages to {0} are refused until you accept\n"
      "  the new key. Before accepting it, compare the new safety number with {0} in person\n"
      "  or over a channel you already trust.",
      name));
  if (!confirm(ctx, fmt::format("Accept {}'s new identity key?", name), args.flag("--yes"))) {
    ctx.out.note("not trusted; messages to " + name + " stay refused");
    return 1;
  }
  if (auto done = (*client)->trust(who); !done) return report(ctx, done.error());
  auto sn = (*client)->safety_number(who);
  if (ctx.out.json()) {
    JsonObject o("trusted");
    o.add("username", who);
    if (sn) o.add("digits", sn->digits);
    ctx.out.object(o);
  } else {
    ctx.out.text(fmt::format("accepted {}'s new identity key; {} is not verified any more", name, name));
    if (sn) ctx.out.text(fmt::format("new safety number: {}", sn->grouped()));
  }
  return 0;
}

}  // namespace

const CommandSpec& trust_command() {
  static const CommandSpec spec{
      "trust",
      "USERNAME [--yes]",
      "accept USERNAME's changed identity key (after a loud warning)",
      "When USERNAME's identity key changed, sending to them is refused until you\n"
      "accept the new key. This shows why that matters, asks on a terminal unless\n"
      "--yes, accepts the key and shows the new safety number.",
      {{"--yes", "", "do not ask for confirmation"}},
      {"USERNAME"},
      1,
      &run};
  return spec;
}

}  // namespace hush::cli
