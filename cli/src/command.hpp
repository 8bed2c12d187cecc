// What a subcommand is: its spec (name, synopsis, options, positionals, help
// text) and a run function given the Context (global options, output, the
// process's input and environment). Each src/cmd/*.cpp defines one spec.
#pragma once

#include "args.hpp"
#include "output.hpp"

#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace hush::cli {

/// The process's input side, injectable for tests.
struct Io {
  std::istream& in;
  int in_fd = 0;  ///< for terminal checks, prompts and raw reads; -1: no terminal
  EnvLookup env = process_env();
};

struct Context {
  GlobalOptions global;
  Output& out;
  Io& io;
  /// The server this home talks to, once known (open_client, or register's
  /// and link's --server): error hints name it.
  std::string server_url = {};
};

struct CommandSpec {
  std::string_view name;        ///< "safety-number"
  std::string_view synopsis;    ///< "USERNAME [--qr]"
  std::string_view summary;     ///< one line for `hush --help`
  std::string_view description; ///< a paragraph for `hush COMMAND --help`
  std::vector<OptionSpec> options;
  std::vector<std::string_view> positionals;  ///< names, in order
  std::size_t min_positionals = 0;
  int (*run)(Context& ctx, const ParsedArgs& args) = nullptr;
};

/// Every command, in the order `hush --help` lists them.
[[nodiscard]] const std::vector<const CommandSpec*>& all_commands();
/// The command named `name`, or nullptr.
[[nodiscard]] const CommandSpec* find_command(std::string_view name);
/// `hush --help`.
[[nodiscard]] std::string global_help();
/// `hush COMMAND --help`.
[[nodiscard]] std::string command_help(const CommandSpec& spec);

// One accessor per src/cmd/ file.
const CommandSpec& register_command();
const CommandSpec& whoami_command();
const CommandSpec& send_command();
const CommandSpec& receive_command();
const CommandSpec& listen_command();
const CommandSpec& chat_command();
const CommandSpec& history_command();
const CommandSpec& safety_number_command();
const CommandSpec& verify_command();
const CommandSpec& trust_command();
const CommandSpec& contacts_command();
const CommandSpec& link_command();
const CommandSpec& devices_command();
const CommandSpec& group_command();
const CommandSpec& daemon_command();

}  // namespace hush::cli
