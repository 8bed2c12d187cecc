// What `hush verify` and `hush trust` share: both take USERNAME [--yes] and
// change what this device believes about USERNAME's identity key, so both
// open the store, ask before deciding (on a terminal, unless --yes), and
// print the outcome with the safety number, as JSON or as text. What each
// checks first and warns about is its own.
#pragma once

#include "command.hpp"

#include <hush/client/client.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hush::cli {

/// The spec of a command taking `USERNAME [--yes]`.
[[nodiscard]] CommandSpec contact_decision_spec(std::string_view name, std::string_view summary,
                                                std::string_view description,
                                                int (*run)(Context& ctx, const ParsedArgs& args));

/// The contact a decision is about, and the open store.
struct ContactDecision {
  std::string who;   ///< USERNAME as given: for the SDK and JSON
  std::string name;  ///< USERNAME made terminal_safe: for text
  std::unique_ptr<client::Client> client;
};

/// Fills `decision` with USERNAME (the first positional) and the opened
/// store. nullopt when done; else the exit code, after open_client's error
/// was reported.
[[nodiscard]] std::optional<int> open_contact_decision(Context& ctx, const ParsedArgs& args, ContactDecision& decision);

/// Asks `question` [y/N] on a terminal (yes without asking with --yes).
/// nullopt when confirmed; else the exit code (1): refused (and `refused`
/// printed as a note), or not on a terminal without --yes (an error saying so).
[[nodiscard]] std::optional<int> confirm_decision(Context& ctx, const ParsedArgs& args, std::string_view command,
                                                  std::string_view question, std::string_view refused);

/// Prints the decision made and returns 0: under --json one object
/// {"type":TYPE,"username":WHO[,"digits":DIGITS]} (digits when `digits` is
/// not null), else each of `lines`.
int print_decision(Context& ctx, std::string_view type, const ContactDecision& decision, const std::string* digits,
                   const std::vector<std::string>& lines);

}  // namespace hush::cli
