// `hush link --server URL [--ca FILE]`: makes this home folder a new device
// of an existing account: shows a one-time code and its QR code, then waits
// for the hush-provision: line that `hush devices approve CODE` prints on an
// existing device (carried by hand until hushd relays it) and registers.
#include "command.hpp"
#include "format.hpp"
#include "qr.hpp"
#include "session.hpp"

#include <hush/util/bytes.hpp>

#include <fmt/format.h>

namespace hush::cli {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\n' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

int run(Context& ctx, const ParsedArgs& args) {
  const auto server = args.value("--server");
  if (!server || server->empty()) return ctx.out.usage("link: --server URL is required (your account's server)", "link");
  std::filesystem::path ca;
  if (auto c = args.value("--ca")) {
    std::error_code ec;
    ca = std::filesystem::absolute(*c, ec);
    if (ec || !std::filesystem::is_regular_file(ca, ec)) {
      return ctx.out.fail(make_error(Errc::not_found, "CA certificate file"), "--ca must name a PEM certificate file");
    }
  }
  auto client = open_or_create_client(ctx);
  if (!client) return report(ctx, client.error());
  auto offer = (*client)->link_begin(*server, ca);
  if (!offer) {
    if (offer.code() == Errc::conflict) return report(ctx, offer.error(), "this home folder is already registered");
    return report(ctx, offer.error());
  }
  if (ctx.out.json()) {
    JsonObject o("link_offer");
    o.add("code", offer->code).add("uri", offer->qr);
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
    ctx.out.text("Then paste the hush-provision: line it prints here and press Enter:");
  }
  std::string line;
  while (line.empty()) {
    if (!std::getline(ctx.io.in, line)) {
      return report(ctx, make_error(Errc::not_found, "no provisioning line"),
                    "run `hush link` again; the code is valid until this device is linked");
    }
    line = trim(line);
  }
  if (line.rfind(kProvisionPrefix, 0) != 0) {
    return report(ctx, make_error(Errc::invalid_argument, "not a hush-provision: line"),
                  "paste the whole line `hush devices approve` printed");
  }
  auto bytes = from_hex(std::string_view(line).substr(kProvisionPrefix.size()));
  if (!bytes) return report(ctx, bytes.error(), "paste the whole line `hush devices approve` printed");
  auto id = (*client)->link_complete(client::ProvisioningEnvelope{std::move(*bytes)});
  if (!id) {
    if (id.code() == Errc::bad_mac) return report(ctx, id.error(), "that line was made for another code");
    return report(ctx, id.error());
  }
  print_identity(ctx.out, *id, "linked");
  return 0;
}

}  // namespace

const CommandSpec& link_command() {
  static const CommandSpec spec{
      "link",
      "--server URL [--ca FILE]",
      "make this home folder a new device of an existing account",
      "Creates the local store (like register) and shows a one-time code and its QR\n"
      "code. On a device already registered run `hush devices approve CODE`: it prints a\n"
      "hush-provision: line, sealed end to end to this device, which you paste here; this\n"
      "device then registers with the account's identity.",
      {{"--server", "URL", "your account's server, https://HOST:PORT"},
       {"--ca", "FILE", "trust this PEM certificate for the server"}},
      {},
      0,
      &run};
  return spec;
}

}  // namespace hush::cli
