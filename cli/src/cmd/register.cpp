// `hush register --server URL --username NAME [--ca FILE] [--recover CODE]`:
// creates the local store (asking for a new passphrase, or making the
// --key-file) and registers a new account and this first device on the
// server, or with --recover replaces every device of an existing account. A failure
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
    case Errc::unauthorized:
      return fmt::format("the recovery code does not open {} on {}: check the username and the code (a code works "
                         "once; after a recovery only the new one does)",
                         terminal_safe(username), terminal_safe(server));
    case Errc::invalid_argument:
      if (context == "recovery code") return "a recovery code is 26 letters and digits, as registration printed it";
      return network_hint(e, server);
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
  const auto recovery = args.value("--recover");
  if (recovery && recovery->empty()) return ctx.out.usage("register: --recover needs the recovery CODE", "register");
  auto id = recovery ? device.client->recover_account(*server, *username, *recovery, device.ca)
                     : device.client->register_account(*server, *username, device.ca);
  if (!id) {
    // Nothing half-made stays: the next `hush register` here starts afresh.
    discard_new_device(ctx, device);
    const std::string hint = hint_for(id.error(), *server, *username, !device.ca.empty());
    return report(ctx, id.error(), hint);
  }
  print_identity(ctx.out, *id, recovery ? "recovered" : "registered");
  return 0;
}

}  // namespace

const CommandSpec& register_command() {
  static const CommandSpec spec{
      "register",
      "--server URL --username NAME [--ca FILE] [--recover CODE]",
      "create this device's store and register a new account (or recover one)",
      "Creates the encrypted local store in the home folder (asking for a new passphrase,\n"
      "or creating the --key-file if it does not exist) and registers a new account with\n"
      "this device on the server: identity key, signed pre-key and one-time pre-keys.\n"
      "It prints the account's recovery code once: write it down.\n"
      "With --recover CODE (every device lost): this device replaces all of the account's\n"
      "devices, with a new identity key that contacts must accept (`hush trust`); history\n"
      "and contacts of the lost devices are gone. A new recovery code is printed.\n"
      "URL is https://HOST:PORT (or http://127.0.0.1:PORT for a loopback hushd --plain-tcp).",
      {{"--server", "URL", "the server, https://HOST:PORT; several nodes as URL,URL (tried in turn)"},
       {"--username", "NAME", "the account's name (letters, digits, _ . -)"},
       {"--ca", "FILE", "trust this PEM certificate for the server (e.g. hushd's self-signed one)"},
       {"--recover", "CODE", "recover the account NAME with its recovery code, replacing its lost devices"}},
      {},
      0,
      &run};
  return spec;
}

}  // namespace hush::cli
