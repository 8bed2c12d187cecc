// hushd's settings: command-line flags and the TOML config file that mirrors
// them (flags win). Only parsing and defaults live here; main.cpp acts.
#pragma once

#include "net/log.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hush::server::app {

struct Options {
  std::string data_dir = "./hushd-data";
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;
  std::string store_url;  ///< empty: sqlite:DATA/hush.db
  std::string tls_cert;   ///< both empty: self-signed in DATA/tls/
  std::string tls_key;
  bool plain_tcp = false;  ///< loopback only; refused elsewhere
  std::string config_file;
  net::LogLevel log_level = net::LogLevel::info;
  std::chrono::seconds retention{30LL * 24 * 3600};
  std::size_t queue_cap = 10'000;
  /// Most envelopes one sender account may hold in one device's queue of
  /// another account (0: no share, only queue_cap).
  std::size_t sender_share = 1'000;
  /// How often expired mail is swept: a tenth of a day keeps the backlog
  /// small without waking the disk often.
  std::chrono::seconds sweep_interval{600};
  unsigned io_threads = 0;
  unsigned service_threads = 0;
  std::size_t max_connections = 120'000;
  /// Extra names (DNS) or addresses (IP) the self-signed certificate must
  /// carry besides localhost, 127.0.0.1 and ::1 (`--cert-host`, `cert_hosts`).
  std::vector<std::string> cert_hosts;
  /// The metrics listener (`GET /metrics`, plain HTTP): loopback, a port the
  /// kernel picks unless set. `metrics_host` empty ("off"): no listener.
  std::string metrics_host = "127.0.0.1";
  std::uint16_t metrics_port = 0;
  /// Registration limits (docs/server/api.md, "Limits"): per address prefix
  /// (burst, then per minute), the prefix lengths, and the global rate.
  double registration_burst = 5;
  double registration_per_minute = 1;
  unsigned registration_prefix_v4 = 24;
  unsigned registration_prefix_v6 = 56;
  double registration_global_burst = 1000;
  double registration_global_per_second = 10;
  /// Username lookups per account: burst, then per minute.
  double lookup_burst = 100;
  double lookup_per_minute = 10;
  /// Connections per client address and WebSocket sessions per account (0: no cap).
  std::size_t max_connections_per_address = 1000;
  std::size_t max_connections_per_account = 32;
  /// The rest of a WebSocket message must arrive this soon after its start.
  std::chrono::seconds frame_read_timeout{30};
  /// A WebSocket with no frame for this long is closed (a ping goes out at
  /// half of it); clients reconnect on their next call.
  std::chrono::seconds ws_idle_timeout{60};
  /// Bundle fetches (KeyServiceConfig): per requesting account (burst, per
  /// second), one-time keys per target device (burst, per minute), the
  /// window in which a requester gets one one-time key per device, and the
  /// low-water mark below which a device is told to upload more.
  double bundle_fetch_burst = 200;
  double bundle_fetch_per_second = 1;
  double one_time_per_target_burst = 50;
  double one_time_per_target_per_minute = 1;
  std::chrono::seconds one_time_repeat_window{24 * 3600};
  std::size_t pre_key_low_water = 20;
  /// One deadline for the TLS handshake plus the first HTTP request.
  std::chrono::seconds handshake_timeout{10};
  /// How often an idle WebSocket session reads its mailbox without a wake-up
  /// (net::Limits::mailbox_poll_interval; 0: never). Unset (negative): by
  /// backend, kDefaultPostgresPoll for PostgreSQL (other nodes may store
  /// mail for our sessions), never for SQLite (one node).
  std::chrono::milliseconds mailbox_poll_interval{-1};
  /// The same poll while Redis delivers wake-ups (net::Limits::
  /// mailbox_poll_with_bus, `mailbox_poll_with_redis_ms`): the safety net
  /// for a lost wake-up; positive, never shorter than the poll above.
  std::chrono::milliseconds mailbox_poll_with_redis{30000};
  /// Redis for wake-ups between nodes ("HOST:PORT" or "redis://HOST:PORT";
  /// `--redis`, `redis`); empty: none (one node, or several that poll).
  std::string redis;
};

/// One second: what a message stored through another hushd node may wait
/// before an idle session finds it while no cross-node wake-up exists;
/// 200 sessions then cost 200 small mailbox reads a second.
inline constexpr std::chrono::milliseconds kDefaultPostgresPoll{1000};

/// hushd's version, as `hushd --version` prints it.
const char* version();

/// What parsing decided: run, or print `text` and exit with `exit_code`.
struct ParseOutcome {
  bool run = false;
  int exit_code = 0;
  std::string text;
};

/// Parses argv (and the --config file, if named). On success `run` is true.
ParseOutcome parse_options(const std::vector<std::string>& args, Options& out);

/// Splits "HOST:PORT" or "[V6]:PORT". False when malformed.
bool parse_listen(const std::string& text, std::string& host, std::uint16_t& port);

}  // namespace hush::server::app
