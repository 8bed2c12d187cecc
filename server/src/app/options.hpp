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
  /// How often expired mail is swept: a tenth of a day keeps the backlog
  /// small without waking the disk often.
  std::chrono::seconds sweep_interval{600};
  unsigned io_threads = 0;
  unsigned service_threads = 0;
  std::size_t max_connections = 120'000;
  /// Extra names (DNS) or addresses (IP) the self-signed certificate must
  /// carry besides localhost, 127.0.0.1 and ::1 (`--cert-host`, `cert_hosts`).
  std::vector<std::string> cert_hosts;
};

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
