// `hush safety-number USERNAME [--qr]`: the 60-digit safety number of the
// conversation with USERNAME in 12 groups of five, and with --qr its
// scannable form as a QR code in the terminal.
#include "command.hpp"
#include "daemon/daemon_client.hpp"
#include "format.hpp"
#include "qr.hpp"
#include "session.hpp"

#include <fmt/format.h>

namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs& args) {
  const std::string name = terminal_safe(args.positionals[0]);
  Result<client::SafetyNumber> sn = make_error(Errc::unavailable);
  if (auto daemon = daemon::DaemonClient::connect(ctx.global.home)) {
    sn = daemon->safety_number(args.positionals[0]);
  } else {
    auto client = open_client(ctx);
    if (!client) return report(ctx, client.error());
    sn = (*client)->safety_number(args.positionals[0]);
  }
  if (!sn) return report(ctx, sn.error());
  // While a key change is pending the number that matters is the one with
  // the new key: it is what to compare before `hush trust`. The old one is
  // never shown labelled "verified" on its own (issue #13).
  const bool pending = sn->identity_changed;
  const std::string grouped = pending ? grouped_digits(sn->pending_digits) : sn->grouped();
  const Bytes& scannable = pending ? sn->pending_scannable : sn->scannable;
  if (ctx.out.json()) {
    JsonObject o("safety_number");
    o.add("username", args.positionals[0]).add("digits", pending ? sn->pending_digits : sn->digits);
    o.add("grouped", grouped).add("verified", sn->verified && !pending).add("identity_changed", pending);
    o.add("scannable_hex", to_hex(scannable));
    if (pending) {
      o.add("new_identity_key", sn->pending_key_hex).add("previous_digits", sn->digits);
      o.add("previous_verified", sn->verified);
    }
    ctx.out.object(o);
  } else {
    if (pending) {
      ctx.out.text(fmt::format("Safety number with {} with their NEW identity key (not verified, not yet accepted):",
                               name));
    } else {
      ctx.out.text(fmt::format("Safety number with {} ({}):", name, sn->verified ? "verified" : "not verified"));
    }
    ctx.out.text("");
    // Three lines of four groups, as Signal shows it.
    for (std::size_t line = 0; line < 3; ++line) {
      const std::size_t from = line * 24;
      if (from < grouped.size()) ctx.out.text("    " + grouped.substr(from, 23));
    }
    ctx.out.text("");
    if (args.flag("--qr")) {
      auto qr = render_qr(scannable);
      if (!qr) return report(ctx, qr.error());
      ctx.out.out() << *qr;
      ctx.out.out().flush();
    }
    if (pending) {
      ctx.out.text(fmt::format("new key: {}", grouped_key(sn->pending_key_hex)));
      ctx.out.text(fmt::format("The previous key{} (number {}).", sn->verified ? " was verified" : " was not verified",
                               sn->grouped()));
    } else if (!sn->verified) {
      ctx.out.text(fmt::format("Compare it with {0}'s screen in person or over a channel you trust;", name));
      ctx.out.text(fmt::format("if it matches, run `hush verify {}`.", name));
    }
  }
  if (pending) {
    ctx.out.warning(fmt::format("{0}'s identity key has CHANGED. This number is of the new key; compare it with {0}, "
                                "then `hush trust {0}`.",
                                name));
  }
  return 0;
}

}  // namespace

const CommandSpec& safety_number_command() {
  static const CommandSpec spec{
      "safety-number",
      "USERNAME [--qr]",
      "show the safety number of the conversation with USERNAME",
      "Shows the 60-digit safety number (12 groups of five) of your conversation\n"
      "with USERNAME; it is the same on both sides exactly when nobody is in the\n"
      "middle. Fetches USERNAME's key from the server if you have never talked.",
      {{"--qr", "", "also draw its scannable form as a QR code"}},
      {"USERNAME"},
      1,
      &run};
  return spec;
}

}  // namespace hush::cli
