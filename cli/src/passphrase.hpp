// Where the key that unlocks the local store comes from, in this order:
// --key-file FILE; else HUSH_PASSPHRASE when set; else a prompt with echo
// off when stdin is a terminal (twice for a new store); else an error.
// choose_key_source() is the rule; key_source_for() wires it to the process.
#pragma once

#include "command.hpp"

#include <hush/client/store/key_source.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace hush::cli {

/// Opening an existing store, or creating a new one (which asks twice).
enum class StoreUse { open, create };

/// The inputs of the rule, injectable for tests.
struct PassphraseInput {
  std::optional<std::string> env_value;  ///< HUSH_PASSPHRASE, if set
  bool terminal = false;                 ///< stdin is a terminal
  std::function<Result<SecretBuffer>(std::string_view prompt)> prompt;
};

/// The rule. Errors: invalid_argument (HUSH_PASSPHRASE or the typed
/// passphrase is empty, or the two typed passphrases differ), unauthorized
/// (no source: not a terminal, no HUSH_PASSPHRASE, no --key-file), and the
/// prompt's errors.
[[nodiscard]] Result<client::store::KeySource> choose_key_source(const std::optional<std::filesystem::path>& key_file,
                                                          StoreUse use, const PassphraseInput& input);

/// The rule applied to the process (environment, stdin, stderr prompt).
[[nodiscard]] Result<client::store::KeySource> key_source_for(Context& ctx, StoreUse use);

}  // namespace hush::cli
