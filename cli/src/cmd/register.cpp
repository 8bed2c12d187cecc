// `hush register --server URL --username NAME [--ca FILE]`: creates the
// local store (asking for a new passphrase, or making the --key-file) and
// registers a new account and this first device on the server.
#include "command.hpp"
#include "format.hpp"
#include "new_device.hpp"
#include "session.hpp"

namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs& args) {
  const auto server = args.value("--server");
  const auto username = args.value("--username");
  if (!server || server->empty()) return ctx.out.usage("register: --server URL is required", "register");
  if (!username || username->empty()) return ctx.out.usage("register: --username NAME is required", "register");
  NewDevice device;
  if (auto failed = prepare_new_device(ctx, args, device)) return *failed;
  auto id = device.client->register_account(*server, *username, device.ca);
  if (!id) {
    if (id.code() == Errc::conflict) {
      return report(ctx, id.error(), "this home folder already has an account (`hush whoami`), or the username is taken");
    }
    if (id.code() == Errc::network_failure && device.ca.empty()) {
      return report(ctx, id.error(), "for a server with a self-signed certificate pass --ca FILE (hushd prints its path)");
    }
    return report(ctx, id.error());
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
