// `hush group ...`: what the arguments ask for, parsed apart from running it
// so tests check every form and usage error without a store or a server.
#pragma once

#include "args.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hush::cli {

struct GroupRequest {
  enum class Verb { create, send, add, remove, leave, rename, info, list, history };
  Verb verb = Verb::list;
  std::string group;                 ///< NAME (or id) of the group; empty for create's and list's
  std::string name;                  ///< create: the new group's name; rename: the new name
  std::string argument;              ///< send: TEXT; add / remove: USER
  std::vector<std::string> members;  ///< create: --members, split on commas
  std::uint64_t limit = 50;          ///< history: --limit
};

/// Parses `group` arguments (positionals SUBCOMMAND GROUP ARGUMENT, options
/// --members, --limit). On a usage error returns nullopt with `error` set.
[[nodiscard]] std::optional<GroupRequest> parse_group_request(const ParsedArgs& args, std::string& error);

}  // namespace hush::cli
