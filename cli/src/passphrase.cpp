// choose_key_source: the passphrase rules of docs/cli.md. The passphrase
// lives in a SecretBuffer from the moment it is read (the environment's copy
// is the process's own and is not ours to wipe).
#include "passphrase.hpp"

#include "terminal.hpp"

#include <hush/util/bytes.hpp>

#include <iostream>

namespace hush::cli {

Result<client::store::KeySource> choose_key_source(const std::optional<std::filesystem::path>& key_file, StoreUse use,
                                            const PassphraseInput& input) {
  if (key_file) return client::store::KeySource::key_file(*key_file);
  if (input.env_value) {
    if (input.env_value->empty()) return make_error(Errc::invalid_argument, "HUSH_PASSPHRASE is set but empty");
    return client::store::KeySource::passphrase(SecretBuffer(as_bytes(*input.env_value)));
  }
  if (!input.terminal || !input.prompt) {
    return make_error(Errc::unauthorized, "no passphrase: set HUSH_PASSPHRASE, pass --key-file, or run on a terminal");
  }
  HUSH_TRY_ASSIGN(SecretBuffer first,
                  input.prompt(use == StoreUse::create ? "New passphrase for this store: " : "Passphrase: "));
  if (first.empty()) return make_error(Errc::invalid_argument, "empty passphrase");
  if (use == StoreUse::create) {
    HUSH_TRY_ASSIGN(SecretBuffer second, input.prompt("Repeat the passphrase: "));
    if (!ct_equal(first, second)) return make_error(Errc::invalid_argument, "the passphrases differ");
  }
  return client::store::KeySource::passphrase(std::move(first));
}

Result<client::store::KeySource> key_source_for(Context& ctx, StoreUse use) {
  PassphraseInput input;
  input.env_value = ctx.io.env("HUSH_PASSPHRASE");
  input.terminal = is_terminal(ctx.io.in_fd);
  const int fd = ctx.io.in_fd;
  std::ostream& prompt_out = ctx.out.err();
  input.prompt = [fd, &prompt_out](std::string_view prompt) { return read_secret_line(fd, prompt_out, prompt); };
  return choose_key_source(ctx.global.key_file, use, input);
}

}  // namespace hush::cli
