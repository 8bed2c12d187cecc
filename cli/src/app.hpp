// The command line as a function: parses the global options, finds the
// command, parses its arguments, runs it and returns the exit code. main()
// calls it with the process's streams; tests call it with their own.
#pragma once

#include "command.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace hush::cli {

/// Runs `hush ARGS...` (`args` excludes the program name).
[[nodiscard]] int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, Io& io);

}  // namespace hush::cli
