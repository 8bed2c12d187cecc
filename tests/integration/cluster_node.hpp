// One hushd node of a test cluster (issue #17): a real hushd process on a
// shared PostgreSQL database and, when given, a shared Redis, listening on a
// loopback port chosen once so that it comes back at the same address after
// a kill -9 (clients reconnect where they were). Used by the multi-node,
// Redis and cluster crash tests instead of each keeping its own copy.
#pragma once

#include "harness.hpp"
#include "hushd_process.hpp"
#include "test_account.hpp"
#include "test_client.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace hush::testing {

struct ClusterNodeOptions {
  std::string store_url;  ///< postgresql://... shared by every node
  std::string redis;      ///< HOST:PORT of the shared Redis; empty: no bus
  /// The mailbox poll; tests that assert push delivery set it far beyond
  /// their own waits, so only a Redis wake-up can deliver in time.
  std::chrono::milliseconds mailbox_poll{100};
  std::string extra_config;  ///< more hushd.toml lines
};

class ClusterNode {
 public:
  explicit ClusterNode(const ClusterNodeOptions& options);

  /// Starts hushd on the node's port (up to 20 s); false with the reason in
  /// hushd().log(). The first start that fails (the port may have been
  /// taken since it was chosen) is retried once on a fresh port.
  bool start();
  /// kill -9, as a crashed machine: no shutdown, no goodbye to Redis.
  void kill() { hushd_->kill(); }
  /// kill -9 then start again on the same data and port.
  bool restart();
  [[nodiscard]] bool running() const { return hushd_->running(); }

  HushdProcess& hushd() { return *hushd_; }
  [[nodiscard]] const std::string& host() const { return hushd_->host(); }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& cert_file() const { return hushd_->cert_file(); }

  std::unique_ptr<TestClient> client();
  /// A connected WebSocket for `device`, or null.
  std::unique_ptr<TestClient> online(const TestDevice& device);
  /// Registers `name` (two one-time pre-keys), seeded by `seed`.
  std::optional<Party> register_user(const std::string& name, std::uint64_t seed);
  /// Links a new device to the account `owner_ws` is connected as.
  std::optional<TestDevice> link_device(TestClient& owner_ws, const crypto::KeyPair& identity, std::uint64_t seed);

  /// A /metrics value (0 when absent).
  std::uint64_t metric(const std::string& name);
  /// Waits (up to 20 s) until `name` reads `value`.
  bool wait_metric(const std::string& name, std::uint64_t value);
  /// Waits (up to 20 s) until `name` reads at least `value`.
  bool wait_metric_at_least(const std::string& name, std::uint64_t value);

 private:
  static HushdOptions process_options(const ClusterNodeOptions& options, std::uint16_t port);

  ClusterNodeOptions options_;
  std::uint16_t port_;
  bool started_once_ = false;
  std::unique_ptr<HushdProcess> previous_;  ///< a first start that failed: owns the data folder
  std::unique_ptr<HushdProcess> hushd_;
};

}  // namespace hush::testing
