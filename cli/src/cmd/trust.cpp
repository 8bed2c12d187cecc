// `hush trust USERNAME [--yes]`: accepts USERNAME's changed identity key
// after a loud warning (and a confirmation on a terminal); sending to them
// works again, and they are no longer verified.
#include "contact_decision.hpp"
#include "session.hpp"

#include <fmt/format.h>

#include <cctype>

namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs& args) {
  ContactDecision d;
  if (auto failed = open_contact_decision(ctx, args, d)) return *failed;
  const std::string& name = d.name;
  auto contacts = d.client->contacts();
  if (!contacts) return report(ctx, contacts.error());
  std::string wanted = d.who;
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
  if (!confirm_decision(ctx, args, fmt::format("Accept {}'s new identity key?", name),
                        "not trusted; messages to " + name + " stay refused")) {
    return 1;
  }
  if (auto done = d.client->trust(d.who); !done) return report(ctx, done.error());
  auto sn = d.client->safety_number(d.who);
  std::vector<std::string> lines = {
      fmt::format("accepted {}'s new identity key; {} is not verified any more", name, name)};
  if (sn) lines.push_back(fmt::format("new safety number: {}", sn->grouped()));
  return print_decision(ctx, "trusted", d, sn ? &sn->digits : nullptr, lines);
}

constexpr std::string_view kHelp =
    "When USERNAME's identity key changed, sending to them is refused until you\n"
    "accept the new key. This shows why that matters, asks on a terminal unless\n"
    "--yes, accepts the key and shows the new safety number.";

}  // namespace

const CommandSpec& trust_command() {
  static const CommandSpec spec =
      contact_decision_spec("trust", "accept USERNAME's changed identity key (after a loud warning)", kHelp, &run);
  return spec;
}

}  // namespace hush::cli
