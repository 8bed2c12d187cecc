// `hush trust USERNAME [--yes]`: accepts USERNAME's changed identity key
// after a loud warning (and a confirmation on a terminal); sending to them
// works again, and they are no longer verified.
#include "contact_decision.hpp"
#include "format.hpp"
#include "qr.hpp"
#include "session.hpp"

#include <fmt/format.h>


namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs& args) {
  ContactDecision d;
  if (auto failed = open_contact_decision(ctx, args, d)) return *failed;
  const std::string& name = d.name;
  auto sn = d.client->safety_number(d.who);
  if (!sn) return report(ctx, sn.error());
  if (!sn->identity_changed) {
    return report(ctx, make_error(Errc::not_found, "no identity change pending"),
                  fmt::format("{}'s identity key has not changed: there is nothing to trust", name));
  }
  ctx.out.warning(fmt::format("{}'s IDENTITY KEY HAS CHANGED.", name));
  ctx.out.note(fmt::format(
      "  This happens when {0} reinstalls Hush or sets up a new device, or when someone is\n"
      "  trying to intercept your conversation. Messages to {0} are refused until you accept\n"
      "  the new key. Before accepting it, compare the new safety number below with {0} in\n"
      "  person or over a channel you already trust.",
      name));
  // Everything the decision rests on, before the question (on stderr: stdout
  // keeps only the outcome): the new number, its QR code and the exact key.
  const std::string grouped = grouped_digits(sn->pending_digits);
  ctx.out.note(fmt::format("New safety number with {} (with the new key):", name));
  for (std::size_t line = 0; line < 3; ++line) {
    const std::size_t from = line * 24;
    if (from < grouped.size()) ctx.out.note("    " + grouped.substr(from, 23));
  }
  if (!args.flag("--yes")) {
    if (auto qr = render_qr(sn->pending_scannable)) ctx.out.note(*qr);
  }
  ctx.out.note(fmt::format("The key that will be accepted: {}", grouped_key(sn->pending_key_hex)));
  if (auto no = confirm_decision(ctx, args, "trust", fmt::format("Accept {}'s new identity key?", name),
                                 "not trusted; messages to " + name + " stay refused")) {
    return *no;
  }
  // Only the key shown: if another change arrived meanwhile, nothing is accepted.
  if (auto done = d.client->trust(d.who, sn->pending_key_hex); !done) {
    if (done.code() == Errc::conflict) {
      return report(ctx, done.error(),
                    fmt::format("{}'s key changed again while you decided; nothing was accepted: run `hush trust {}` "
                                "again and compare the new number",
                                name, name));
    }
    return report(ctx, done.error());
  }
  std::vector<std::string> lines = {
      fmt::format("accepted {}'s new identity key {}; {} is not verified any more", name,
                  grouped_key(sn->pending_key_hex), name),
      fmt::format("new safety number: {}", grouped)};
  return print_decision(ctx, "trusted", d, &sn->pending_digits, lines);
}

constexpr std::string_view kHelp =
    "When USERNAME's identity key changed, sending to them is refused until you\n"
    "accept the new key. This shows why that matters, the new safety number, its\n"
    "QR code and the exact key, then asks (without a terminal, --yes is required)\n"
    "and accepts that key only: if it changed again meanwhile, nothing is accepted.";

}  // namespace

const CommandSpec& trust_command() {
  static const CommandSpec spec =
      contact_decision_spec("trust", "accept USERNAME's changed identity key (after a loud warning)", kHelp, &run);
  return spec;
}

}  // namespace hush::cli
