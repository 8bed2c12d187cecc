// Client options for the command line (HUSH_DEBUG=1 prints the SDK's log
// lines, which carry ids and error names only) and the open/create rules.
#include "session.hpp"

#include "passphrase.hpp"
#include "terminal.hpp"

#include <hush/client/store/local_store.hpp>
#include <hush/crypto/random.hpp>

#include <iostream>

namespace hush::cli {

namespace {

client::ClientOptions options_for(Context& ctx) {
  client::ClientOptions o;
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
  return client::Client::open(ctx.global.home, key, options_for(ctx));
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

int report(Context& ctx, const Error& error, std::string_view hint) {
  if (!hint.empty()) return ctx.out.fail(error, hint);
  const std::string_view context = error.context != nullptr ? error.context : "";
  switch (error.code) {
    case Errc::not_found:
      if (context != "no store in the home folder" && context != "not registered") break;
      hint = "no account here: run `hush register --server URL --username NAME` or `hush link --server URL` (or pass --home)";
      break;
    case Errc::unauthorized:
      hint = "wrong passphrase or key file for this home folder (HUSH_PASSPHRASE, the prompt, or --key-file)";
      break;
    case Errc::forbidden:
      hint = "the home folder and key file must belong to you with no access for group or others (chmod 700 / 600)";
      break;
    default:
      break;
  }
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
