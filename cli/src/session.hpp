// Opening the client for a command: the store in the home folder unlocked
// by the key source of passphrase.hpp. open_client() for every command but
// register and link, which use open_or_create_client().
#pragma once

#include "command.hpp"

#include <hush/client/client.hpp>

#include <memory>

namespace hush::cli {

/// Opens the existing store. Errors: not_found (no store in the home
/// folder: nothing is asked), the key source's errors, Client::open's errors.
[[nodiscard]] Result<std::unique_ptr<client::Client>> open_client(Context& ctx);

/// Opens the store if one exists, else creates it (and the key file given
/// with --key-file if it does not exist yet). Errors as open_client and Client::create.
[[nodiscard]] Result<std::unique_ptr<client::Client>> open_or_create_client(Context& ctx);

/// Reports `error` (with `hint`, or a default hint for not registered, wrong
/// passphrase and bad permissions) and returns its exit code.
[[nodiscard]] int report(Context& ctx, const Error& error, std::string_view hint = {});

/// Asks `question` [y/N] on the terminal and reads the answer from stdin.
/// Returns true without asking when stdin is not a terminal, under --json,
/// or when `assume_yes` (--yes).
[[nodiscard]] bool confirm(Context& ctx, std::string_view question, bool assume_yes);

}  // namespace hush::cli
