// hush-load's command line: the targets (hushd nodes, loopback addresses
// only), the mode (--rate, --max or --idle), who sends to whom across nodes,
// which processes' CPU to report, and every bound that makes a run stop by
// itself. Parsing only; main.cpp acts on the result.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hush::load {

enum class Mode { rate, max, idle };

/// Who a relay connection sends to, when the connections are spread over
/// several nodes: a connection on its own node (the push stays inside one
/// hushd), on another node (the push needs a cross-node wake-up through
/// Redis and a mailbox read from PostgreSQL), or any other connection.
enum class Pairing { same_node, cross_node, any };

/// One hushd node to connect to.
struct NodeAddress {
  std::string host;
  std::uint16_t port = 0;
};

/// A process whose CPU (its own and its children's, e.g. PostgreSQL's
/// postmaster and its backends) is reported under `component`; several
/// watches may share one component (every hushd node under "hushd").
struct CpuWatch {
  std::string component;
  pid_t pid = 0;
};

/// Hard ceilings: a mistyped flag cannot make a run that never ends.
inline constexpr double kMaxDurationSeconds = 600;
inline constexpr std::uint64_t kMaxMessages = 50'000'000;
inline constexpr std::size_t kMaxConnections = 1'000'000;
/// More nodes or watched processes than a test machine can hold is a typo.
inline constexpr std::size_t kMaxNodes = 64;
inline constexpr std::size_t kMaxCpuWatches = 64;

struct Options {
  /// --connect/--node, in order; connection i goes to node (i / threads) %
  /// nodes.size(), so every worker thread holds connections on every node.
  /// Parsing leaves 127.0.0.1:8443 when none is given.
  std::vector<NodeAddress> nodes;
  Pairing pairing = Pairing::same_node;
  std::vector<CpuWatch> cpu_watches;  ///< --cpu NAME=PID; --server-pid adds hushd=PID
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
