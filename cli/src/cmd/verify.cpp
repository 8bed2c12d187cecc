// `hush verify USERNAME [--yes]`: marks USERNAME verified after you compared
// the safety number (shown first, and confirmed on a terminal). A later key
// change clears the mark loudly.
#include "contact_decision.hpp"
#include "session.hpp"

#include <fmt/format.h>

namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs& args) {
  ContactDecision d;
  if (auto failed = open_contact_decision(ctx, args, d)) return *failed;
  auto sn = d.client->safety_number(d.who);
  if (!sn) return report(ctx, sn.error());
  if (sn->identity_changed) {
    ctx.out.warning(fmt::format("{0}'s identity key has CHANGED: accept or refuse it first (`hush trust {0}`).", d.name));
    return report(ctx, make_error(Errc::conflict, "identity change pending"), fmt::format("hush trust {}", d.name));
  }
  ctx.out.note(fmt::format("Safety number with {}: {}", d.name, sn->grouped()));  // stderr, before asking
  if (auto no = confirm_decision(ctx, args, "verify", fmt::format("Does it match the number on {}'s device?", d.name),
                                 "not verified")) {
    return *no;
  }
  if (auto done = d.client->verify(d.who); !done) return report(ctx, done.error());
  return print_decision(ctx, "verified", d, &sn->digits, {fmt::format("{} is verified", d.name)});
}

constexpr std::string_view kHelp =
    "Shows the safety number with USERNAME and, once you confirm it matches the\n"
    "number on their device, marks them verified. On a terminal it asks first\n"
    "unless --yes. A later identity key change clears the mark, loudly.";

}  // namespace

const CommandSpec& verify_command() {
  static const CommandSpec spec =
      contact_decision_spec("verify", "mark USERNAME verified after comparing safety numbers", kHelp, &run);
  return spec;
}

}  // namespace hush::cli
