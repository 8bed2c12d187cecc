// The crash test on a cluster (issue #17): three hushd nodes on one
// PostgreSQL with Redis between them, load on every node, and
//  - one node killed with SIGKILL per cycle (in turn), down a moment, then
//    restarted on its port: its clients move to the other nodes (as a
//    client walks its server list) and go on;
//  - Redis killed with SIGKILL under load and restarted: mail stored
//    meanwhile for another node's device waits in PostgreSQL until that
//    node catches up (its sessions' next poll, or the read every
//    resubscription triggers when Redis is back), and push resumes.
// Every message a node acknowledged must be delivered, none stored twice,
// none handed to the application twice, each sender's messages first
// delivered in order. HUSH_CRASH_CYCLES sets the cycles (default 4); the
// counts are printed as one "crash-test ..." line.
#include "cluster_node.hpp"
#include "crash_traffic.hpp"

#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/temporary_postgres.hpp>
#include <hush/testing/temporary_redis.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <thread>

namespace hush::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kNodes = 3;
constexpr int kDefaultCycles = 4;
/// Three sending accounts, two threads each, and two receiving accounts:
/// five registrations, hushd's per-address burst.
constexpr int kSenders = 3;
constexpr int kStreamsPerSender = 2;
constexpr int kReceivers = 2;
constexpr std::uint64_t kMaxMessagesPerStream = 1'000'000;
/// Up and down times of a node (or of Redis), uniformly random.
constexpr int kMinUpMs = 300;
constexpr int kMaxUpMs = 900;
constexpr int kMinDownMs = 100;
constexpr int kMaxDownMs = 600;
/// The poll while Redis is down. While Redis is up hushd stretches it to
/// its 30 s safety net, so the deliveries of the node test are pushes. (A
/// session already waiting its 30 s when Redis goes down keeps waiting:
/// with these short outages the catch-up comes from the resubscription.)
constexpr auto kFallbackPoll = 200ms;
/// After the last restart: how long the senders still send, and how long
/// the receivers may take to collect every acknowledged message (beyond
/// the 30 s safety-net poll, should a wake-up be lost with a killed node).
constexpr auto kFinalLoad = 1000ms;
constexpr auto kDeliveryDeadline = 60s;

int cycles() {
  const char* v = std::getenv("HUSH_CRASH_CYCLES");
  const int n = v != nullptr ? std::atoi(v) : kDefaultCycles;
  return n > 0 && n <= 10'000 ? n : kDefaultCycles;
}

class HushdClusterCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* pg = PostgresEnvironment::server();
    ASSERT_NE(pg, nullptr);
    ASSERT_TRUE(redis_.start());
    ClusterNodeOptions o;
    o.store_url = pg->create_database();
    o.redis = redis_.address();
    o.mailbox_poll = kFallbackPoll;
    for (auto& node : nodes_) {
      node = std::make_unique<ClusterNode>(o);
      ASSERT_TRUE(node->start()) << node->hushd().log();
    }
    for (std::size_t i = 0; i < kNodes; ++i) {
      ASSERT_TRUE(nodes_[i]->wait_metric("hushd_redis_up", 1)) << nodes_[i]->hushd().log();
      publish(i);
    }
    // Each account registers on a node of its own (the registrations meet
    // in the one database).
    DeterministicRng rng(17);
    for (int i = 0; i < kSenders + kReceivers; ++i) {
      ClusterNode& node = *nodes_[static_cast<std::size_t>(i) % kNodes];
      TestClient c(node.host(), node.port(), node.cert_file());
      const auto identity = crypto::KeyPair::generate(rng);
      const std::string name = (i < kSenders ? "sender" : "receiver") + std::to_string(i);
      unsigned status = 0;
      auto device = register_device(
          c, make_register_request(name, identity, 100 + static_cast<std::uint32_t>(i), rng, 0), &status);
      ASSERT_TRUE(device) << "registration " << i << " failed: " << status;
      (i < kSenders ? senders_ : receivers_).push_back(*device);
    }
  }

  /// A failed assertion leaves the loops running: stop them before the
  /// nodes and Redis go.
  void TearDown() override {
    stop_sending_ = true;
    stop_receiving_ = true;
    for (auto& t : sending_) {
      if (t.joinable()) t.join();
    }
    for (auto& t : receiving_) {
      if (t.joinable()) t.join();
    }
  }

  void publish(std::size_t node) {
    endpoint_.up(node, {nodes_[node]->host(), nodes_[node]->port(), nodes_[node]->cert_file()});
  }

  /// Receivers on nodes 1 and 2, senders on nodes 0, 1 and 2, each sending
  /// to both receivers: most messages cross nodes.
  void start_traffic() {
    for (std::size_t r = 0; r < receivers_.size(); ++r) {
      receiving_.emplace_back([this, r] {
        run_receiver(endpoint_, ledger_, receivers_[r], stop_receiving_, (r + 1) % kNodes);
      });
    }
    std::uint32_t stream = 0;
    for (std::size_t s = 0; s < senders_.size(); ++s) {
      for (int k = 0; k < kStreamsPerSender; ++k, ++stream) {
        sending_.emplace_back([this, s, stream] {
          run_sender(endpoint_, ledger_, senders_[s], receivers_[stream % receivers_.size()], stream,
                     kMaxMessagesPerStream, stop_sending_, s % kNodes);
        });
      }
    }
  }

  /// Stops the senders, waits for every acknowledged message, stops the
  /// receivers and returns the counts.
  CrashCounts finish_traffic() {
    std::this_thread::sleep_for(kFinalLoad);
    stop_sending_ = true;
    for (auto& t : sending_) t.join();
    sending_.clear();
    const auto deadline = std::chrono::steady_clock::now() + kDeliveryDeadline;
    while (!ledger_.all_acknowledged_delivered() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
    }
    stop_receiving_ = true;
    for (auto& t : receiving_) t.join();
    receiving_.clear();
    return ledger_.counts();
  }

  std::uint64_t sum(const std::string& metric) {
    std::uint64_t total = 0;
    for (auto& node : nodes_) total += node->metric(metric);
    return total;
  }

  /// On a loss, what each node's /metrics says about delivery: enough to
  /// tell a missed wake-up from a stuck session.
  void dump_delivery_metrics() {
    for (std::size_t i = 0; i < kNodes; ++i) {
      std::string text = nodes_[i]->hushd().metrics();
      std::string out;
      std::size_t at = 0;
      while (at < text.size()) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        const std::string line = text.substr(at, end - at);
        if (line.rfind("hushd_", 0) == 0 && line.find("_bucket") == std::string::npos) out += "  " + line + "\n";
        at = end + 1;
      }
      std::printf("node %zu metrics:\n%s", i, out.c_str());
    }
  }

  static void expect_nothing_lost(const CrashCounts& c) {
    EXPECT_GT(c.acknowledged, 0U);
    EXPECT_EQ(c.lost, 0U) << "acknowledged messages never delivered";
    EXPECT_EQ(c.stored_twice, 0U) << "a retried send was stored under a second seq";
    EXPECT_EQ(c.after_dedup, 0U);
    EXPECT_EQ(c.corrupt, 0U);
    EXPECT_EQ(c.order_violations, 0U);
    EXPECT_EQ(c.unexpected_status, 0U) << "last refused with status " << c.last_unexpected;
  }

  TemporaryRedis redis_;
  std::array<std::unique_ptr<ClusterNode>, kNodes> nodes_;
  ServerEndpoint endpoint_{kNodes};
  std::vector<TestDevice> senders_, receivers_;
  Ledger ledger_;
  std::atomic<bool> stop_sending_{false};
  std::atomic<bool> stop_receiving_{false};
  std::vector<std::thread> sending_, receiving_;
  std::mt19937 random_{static_cast<unsigned>(std::random_device{}())};
};

TEST_F(HushdClusterCrash, KilledNodesLoseNothingAndTheirClientsMoveToTheOthers) {
  const auto started = std::chrono::steady_clock::now();
  start_traffic();
  std::uniform_int_distribution<int> up_ms(kMinUpMs, kMaxUpMs);
  std::uniform_int_distribution<int> down_ms(kMinDownMs, kMaxDownMs);
  const int n = cycles();
  int restarts_failed = 0;
  for (int cycle = 0; cycle < n; ++cycle) {
    std::this_thread::sleep_for(std::chrono::milliseconds(up_ms(random_)));
    const std::size_t victim = static_cast<std::size_t>(cycle) % kNodes;
    endpoint_.down(victim);
    nodes_[victim]->kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(down_ms(random_)));
    if (!nodes_[victim]->restart()) {
      ++restarts_failed;
      ADD_FAILURE() << "node " << victim << " did not restart after cycle " << cycle << "\n"
                    << nodes_[victim]->hushd().log();
      break;
    }
    publish(victim);
  }
  const CrashCounts c = finish_traffic();
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%s moved=%llu wakeups_received=%llu seconds=%.1f\n", crash_report("cluster_nodes", n, c).c_str(),
              static_cast<unsigned long long>(endpoint_.moved()),
              static_cast<unsigned long long>(sum("hushd_wakeups_received_total")), seconds);
  if (c.lost > 0) dump_delivery_metrics();
  std::fflush(stdout);
  EXPECT_EQ(restarts_failed, 0);
  expect_nothing_lost(c);
  EXPECT_GT(endpoint_.moved(), 0U) << "no client of a killed node moved to another node";
}

TEST_F(HushdClusterCrash, KilledRedisLosesNothingAndPushResumes) {
  const auto started = std::chrono::steady_clock::now();
  start_traffic();
  std::uniform_int_distribution<int> up_ms(kMinUpMs, kMaxUpMs);
  std::uniform_int_distribution<int> down_ms(kMinDownMs, kMaxDownMs);
  const int n = cycles();
  for (int cycle = 0; cycle < n; ++cycle) {
    std::this_thread::sleep_for(std::chrono::milliseconds(up_ms(random_)));
    redis_.kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(down_ms(random_)));
    ASSERT_TRUE(redis_.start()) << "redis-server did not restart after cycle " << cycle;
  }
  // Push resumes: every node reconnects, and wake-ups flow again under the
  // load that never stopped.
  for (auto& node : nodes_) {
    ASSERT_TRUE(node->wait_metric("hushd_redis_up", 1)) << node->hushd().log();
  }
  const std::uint64_t received = sum("hushd_wakeups_received_total");
  const CrashCounts c = finish_traffic();
  const std::uint64_t received_after = sum("hushd_wakeups_received_total");
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%s wakeups_received_after_redis_back=%llu polls=%llu seconds=%.1f\n",
              crash_report("cluster_redis", n, c).c_str(),
              static_cast<unsigned long long>(received_after - received),
              static_cast<unsigned long long>(sum("hushd_mailbox_polls_total")), seconds);
  if (c.lost > 0) dump_delivery_metrics();
  std::fflush(stdout);
  expect_nothing_lost(c);
  EXPECT_GT(received_after, received) << "no wake-up went through Redis once it was back";
  for (auto& node : nodes_) {
    EXPECT_NE(node->hushd().log().find("redis_down_polling"), std::string::npos) << "the outage is logged";
  }
}

}  // namespace
}  // namespace hush::testing
