// ClusterNode (see cluster_node.hpp).
#include "cluster_node.hpp"

#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/free_port.hpp>

#include <thread>

namespace hush::testing {
namespace {

using namespace std::chrono_literals;

/// How long wait_metric() gives a node: far beyond a wake-up or a Redis
/// reconnection, short enough that a broken path fails the test.
constexpr int kMetricPolls = 200;
constexpr auto kMetricPause = 100ms;

}  // namespace

HushdOptions ClusterNode::process_options(const ClusterNodeOptions& options, std::uint16_t port) {
  HushdOptions o;
  o.store_url = options.store_url;
  o.listen = "127.0.0.1:" + std::to_string(port);
  o.config_toml = "mailbox_poll_interval_ms = " + std::to_string(options.mailbox_poll.count()) + "\n";
  if (!options.redis.empty()) o.config_toml += "redis = \"" + options.redis + "\"\n";
  o.config_toml += options.extra_config;
  return o;
}

ClusterNode::ClusterNode(const ClusterNodeOptions& options)
    : options_(options),
      port_(free_loopback_port()),
      hushd_(std::make_unique<HushdProcess>(process_options(options, port_))) {}

bool ClusterNode::start() {
  if (hushd_->start()) return started_once_ = true;
  if (started_once_) return false;  // the address clients know must stay
  HushdOptions o = process_options(options_, port_ = free_loopback_port());
  o.data_dir = hushd_->data_dir();
  auto fresh = std::make_unique<HushdProcess>(o);
  if (!fresh->start()) return false;
  // The first process owned the temporary folder; keep it alive with the node.
  previous_ = std::move(hushd_);
  hushd_ = std::move(fresh);
  return started_once_ = true;
}

bool ClusterNode::restart() {
  hushd_->kill();
  return hushd_->start();
}

std::unique_ptr<TestClient> ClusterNode::client() {
  return std::make_unique<TestClient>(hushd_->host(), hushd_->port(), hushd_->cert_file());
}

std::unique_ptr<TestClient> ClusterNode::online(const TestDevice& device) {
  auto c = client();
  if (!c->connect(device.authorization())) return nullptr;
  return c;
}

std::optional<Party> ClusterNode::register_user(const std::string& name, std::uint64_t seed) {
  DeterministicRng rng(seed);
  auto identity = crypto::KeyPair::generate(rng);
  auto c = client();
  auto device =
      register_device(*c, make_register_request(name, identity, 2000 + static_cast<std::uint32_t>(seed), rng, 2));
  if (!device) return std::nullopt;
  return Party{std::move(identity), *device};
}

std::optional<TestDevice> ClusterNode::link_device(TestClient& owner_ws, const crypto::KeyPair& identity,
                                                   std::uint64_t seed) {
  pb::ClientFrame f;
  f.mutable_create_link_token();
  auto token = owner_ws.call(f);
  if (!token || token->status() != 200) return std::nullopt;
  DeterministicRng rng(seed);
  auto request = make_register_request("", identity, 3000 + static_cast<std::uint32_t>(seed), rng);
  request.set_link_token(token->link_token().token());
  auto c = client();
  return register_device(*c, request);
}

std::uint64_t ClusterNode::metric(const std::string& name) {
  const std::string text = hushd_->metrics();
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return 0;
  return std::stoull(text.substr(at + name.size() + 2));
}

bool ClusterNode::wait_metric(const std::string& name, std::uint64_t value) {
  for (int i = 0; i < kMetricPolls; ++i) {
    if (metric(name) == value) return true;
    std::this_thread::sleep_for(kMetricPause);
  }
  return false;
}

bool ClusterNode::wait_metric_at_least(const std::string& name, std::uint64_t value) {
  for (int i = 0; i < kMetricPolls; ++i) {
    if (metric(name) >= value) return true;
    std::this_thread::sleep_for(kMetricPause);
  }
  return false;
}

}  // namespace hush::testing
