// `hush verify USERNAME [--yes]`: marks USERNAME verified after you compared
// the safety number (shown first, and confirmed on a terminal). A later key
// change clears the mark loudly.
#include "command.hpp"
#include "format.hpp"
#include "session.hpp"

#include <fmt/format.h>

namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs& args) {
  const std::string& who = args.positionals[0];
  const std::string name = terminal_safe(who);
  auto client = open_client(ctx);
  if (!client) return report(ctx, client.error());
  auto sn = (*client)->safety_number(who);
  if (!sn) return report(ctx, sn.error());
  if (sn->identity_changed) {
    ctx.out.warning(fmt::format("{0}'s identity key has CHANGED: accept or refuse it first (`hush trust {0}`).", name));
    return report(ctx, make_error(Errc::conflict, "identity change pending"), fmt::format("hush trust {}", name));
  }
  if (!ctx.out.json()) ctx.out.note(fmt::format("Safety number with {}: {}", name, sn->grouped()));
  if (!confirm(ctx, fmt::format("Does it match the number on {}'s device?", name), args.flag("--yes"))) {
    ctx.out.note("not verified");
    return static_cast<int>(1);
  }
  if (auto done = (*client)->verify(who); !done) return report(ctx, done.error());
  if (ctx.out.json()) {
    JsonObject o("verified");
    o.add("username", who).add("digits", sn->digits);
    ctx.out.object(o);
  } else {
    ctx.out.text(fmt::format("{} is verified", name));
  }
  return 0;
}

}  // namespace

const CommandSpec& verify_command() {
  static const CommandSpec spec{
      "verify",
      "USERNAME [--yes]",
      "mark USERNAME verified after comparing safety numbers",
      "Shows the safety number with USERNAME and, once you confirm it matches the\n"
      "number on their device, marks them verified. On a terminal it asks first\n"
      "unless --yes. A later identity key change clears the mark, loudly.",
      {{"--yes", "", "do not ask for confirmation"}},
      {"USERNAME"},
      1,
      &run};
  return spec;
}

}  // namespace hush::cli
