// hush-load's command line: the target (a loopback address only), the mode
// (--rate, --max or --idle) and every bound that makes a run stop by itself.
// Parsing only; main.cpp acts on the result.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hush::load {

enum class Mode { rate, max, idle };

/// Hard ceilings: a mistyped flag cannot make a run that never ends.
inline constexpr double kMaxDurationSeconds = 600;
inline constexpr std::uint64_t kMaxMessages = 50'000'000;
inline constexpr std::size_t kMaxConnections = 1'000'000;

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;
  std::string ca_file;            ///< the server's certificate (pinned)
  pid_t server_pid = 0;           ///< hushd's pid for CPU and memory; 0: not measured
  std::string accounts_file;      ///< reuse/save registered accounts here; empty: register afresh
  std::size_t accounts = 200;     ///< accounts to use (one device each)
  Mode mode = Mode::max;
  double rate = 0;                ///< --rate: messages per second offered (open loop)
  std::size_t idle_connections = 0;
  std::size_t connections = 0;    ///< relay connections; 0: one per account
  std::size_t window = 4;         ///< sends outstanding per connection
  std::size_t message_size = 256;
  double warmup_seconds = 2;
  double duration_seconds = 10;
  double drain_seconds = 10;
  double hold_seconds = 5;        ///< --idle: how long the connections stay open after the count is reached
  std::uint64_t max_messages = 10'000'000;
  unsigned threads = 1;
  unsigned sources = 4;           ///< source addresses 127.0.0.(1+i)
  std::size_t open_concurrency = 256;  ///< handshakes in flight at once
};

/// What parsing decided: run, or print `text` and exit with `exit_code`.
struct ParseOutcome {
  bool run = false;
  int exit_code = 0;
  std::string text;
};

ParseOutcome parse_options(const std::vector<std::string>& args, Options& out);

}  // namespace hush::load
