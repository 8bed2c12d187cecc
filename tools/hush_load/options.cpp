// Flag parsing for hush-load (see options.hpp). Refuses any target that is
// not a loopback address and any bound beyond the hard ceilings.
#include "options.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace hush::load {
namespace {

constexpr const char* kUsage =
    "usage: hush-load --ca CERT [--connect 127.0.0.1:8443] [--server-pid PID]\n"
    "                 (--max | --rate MSGS_PER_S | --idle N)\n"
    "                 [--accounts N] [--accounts-file FILE] [--connections N] [--window N]\n"
    "                 [--size BYTES] [--warmup S] [--duration S] [--drain S] [--hold S]\n"
    "                 [--messages N] [--threads N] [--sources N] [--open-concurrency N]\n"
    "  --max          closed loop: every connection keeps --window sends outstanding\n"
    "  --rate R       open loop: R messages/s offered; a send whose connection already\n"
    "                 has --window outstanding is shed (counted, not sent)\n"
    "  --idle N       open N idle authenticated WebSockets, report hushd's RSS per connection\n"
    "  --server-pid   hushd's pid: CPU seconds (/proc/PID/stat) and RSS (/proc/PID/status)\n"
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
    if (a == "--connect") {
      const auto colon = v.rfind(':');
      ok = colon != std::string::npos && parse_number(v.substr(colon + 1), out.port);
      out.host = v.substr(0, colon);
    } else if (a == "--ca") {
      out.ca_file = v;
    } else if (a == "--server-pid") {
      ok = parse_number(v, out.server_pid);
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
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(out.host, ec);
  if (ec || !address.is_loopback()) return fail("only loopback targets are allowed (127.0.0.0/8 or ::1)");
  const double total = out.warmup_seconds + out.duration_seconds + out.drain_seconds + out.hold_seconds;
  if (total > kMaxDurationSeconds) return fail("warmup + duration + drain + hold must stay under 600 s");
  if (out.max_messages > kMaxMessages) return fail("--messages is capped at 50,000,000");
  if (out.idle_connections > kMaxConnections || out.connections > kMaxConnections) {
    return fail("connections are capped at 1,000,000");
  }
  return ParseOutcome{true, 0, {}};
}

}  // namespace hush::load
