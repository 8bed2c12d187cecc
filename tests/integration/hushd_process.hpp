// Starts the real hushd binary for integration tests: a temporary data
// directory, an ephemeral loopback port read back from the start line
// ("hushd listening on HOST:PORT"), stderr kept in DATA/hushd.log, and stop
// by SIGTERM (graceful) or SIGKILL (crash tests). Restartable on the same data.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hush::testing {

struct HushdOptions {
  std::string data_dir;                 ///< empty: a fresh temporary directory, removed at the end
  std::string store_url;                ///< empty: hushd's default (sqlite in the data dir)
  bool plain_tcp = false;
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> extra_args;  ///< appended as given
  std::string config_toml;              ///< non-empty: written to DATA/hushd.toml, passed as --config
};

class HushdProcess {
 public:
  explicit HushdProcess(HushdOptions options = {});
  ~HushdProcess();
  HushdProcess(const HushdProcess&) = delete;
  HushdProcess& operator=(const HushdProcess&) = delete;

  /// Starts hushd and waits (up to 20 s) for its start line. False if it
  /// exited or never said where it listens; see log().
  bool start();
  /// SIGTERM, then waits up to 15 s (SIGKILL after). Returns the exit status
  /// (as from waitpid's WEXITSTATUS; -1 if killed by a signal).
  int stop();
  /// SIGKILL and reap: a crash.
  void kill();
  /// Waits for the process to exit on its own; its exit code (-1 on signal).
  int wait_exit();
  [[nodiscard]] bool running() const { return pid_ > 0; }
  [[nodiscard]] pid_t pid() const { return pid_; }

  [[nodiscard]] const std::string& host() const { return host_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// The metrics listener's port (plain HTTP on host()), 0 when none.
  [[nodiscard]] std::uint16_t metrics_port() const { return metrics_port_; }
  /// `GET /metrics` from the metrics listener: the body, empty on failure.
  [[nodiscard]] std::string metrics() const;
  [[nodiscard]] const std::string& cert_file() const { return cert_file_; }
  [[nodiscard]] const std::string& fingerprint() const { return fingerprint_; }
  [[nodiscard]] const std::string& data_dir() const { return data_dir_; }
  /// The --store URL given (empty: hushd's default, DATA/hush.db).
  [[nodiscard]] const std::string& store_url() const { return options_.store_url; }
  /// Everything hushd wrote to stderr so far.
  [[nodiscard]] std::string log() const;

 private:
  HushdOptions options_;
  std::string data_dir_;
  bool own_dir_ = false;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string host_;
  std::uint16_t port_ = 0;
  std::uint16_t metrics_port_ = 0;
  std::string cert_file_;
  std::string fingerprint_;
};

/// The path of the hushd binary under test (from CMake).
const char* hushd_binary();

}  // namespace hush::testing
