// run(): global options -> command lookup -> command arguments -> the
// command. Help and usage errors are handled here so every command gets the
// same `--help` and the same exit code 1 for bad arguments.
#include "app.hpp"

#include "exit_codes.hpp"

#include <hush/crypto/init.hpp>

namespace hush::cli {

namespace {
constexpr std::string_view kVersion = "hush " HUSH_VERSION;  // the project version, from CMake
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, Io& io) {
  GlobalOptions global;
  std::string error;
  const bool parsed = parse_global(args, io.env, global, error);
  Output output(out, err, global.json);
  if (!parsed) return output.usage(error);
  if (global.version) {
    out << kVersion << '\n';
    return 0;
  }
  if (global.command == "help") {
    if (global.rest.empty()) {
      out << global_help();
      return 0;
    }
    const CommandSpec* spec = find_command(global.rest.front());
    if (spec == nullptr) return output.usage("unknown command '" + global.rest.front() + "'");
    out << command_help(*spec);
    return 0;
  }
  if (global.command.empty()) {
    (global.help ? out : err) << global_help();
    return global.help ? 0 : static_cast<int>(ExitCode::usage);
  }
  const CommandSpec* spec = find_command(global.command);
  if (spec == nullptr) return output.usage("unknown command '" + global.command + "'");

  if (global.help) {
    out << command_help(*spec);
    return 0;
  }
  ParsedArgs parsed_args;
  if (!parse_command_args(global.rest, spec->options, spec->positionals, spec->min_positionals, parsed_args, error)) {
    return output.usage(std::string(spec->name) + ": " + error, spec->name);
  }
  if (parsed_args.help) {
    out << command_help(*spec);
    return 0;
  }
  crypto::ensure_initialized();
  Context ctx{std::move(global), output, io};
  return spec->run(ctx, parsed_args);
}

}  // namespace hush::cli
