// The command table and the help texts built from the specs, so `--help`
// can never disagree with what the parser accepts.
#include "command.hpp"

#include <fmt/format.h>

namespace hush::cli {

const std::vector<const CommandSpec*>& all_commands() {
  static const std::vector<const CommandSpec*> commands = {
      &register_command(), &whoami_command(),  &send_command(),          &receive_command(), &listen_command(),
      &chat_command(),     &history_command(), &safety_number_command(), &verify_command(),  &trust_command(),
      &contacts_command(), &link_command(),    &devices_command(), &group_command(),     &daemon_command(),
  };
  return commands;
}

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec* c : all_commands()) {
    if (c->name == name) return c;
  }
  return nullptr;
}

std::string global_help() {
  std::string s =
      "hush: end-to-end encrypted messaging from the command line\n"
      "\n"
      "Usage: hush [--home DIR] [--json] [--key-file FILE] COMMAND [ARGS...]\n"
      "\n"
      "Global options (before the command):\n"
      "  --home DIR       the client's home folder (default: $HUSH_HOME, else ~/.hush)\n"
      "  --json           line-delimited JSON on stdout, one object per line; errors as JSON on stderr\n"
      "  --key-file FILE  unlock the local store with a key file (32 bytes, mode 0600) instead of a\n"
      "                   passphrase; register and link create it if it does not exist\n"
      "  --help, -h       this help; `hush COMMAND --help` for one command\n"
      "  --version        the version\n"
      "\n"
      "Commands:\n";
  for (const CommandSpec* c : all_commands()) {
    s += fmt::format("  {:<15} {}\n", c->name, c->summary);
  }
  s +=
      "\n"
      "The passphrase comes from HUSH_PASSPHRASE if set, else from a prompt (echo off) when\n"
      "stdin is a terminal; --key-file replaces both. Exit codes: 0 ok, 1 usage, 2 not found,\n"
      "3 untrusted identity, 4 authentication, 5 network, 6 storage, 7 refused by the server,\n"
      "8 conflict, 9 invalid input, 10 protocol, 130 interrupted (docs/cli.md).\n";
  return s;
}

std::string command_help(const CommandSpec& spec) {
  std::string s = fmt::format("Usage: hush [GLOBAL OPTIONS] {}{}{}\n\n{}\n", spec.name,
                              spec.synopsis.empty() ? "" : " ", spec.synopsis, spec.description);
  s += "\nOptions:\n";
  {
    for (const auto& o : spec.options) {
      const std::string left = o.value_name.empty() ? std::string(o.name) : fmt::format("{} {}", o.name, o.value_name);
      s += fmt::format("  {:<16} {}\n", left, o.help);
    }
  }
  s += "  --help, -h       this help\n";
  return s;
}

}  // namespace hush::cli
