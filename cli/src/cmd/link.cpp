// `hush link --server URL [--ca FILE] [--wait SECONDS]`: makes this home
// folder a new device of an existing account. Opens the server's
// provisioning socket, shows the one-time code (relay address + this
// device's provisioning key, docs/protocol.md §7.4) and its QR code, then
// waits until `hush devices approve CODE` on an existing device sends the
// sealed account identity through the relay, and registers.
#include "command.hpp"
#include "exit_codes.hpp"
#include "format.hpp"
#include "new_device.hpp"
#include "qr.hpp"
#include "session.hpp"
#include "signals.hpp"

#include <hush/util/bytes.hpp>

#include <fmt/format.h>

namespace hush::cli {

namespace {

/// The SDK's context for "nothing came within this wait" (the socket stays open).
constexpr std::string_view kStillWaiting = "no device approved the code yet";
/// How long each wait lasts before looking at signals and --wait again.
constexpr std::chrono::seconds kSlice{1};
/// Longest --wait (the server forgets the code after 10 minutes anyway).
constexpr std::uint64_t kMaxWaitSeconds = 24 * 3600;

std::string_view hint_for(const Error& e) {
  const std::string_view context = e.context;
  switch (e.code) {
    case Errc::not_found:
      if (context == "link code expired") return "the code expired (10 minutes): run `hush link` again for a new one";
      return {};
    case Errc::network_failure:
      return "the server closed the waiting connection before a device approved: run `hush link` again";
    case Errc::bad_mac:
    case Errc::bad_key:
    case Errc::invalid_message:
    case Errc::decode_error:
    case Errc::unsupported_version:
      return "the message relayed to this device was not a valid approval of this code: run `hush link` again";
    case Errc::unauthorized:
      return "the server refused the link token (used or expired): run `hush link` again and approve the new code";
    case Errc::rate_limited:
      return "too many devices are waiting to be linked from this network address: try again later";
    case Errc::conflict:
      return "this home folder is already registered";
    default:
      return {};
  }
}

int run(Context& ctx, const ParsedArgs& args) {
  const auto server = args.value("--server");
  if (!server || server->empty()) return ctx.out.usage("link: --server URL is required (your account's server)", "link");
  std::optional<std::uint64_t> wait;
  if (auto w = args.value("--wait")) {
    wait = parse_count(*w, kMaxWaitSeconds);
    if (!wait) return ctx.out.usage("link: --wait takes whole seconds from 0 to 86400", "link");
  }
  NewDevice device;
  if (auto failed = prepare_new_device(ctx, args, device)) return *failed;
  ctx.server_url = *server;
  // A link that does not complete removes what it made: `hush link` again is the fix.
  auto failed = [&](const Error& e) {
    discard_new_device(ctx, device);
    const std::string_view hint = hint_for(e);
    return hint.empty() ? report(ctx, e, network_hint(e, *server)) : report(ctx, e, hint);
  };
  auto offer = device.client->link_begin(*server, device.ca);
  if (!offer) return failed(offer.error());
  if (ctx.out.json()) {
    JsonObject o("link_offer");
    o.add("code", offer->code).add("uri", offer->qr).add("expires_at_ms", offer->expires_at_ms);
    ctx.out.object(o);
  } else {
    ctx.out.text("To add this device to your account, on a device already registered run:");
    ctx.out.text("");
    ctx.out.text("    hush devices approve " + offer->code);
    ctx.out.text("");
    if (auto qr = render_qr(as_bytes(offer->qr))) {
      ctx.out.text("(or scan this code)");
      ctx.out.out() << *qr;
    }
    ctx.out.text(fmt::format("Waiting for the approval (the code works once, until {}); Ctrl-C to stop.",
                             format_time(offer->expires_at_ms)));
  }

  StopSignals signals;
  // Without --wait: until the server closes the socket at the code's expiry.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(wait.value_or(kMaxWaitSeconds));
  for (;;) {
    auto id = device.client->link_complete(kSlice);
    if (id) {
      StopSignals::reset();
      print_identity(ctx.out, *id, "linked");
      return 0;
    }
    const bool still_waiting = id.code() == Errc::timeout && std::string_view(id.error().context) == kStillWaiting;
    if (!still_waiting) return failed(id.error());
    if (StopSignals::received() != 0) {
      StopSignals::reset();
      discard_new_device(ctx, device);
      ctx.out.note("stopped: the code no longer works");
      return static_cast<int>(ExitCode::interrupted);
    }
    if (std::chrono::steady_clock::now() >= until) {
      discard_new_device(ctx, device);
      return report(ctx, make_error(Errc::timeout, "no device approved the code"),
                    "run `hush link` again and approve the code with `hush devices approve CODE`");
    }
  }
}

}  // namespace

const CommandSpec& link_command() {
  static const CommandSpec spec{
      "link",
      "--server URL [--ca FILE] [--wait SECONDS]",
      "make this home folder a new device of an existing account",
      "Creates the local store (like register), opens a waiting connection to the\n"
      "server and shows a one-time code and its QR code. On a device already registered\n"
      "to your account run `hush devices approve CODE`: it sends the account's identity,\n"
      "sealed end to end to this device's code, through the server; this device then\n"
      "registers and prints who it is. The code works once and for 10 minutes; with\n"
      "--wait, give up after SECONDS.",
      {{"--server", "URL", "your account's server, https://HOST:PORT; several nodes as URL,URL"},
       {"--ca", "FILE", "trust this PEM certificate for the server"},
       {"--wait", "SECONDS", "give up after this long (default: until the code expires)"}},
      {},
      0,
      &run};
  return spec;
}

}  // namespace hush::cli
