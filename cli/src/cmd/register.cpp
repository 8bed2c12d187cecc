// `hush register --server URL --username NAME [--ca FILE]`: creates the
// local store (asking for a new passphrase, or making the --key-file) and
// registers a new account and this first device on the server. A failure
// removes what it made, so running it again is the fix.
#include "command.hpp"
#include "format.hpp"
#include "new_device.hpp"
#include "session.hpp"

#include <fmt/format.h>

namespace hush::cli {

namespace {

/// Why a registration failed and what to do next.
std::string hint_for(const Error& e, const std::string& server, const std::string& username, bool with_ca) {
  const std::string_view context = e.context != nullptr ? e.context : "";
  switch (e.code) {
    case Errc::conflict:
      if (context == "already registered") {
        return "this home folder already has an account (`hush whoami`): use another --home for a new account";
      }
      return fmt::format("the username {} is taken on {}: choose another --username", terminal_safe(username),
                         terminal_safe(server));
    case Errc::network_failure:
    case Errc::timeout:
      if (context.starts_with("TLS handshake") || context.starts_with("TLS trust")) {
        return with_ca ? fmt::format("the --ca file is not the certificate of {}: pass the one hushd prints when it "
                                     "starts (DATA_DIR/tls/cert.pem)",
                                     terminal_safe(server))
                       : fmt::format("{} has a certificate this machine does not trust: for a self-signed hushd pass "
                                     "--ca FILE (hushd prints its path)",
                                     terminal_safe(server));
      }
      return fmt::format("check that the server runs and that the URL {} is right, then run the same command again",
                         terminal_safe(server));
    case Errc::rate_limited:
      return "the server limits registrations from one address: wait a minute, then run the same command again";
    default:
      return network_hint(e, server);
  }
}

int run(Context& ctx, const ParsedArgs& args) {
  const auto server = args.value("--server");
  const auto username = args.value("--username");
  if (!server || server->empty()) return ctx.out.usage("register: --server URL is required", "register");
  if (!username || username->empty()) return ctx.out.usage("register: --username NAME is required", "register");
  NewDevice device;
  if (auto failed = prepare_new_device(ctx, args, device)) return *failed;
  auto id = device.client->register_account(*server, *username, device.ca);
  if (!id) {
    // Nothing half-made stays: the next `hush register` here starts afresh.
    discard_new_device(ctx, device);
    const std::string hint = hint_for(id.error(), *server, *username, !device.ca.empty());
    return report(ctx, id.error(), hint);
  }
  print_identity(ctx.out, *id, "registered");
  return 0;
}

}  // namespace

const CommandSpec& register_command() {
  static const CommandSpec spec{
      "register",
      "--server URL --username NAME [--ca FILE]",
      "create this device's store and register a new account",
      "Creates the encrypted local store in the home folder (asking for a new passphrase,\n"
      "or creating the --key-file if it does not exist) and registers a new account with\n"
      "this device on the server: identity key, signed pre-key and one-time pre-keys.\n"
      "URL is https://HOST:PORT (or http://127.0.0.1:PORT for a loopback hushd --plain-tcp).",
      {{"--server", "URL", "the server, https://HOST:PORT; several nodes as URL,URL (tried in turn)"},
       {"--username", "NAME", "the account's name (letters, digits, _ . -)"},
       {"--ca", "FILE", "trust this PEM certificate for the server (e.g. hushd's self-signed one)"}},
      {},
      0,
      &run};
  return spec;
}

}  // namespace hush::cli
