// Argument parsing: the global options before the command
// (`hush [--home DIR] [--json] [--key-file FILE] COMMAND ...`) and each
// command's own options and positionals, checked against its CommandSpec.
// `--opt VALUE` and `--opt=VALUE` both work; `--` ends the options.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hush::cli {

/// Looks an environment variable up (injectable for tests).
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

/// The process environment.
[[nodiscard]] EnvLookup process_env();

struct GlobalOptions {
  std::filesystem::path home;                 ///< --home, else $HUSH_HOME, else ~/.hush
  bool json = false;                          ///< --json
  std::optional<std::filesystem::path> key_file;  ///< --key-file
  bool help = false;                          ///< --help / -h before any command
  bool version = false;                       ///< --version
  std::string command;                        ///< empty: none given
  std::vector<std::string> rest;              ///< the command's arguments
};

/// Parses the global options; on a usage error returns false with `error` set.
[[nodiscard]] bool parse_global(const std::vector<std::string>& argv, const EnvLookup& env, GlobalOptions& out,
                                std::string& error);

/// One option of a command.
struct OptionSpec {
  std::string_view name;        ///< "--wait"
  std::string_view value_name;  ///< "SECONDS"; empty for a flag
  std::string_view help;
};

struct ParsedArgs {
  std::vector<std::string> positionals;
  std::map<std::string, std::string, std::less<>> values;
  std::set<std::string, std::less<>> flags;
  bool help = false;

  [[nodiscard]] bool flag(std::string_view name) const { return flags.count(name) != 0; }
  [[nodiscard]] std::optional<std::string> value(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

/// Parses a command's arguments against its options and positionals (at
/// least `min_positionals`, at most positional_names.size()). `--help`/`-h`
/// anywhere before `--` sets help (and skips the count checks).
[[nodiscard]] bool parse_command_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& options,
                                      const std::vector<std::string_view>& positional_names,
                                      std::size_t min_positionals, ParsedArgs& out, std::string& error);

/// Parses a non-negative integer no larger than `max`; nullopt otherwise.
[[nodiscard]] std::optional<std::uint64_t> parse_count(std::string_view s, std::uint64_t max);

}  // namespace hush::cli
