// Runs the real `hush` binary as a child process for end-to-end tests:
// arguments, extra environment, stdin through a pipe, stdout read line by
// line with deadlines, stderr captured to a file, signals and exit codes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hush::testing {

/// The `hush` binary under test (from CMake).
const char* hush_cli_binary();

struct CliResult {
  int code = -1;  ///< exit code; -1 if killed by a signal or timed out
  std::string out;
  std::string err;
};

class CliProcess {
 public:
  /// Starts `hush ARGS...` with `env` added to (or overriding) the environment.
  CliProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});
  ~CliProcess();
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;

  void write(const std::string& text);
  void close_stdin();
  /// The next stdout line (without '\n'), or nullopt at end of output or timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  void signal(int sig);
  /// Waits for the exit (SIGKILL after `timeout`); reads the rest of stdout.
  CliResult wait(std::chrono::milliseconds timeout);

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  std::string err_file_;
  std::string buffer_;
  std::string all_out_;
};

/// Runs `hush ARGS...` to completion with `input` on stdin.
CliResult run_hush(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                   const std::string& input = {}, std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace hush::testing
