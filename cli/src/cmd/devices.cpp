// `hush devices`, `hush devices approve CODE`, `hush devices remove ID`: our
// account's devices, approving a new one shown by `hush link` (its keys go
// to it sealed end to end, through the server's provisioning relay), and
// revoking one.
#include "command.hpp"
#include "format.hpp"
#include "session.hpp"

#include <hush/util/bytes.hpp>

#include <fmt/format.h>

namespace hush::cli {

namespace {

int list(Context& ctx, client::Client& c) {
  auto devices = c.devices();
  if (!devices) return report(ctx, devices.error());
  for (const auto& d : *devices) {
    if (ctx.out.json()) {
      JsonObject o("device");
      o.add("id", d.id).add("registration_id", d.registration_id).add("created_ms", d.created_ms);
      o.add("this_device", d.this_device);
      ctx.out.object(o);
    } else {
      ctx.out.text(fmt::format("device {:<4} created {}{}", d.id, format_time(d.created_ms),
                               d.this_device ? "  (this device)" : ""));
    }
  }
  return 0;
}

int approve(Context& ctx, client::Client& c, const std::string& code, bool assume_yes) {
  // What approving hands over, before anything is sent (issue #13).
  auto me = c.whoami();
  if (!me) return report(ctx, me.error());
  ctx.out.warning(fmt::format("approving gives the device showing {} your account {}: its identity PRIVATE key,",
                              terminal_safe(code), terminal_safe(me->username)));
  ctx.out.note("  so that device reads every message sent to you from now on and can send, link and remove");
  ctx.out.note("  devices as you. Approve only a device you hold in your hands, whose screen shows this code.");
  if (auto no = require_confirmation(ctx, "devices approve", "Hand your account's keys to that device?", assume_yes,
                                     "not approved; nothing was sent")) {
    return *no;
  }
  const Status sent = c.approve_device(code);
  if (!sent) {
    const std::string_view context = sent.error().context;
    if (sent.code() == Errc::invalid_argument || sent.code() == Errc::bad_key) {
      const bool checksum = context == "link code checksum";
      return report(ctx, sent.error(),
                    checksum ? "the code has a typing mistake: type it again exactly as `hush link` shows it"
                             : "type the code exactly as `hush link` shows it on the new device (or scan its QR code)");
    }
    if (sent.code() == Errc::not_found && context == "nobody waits for this code") {
      return report(ctx, sent.error(),
                    "the code expired, was used already, or `hush link` stopped waiting: run `hush link` again "
                    "on the new device");
    }
    return report(ctx, sent.error());
  }
  if (ctx.out.json()) {
    JsonObject o("approved");
    o.add("code", code);
    ctx.out.object(o);
  } else {
    ctx.out.text("Approved: the new device received the account's keys (sealed to its code) and is registering.");
    ctx.out.text("`hush devices` lists it once it has.");
  }
  return 0;
}

int remove(Context& ctx, client::Client& c, const std::string& id_text) {
  auto id = parse_count(id_text, 0xFFFFFFFFu);
  if (!id) return ctx.out.usage("devices remove: ID is a device number (see `hush devices`)", "devices");
  if (auto done = c.remove_device(static_cast<std::uint32_t>(*id)); !done) return report(ctx, done.error());
  if (ctx.out.json()) {
    JsonObject o("device_removed");
    o.add("id", static_cast<std::uint64_t>(*id));
    ctx.out.object(o);
  } else {
    ctx.out.text(fmt::format("removed device {}", *id));
  }
  return 0;
}

int run(Context& ctx, const ParsedArgs& args) {
  const auto& p = args.positionals;
  if (!p.empty() && p[0] != "approve" && p[0] != "remove") {
    return ctx.out.usage("devices: unknown subcommand '" + p[0] + "' (approve CODE, remove ID)", "devices");
  }
  if (!p.empty() && p.size() != 2) return ctx.out.usage("devices " + p[0] + ": missing " + (p[0] == "approve" ? "CODE" : "ID"), "devices");
  auto client = open_client(ctx);
  if (!client) return report(ctx, client.error());
  if (p.empty()) return list(ctx, **client);
  if (p[0] == "approve") return approve(ctx, **client, p[1], args.flag("--yes"));
  return remove(ctx, **client, p[1]);
}

}  // namespace

const CommandSpec& devices_command() {
  static const CommandSpec spec{
      "devices",
      "[approve CODE [--yes] | remove ID]",
      "list your devices, approve a new one, or remove one",
      "`hush devices` lists your account's devices.\n"
      "`hush devices approve CODE` authorizes the new device showing CODE (from `hush link`,\n"
      "which must still be waiting): it sends the account's identity, sealed end to end to\n"
      "that code, through the server; the new device then registers. A code works once.\n"
      "It first says what it hands over (the account's identity private key) and asks;\n"
      "without a terminal, --yes is required.\n"
      "`hush devices remove ID` revokes device ID (the server drops its credential and queue).",
      {{"--yes", "", "approve without asking (required when not on a terminal)"}},
      {"SUBCOMMAND", "ARGUMENT"},
      0,
      &run};
  return spec;
}

}  // namespace hush::cli
