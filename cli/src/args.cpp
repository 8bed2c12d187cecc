// Global and per-command argument parsing (see args.hpp). No option takes
// an optional value: a flag never consumes the next word.
#include "args.hpp"

#include <charconv>
#include <cstdlib>

namespace hush::cli {

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

namespace {

/// Splits "--name=value"; returns the name and sets `value` if present.
std::string_view split_inline(std::string_view arg, std::optional<std::string>& value) {
  const auto eq = arg.find('=');
  if (eq == std::string_view::npos || arg.substr(0, 2) != "--") return arg;
  value = std::string(arg.substr(eq + 1));
  return arg.substr(0, eq);
}

}  // namespace

bool parse_global(const std::vector<std::string>& argv, const EnvLookup& env, GlobalOptions& out, std::string& error) {
  std::size_t i = 0;
  std::optional<std::filesystem::path> home;
  for (; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.empty() || arg[0] != '-' || arg == "-") break;
    std::optional<std::string> inline_value;
    const std::string_view name = split_inline(arg, inline_value);
    auto take_value = [&](std::string& v) {
      if (inline_value) {
        v = *inline_value;
        return true;
      }
      if (i + 1 >= argv.size()) {
        error = std::string(name) + " needs a value";
        return false;
      }
      v = argv[++i];
      return true;
    };
    std::string v;
    if (name == "--help" || name == "-h") {
      out.help = true;
    } else if (name == "--version") {
      out.version = true;
    } else if (name == "--json" && !inline_value) {
      out.json = true;
    } else if (name == "--home") {
      if (!take_value(v)) return false;
      if (v.empty()) {
        error = "--home needs a folder";
        return false;
      }
      home = v;
    } else if (name == "--key-file") {
      if (!take_value(v)) return false;
      if (v.empty()) {
        error = "--key-file needs a file";
        return false;
      }
      out.key_file = v;
    } else if (name == "--") {
      ++i;
      break;
    } else {
      error = "unknown global option '" + std::string(name) + "' (global options go before the command)";
      return false;
    }
  }
  if (i < argv.size()) {
    out.command = argv[i];
    out.rest.assign(argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end());
  }
  if (home) {
    out.home = *home;
  } else if (auto h = env("HUSH_HOME"); h && !h->empty()) {
    out.home = *h;
  } else if (auto user_home = env("HOME"); user_home && !user_home->empty()) {
    out.home = std::filesystem::path(*user_home) / ".hush";
  } else {
    out.home = ".hush";
  }
  return true;
}

bool parse_command_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& options,
                        const std::vector<std::string_view>& positional_names, std::size_t min_positionals,
                        ParsedArgs& out, std::string& error) {
  const std::size_t max_positionals = positional_names.size();
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      out.positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      continue;
    }
    std::optional<std::string> inline_value;
    const std::string_view name = split_inline(arg, inline_value);
    const OptionSpec* spec = nullptr;
    for (const auto& o : options) {
      if (o.name == name) spec = &o;
    }
    if (spec == nullptr) {
      error = "unknown option '" + std::string(name) + "'";
      return false;
    }
    if (spec->value_name.empty()) {
      if (inline_value) {
        error = std::string(name) + " takes no value";
        return false;
      }
      out.flags.emplace(name);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        error = std::string(name) + " needs " + std::string(spec->value_name);
        return false;
      }
      inline_value = args[++i];
    }
    out.values[std::string(name)] = *inline_value;
  }
  if (out.help) return true;
  if (out.positionals.size() < min_positionals) {
    error = "missing " + std::string(positional_names[out.positionals.size()]);
    return false;
  }
  if (out.positionals.size() > max_positionals) {
    error = "unexpected argument '" + out.positionals[max_positionals] + "'";
    return false;
  }
  return true;
}

std::optional<std::uint64_t> parse_count(std::string_view s, std::uint64_t max) {
  std::uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

}  // namespace hush::cli
