// Flag parsing for hush-load (see options.hpp). Refuses any target that is
// not a loopback address, any bound beyond the hard ceilings and a pairing
// the nodes given cannot make.
#include "options.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace hush::load {
namespace {

constexpr const char* kUsage =
    "usage: hush-load --ca CERT [--connect 127.0.0.1:8443 | --node HOST:PORT ...] [--server-pid PID]\n"
    "                 (--max | --rate MSGS_PER_S | --idle N) [--pairing same-node|cross-node|any]\n"
    "                 [--cpu NAME=PID ...]\n"
    "                 [--accounts N] [--accounts-file FILE] [--connections N] [--window N]\n"
    "                 [--size BYTES] [--warmup S] [--duration S] [--drain S] [--hold S]\n"
    "                 [--messages N] [--threads N] [--sources N] [--open-concurrency N]\n"
    "  --max          closed loop: every connection keeps --window sends outstanding\n"
    "  --rate R       open loop: R messages/s offered; a send whose connection already\n"
    "                 has --window outstanding is shed (counted, not sent)\n"
    "  --idle N       open N idle authenticated WebSockets, report hushd's RSS per connection\n"
    "  --node H:P     a hushd node (repeatable; --connect is the same); connections\n"
    "                 and their accounts go to the nodes in turn\n"
    "  --pairing P    relay: each connection sends to one on its own node (same-node,\n"
    "                 the default), on the next node (cross-node: a Redis wake-up and a\n"
    "                 PostgreSQL read per message) or anywhere (any)\n"
    "  --server-pid   hushd's pid: CPU seconds (/proc/PID/stat) and RSS (/proc/PID/status)\n"
    "  --cpu NAME=PID relay: CPU of PID and its children per 1,000 messages, summed by NAME\n"
    "                 (repeatable: every node as hushd=PID, the postmaster as postgres=PID)\n"
    "  --accounts-file FILE  reuse the accounts saved there (registering what is missing)\n"
    "Only loopback targets (127.0.0.0/8, ::1) are accepted; every run is bounded.\n";

template <class T>
bool parse_number(const std::string& s, T& out) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return false;
  out = v;
  return true;
}

ParseOutcome fail(const std::string& text) { return ParseOutcome{false, 2, text + "\n" + kUsage}; }

/// "HOST:PORT" with a loopback HOST ("[::1]:PORT" for IPv6).
bool parse_node(const std::string& v, NodeAddress& out) {
  const auto colon = v.rfind(':');
  if (colon == std::string::npos || !parse_number(v.substr(colon + 1), out.port) || out.port == 0) return false;
  out.host = v.substr(0, colon);
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  return true;
}

bool parse_pairing(const std::string& v, Pairing& out) {
  if (v == "same-node") out = Pairing::same_node;
  else if (v == "cross-node") out = Pairing::cross_node;
  else if (v == "any") out = Pairing::any;
  else return false;
  return true;
}

/// "NAME=PID": a short name of letters, digits, '-' or '_' (it becomes a
/// field of the RESULT line) and a positive pid.
bool parse_cpu_watch(const std::string& v, CpuWatch& out) {
  const auto eq = v.find('=');
  if (eq == std::string::npos || eq == 0 || eq > 32) return false;
  out.component = v.substr(0, eq);
  for (char ch : out.component) {
    const bool fine = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                      ch == '_';
    if (!fine) return false;
  }
  return parse_number(v.substr(eq + 1), out.pid) && out.pid > 0;
}

}  // namespace

ParseOutcome parse_options(const std::vector<std::string>& args, Options& out) {
  bool mode_set = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") return ParseOutcome{false, 0, kUsage};
    if (a == "--max") {
      out.mode = Mode::max;
      mode_set = true;
      continue;
    }
    if (i + 1 >= args.size()) return fail("unknown option or missing value: " + a);
    const std::string& v = args[++i];
    bool ok = true;
    if (a == "--connect" || a == "--node") {
      NodeAddress node;
      ok = parse_node(v, node);
      out.nodes.push_back(node);
    } else if (a == "--pairing") {
      ok = parse_pairing(v, out.pairing);
    } else if (a == "--cpu") {
      CpuWatch watch;
      ok = parse_cpu_watch(v, watch);
      out.cpu_watches.push_back(watch);
    } else if (a == "--ca") {
      out.ca_file = v;
    } else if (a == "--server-pid") {
      ok = parse_number(v, out.server_pid) && out.server_pid > 0;
      out.cpu_watches.push_back(CpuWatch{"hushd", out.server_pid});
    } else if (a == "--accounts-file") {
      out.accounts_file = v;
    } else if (a == "--accounts") {
      ok = parse_number(v, out.accounts) && out.accounts >= 2;
    } else if (a == "--rate") {
      ok = parse_number(v, out.rate) && out.rate > 0;
      out.mode = Mode::rate;
      mode_set = true;
    } else if (a == "--idle") {
      ok = parse_number(v, out.idle_connections) && out.idle_connections > 0;
      out.mode = Mode::idle;
      mode_set = true;
    } else if (a == "--connections") {
      ok = parse_number(v, out.connections);
    } else if (a == "--window") {
      ok = parse_number(v, out.window) && out.window > 0;
    } else if (a == "--size") {
      ok = parse_number(v, out.message_size) && out.message_size > 0 && out.message_size <= 256 * 1024;
    } else if (a == "--warmup") {
      ok = parse_number(v, out.warmup_seconds) && out.warmup_seconds >= 0;
    } else if (a == "--duration") {
      ok = parse_number(v, out.duration_seconds) && out.duration_seconds > 0;
    } else if (a == "--drain") {
      ok = parse_number(v, out.drain_seconds) && out.drain_seconds >= 0;
    } else if (a == "--hold") {
      ok = parse_number(v, out.hold_seconds) && out.hold_seconds >= 0;
    } else if (a == "--messages") {
      ok = parse_number(v, out.max_messages) && out.max_messages > 0;
    } else if (a == "--threads") {
      ok = parse_number(v, out.threads) && out.threads > 0 && out.threads <= 64;
    } else if (a == "--sources") {
      ok = parse_number(v, out.sources) && out.sources > 0 && out.sources <= 250;
    } else if (a == "--open-concurrency") {
      ok = parse_number(v, out.open_concurrency) && out.open_concurrency > 0;
    } else {
      return fail("unknown option: " + a);
    }
    if (!ok) return fail("bad value for " + a + ": " + v);
  }
  if (!mode_set) return fail("choose a mode: --max, --rate R or --idle N");
  if (out.ca_file.empty()) return fail("--ca CERT is required (the server's certificate, e.g. DATA/tls/cert.pem)");
  if (out.nodes.empty()) out.nodes.push_back(NodeAddress{"127.0.0.1", 8443});
  if (out.nodes.size() > kMaxNodes) return fail("at most 64 nodes");
  for (const auto& node : out.nodes) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(node.host, ec);
    if (ec || !address.is_loopback()) return fail("only loopback targets are allowed (127.0.0.0/8 or ::1)");
  }
  if (out.pairing == Pairing::cross_node && out.nodes.size() < 2) {
    return fail("--pairing cross-node needs two nodes or more (--node HOST:PORT, repeated)");
  }
  if (out.cpu_watches.size() > kMaxCpuWatches) return fail("at most 64 --cpu processes");
  const double total = out.warmup_seconds + out.duration_seconds + out.drain_seconds + out.hold_seconds;
  if (total > kMaxDurationSeconds) return fail("warmup + duration + drain + hold must stay under 600 s");
  if (out.max_messages > kMaxMessages) return fail("--messages is capped at 50,000,000");
  if (out.idle_connections > kMaxConnections || out.connections > kMaxConnections) {
    return fail("connections are capped at 1,000,000");
  }
  return ParseOutcome{true, 0, {}};
}

}  // namespace hush::load
