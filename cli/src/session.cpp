// Client options for the command line (HUSH_DEBUG=1 prints the SDK's log
// lines, which carry ids and error names only) and the open/create rules.
#include "session.hpp"

#include "passphrase.hpp"
#include "terminal.hpp"

#include <hush/client/store/local_store.hpp>
#include <hush/crypto/random.hpp>

#include <fmt/format.h>

#include <iostream>

namespace hush::cli {

namespace {

client::ClientOptions options_for(Context& ctx) {
  client::ClientOptions o;
  o.report_group_changes = true;  // receive, listen, chat and the daemon show them (issue #16)
  if (auto debug = ctx.io.env("HUSH_DEBUG"); debug && !debug->empty() && *debug != "0") {
    std::ostream& err = ctx.out.err();
    o.on_log = [&err](std::string_view line) { err << "hush[debug]: " << line << '\n'; };
  }
  return o;
}

bool store_exists(const Context& ctx) {
  std::error_code ec;
  return std::filesystem::exists(ctx.global.home / client::store::kStoreFileName, ec);
}

}  // namespace

Result<std::unique_ptr<client::Client>> open_client(Context& ctx) {
  if (!store_exists(ctx)) return make_error(Errc::not_found, "no store in the home folder");
  HUSH_TRY_ASSIGN(auto key, key_source_for(ctx, StoreUse::open));
  auto opened = client::Client::open(ctx.global.home, key, options_for(ctx));
  if (opened) {
    if (auto me = (*opened)->whoami()) ctx.server_url = me->server_url;  // read locally: for error hints
  }
  return opened;
}

Result<std::unique_ptr<client::Client>> open_or_create_client(Context& ctx) {
  if (store_exists(ctx)) return open_client(ctx);
  if (ctx.global.key_file) {
    std::error_code ec;
    if (!std::filesystem::exists(*ctx.global.key_file, ec)) {
      HUSH_TRY(client::store::create_key_file(*ctx.global.key_file, crypto::system_rng()));
      ctx.out.note("created key file " + ctx.global.key_file->string() + " (mode 0600): keep it safe, it unlocks this store");
    }
  }
  HUSH_TRY_ASSIGN(auto key, key_source_for(ctx, StoreUse::create));
  return client::Client::create(ctx.global.home, key, options_for(ctx));
}

std::string network_hint(const Error& error, std::string_view server) {
  const std::string_view context = error.context != nullptr ? error.context : "";
  const std::string where = server.empty() ? std::string("the server") : terminal_safe(server);
  switch (error.code) {
    case Errc::network_failure:
      if (context.starts_with("TLS handshake") || context.starts_with("TLS trust")) {
        return fmt::format("{} presented a certificate this home does not trust (its certificate changed, or the "
                           "CA file is wrong): ask its operator; a self-signed hushd's is DATA_DIR/tls/cert.pem",
                           where);
      }
      return fmt::format("check that {} is running and that its URL is right (`hush whoami` shows the URL this home "
                         "uses), then try again",
                         where);
    case Errc::timeout:
      return fmt::format("{} did not answer in time: check your network and that it is running, then try again", where);
    case Errc::unavailable:
      return fmt::format("{} is busy or does not offer this: try again later, or ask its operator", where);
    default:
      return {};
  }
}

int report(Context& ctx, const Error& error, std::string_view hint) {
  if (!hint.empty()) return ctx.out.fail(error, hint);
  const std::string_view context = error.context != nullptr ? error.context : "";
  std::string made;  // a hint that names something, e.g. the server
  switch (error.code) {
    case Errc::not_found:
      if (context != "no store in the home folder" && context != "not registered") break;
      hint = "no account here: run `hush register --server URL --username NAME` or `hush link --server URL` (or pass --home)";
      break;
    case Errc::unauthorized:
      if (context == "credential refused") {
        hint = "the server refused this device's credential: it was removed from the account (see `hush devices` on "
               "another device) or the account is gone; link it again with `hush link` in a new --home";
        break;
      }
      hint = "wrong passphrase or key file for this home folder (HUSH_PASSPHRASE, the prompt, or --key-file): run "
             "the command again with the one this home was created with; nothing was changed";
      break;
    case Errc::forbidden:
      hint = "the home folder and key file must belong to you with no access for group or others (chmod 700 / 600)";
      break;
    case Errc::network_failure:
    case Errc::timeout:
    case Errc::unavailable:
      made = network_hint(error, ctx.server_url);
      break;
    case Errc::quota_exceeded:
      hint = "the recipient's mailbox on the server is full: nothing more is stored for them until they receive "
             "(`hush receive`); try again later";
      break;
    case Errc::rate_limited:
      hint = "the server limits how often this can be done: wait a minute, then run the same command again";
      break;
    case Errc::untrusted_identity:
      hint = "a contact's identity key changed (`hush contacts` shows whose): compare `hush safety-number NAME` with "
             "them, then accept it with `hush trust NAME`";
      break;
    case Errc::stale_devices:
      hint = "the recipient added or removed a device while this was sent: run the same command again";
      break;
    default:
      break;
  }
  if (!made.empty()) hint = made;
  return ctx.out.fail(error, hint);
}

Confirmation confirm(Context& ctx, std::string_view question, bool assume_yes) {
  if (assume_yes) return Confirmation::yes;
  if (!is_terminal(ctx.io.in_fd)) return Confirmation::no_terminal;
  ctx.out.err() << question << " [y/N] ";
  ctx.out.err().flush();
  std::string answer;
  if (!std::getline(ctx.io.in, answer)) return Confirmation::no;
  const bool yes = answer == "y" || answer == "Y" || answer == "yes" || answer == "YES" || answer == "Yes";
  return yes ? Confirmation::yes : Confirmation::no;
}

std::optional<int> require_confirmation(Context& ctx, std::string_view command, std::string_view question,
                                        bool assume_yes, std::string_view refused) {
  switch (confirm(ctx, question, assume_yes)) {
    case Confirmation::yes: return std::nullopt;
    case Confirmation::no: ctx.out.note(refused); return 1;
    case Confirmation::no_terminal: break;
  }
  return ctx.out.usage(std::string(command) + ": not run on a terminal, so nobody can be asked: add --yes to " +
                           "confirm (only after checking what it shows)",
                       command);
}

}  // namespace hush::cli
