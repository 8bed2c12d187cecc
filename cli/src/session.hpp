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

/// Reports `error` (with `hint`, or the default hint for its cause: not
/// registered, wrong passphrase, bad permissions, server unreachable (naming
/// ctx.server_url) or its certificate untrusted, credential refused, full
/// mailbox, rate limit, an untrusted identity) and returns its exit code.
[[nodiscard]] int report(Context& ctx, const Error& error, std::string_view hint = {});

/// The default hint for a failure talking to `server` (empty: not known):
/// unreachable, timed out, unavailable, certificate not trusted. Empty for
/// any other error.
[[nodiscard]] std::string network_hint(const Error& error, std::string_view server);

/// The answer to a confirmation: yes, no, or not asked (no terminal, no --yes).
enum class Confirmation { yes, no, no_terminal };

/// Asks `question` [y/N] on the terminal (stderr) and reads the answer from
/// stdin. yes without asking when `assume_yes` (--yes); no_terminal when
/// stdin is not a terminal: a decision that changes what this device trusts
/// is never taken silently by a script (issue #13).
[[nodiscard]] Confirmation confirm(Context& ctx, std::string_view question, bool assume_yes);

/// confirm() for a command taking --yes: nullopt when confirmed; else the
/// exit code (1) after a note saying `refused`, or, without a terminal, an
/// error saying that `command` needs --yes.
[[nodiscard]] std::optional<int> require_confirmation(Context& ctx, std::string_view command,
                                                      std::string_view question, bool assume_yes,
                                                      std::string_view refused);

}  // namespace hush::cli
