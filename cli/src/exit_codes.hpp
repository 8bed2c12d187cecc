// The one table of the command line's failures: each hush::Errc maps to an
// exit code (one per family, documented in docs/cli.md) and one line of text
// a person can act on. Nothing here prints; output.hpp does.
#pragma once

#include <hush/util/errc.hpp>

#include <string_view>

namespace hush::cli {

/// Exit codes. Stable: scripts depend on them (docs/cli.md).
enum class ExitCode : int {
  ok = 0,
  usage = 1,              ///< bad arguments or options
  not_found = 2,          ///< not registered here, no such user, contact or device
  untrusted_identity = 3, ///< a contact's identity key changed and is not yet trusted
  authentication = 4,     ///< wrong passphrase or key file, no passphrase, credential refused
  network = 5,            ///< server unreachable, timed out or unavailable
  storage = 6,            ///< the local store could not be read or written
  refused = 7,            ///< the server refused: rate limit, quota, permission
  conflict = 8,           ///< already exists: registered, username taken, pending change
  invalid_input = 9,      ///< a value out of range: bad URL, username, code, text too long
  protocol = 10,          ///< a cryptographic or protocol failure
  interrupted = 130,      ///< stopped by SIGINT before finishing (128 + 2)
};

/// One row of the table.
struct ErrorInfo {
  ExitCode exit;
  std::string_view text;  ///< one clear line, no trailing period
};

/// The row for `code` (Errc::ok maps to ExitCode::ok).
[[nodiscard]] ErrorInfo error_info(Errc code) noexcept;

/// Convenience: the exit code as an int.
[[nodiscard]] inline int exit_code(Errc code) noexcept { return static_cast<int>(error_info(code).exit); }

}  // namespace hush::cli
