// The Redis bus between hushd nodes (server/src/cluster, issue #17) against
// a real redis-server: wake-ups and disconnects reach the node that holds
// the device and no other, a released device hears nothing, and when Redis
// is killed and comes back, or is absent at start, the bus says so and
// restores every subscription by itself; provisioning frames relayed to the
// node holding an address, with an answer the sender can act on.
#include "cluster/redis_bus.hpp"
#include "cluster/redis_endpoint.hpp"
#include "hush/testing/temporary_redis.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hush::server::cluster {
namespace {

using namespace std::chrono_literals;
using testing::TemporaryRedis;

/// What one node's bus reported, safe to read from the test thread.
class Recorder {
 public:
  BusEvents events() {
    BusEvents e;
    e.wake = [this](const std::string& d) { add("wake " + d); };
    e.disconnect = [this](const std::string& d) { add("disconnect " + d); };
    e.health = [this](bool up) { add(up ? "up" : "down"); };
    e.provisioning = [this](const std::string& a, std::string frame) { add("provisioning " + a + " " + frame); };
    return e;
  }
  /// Waits (up to 20 s) until `line` was reported `count` times in all.
  bool wait_for(const std::string& line, std::size_t count = 1) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 20s, [&] { return count_locked(line) >= count; });
  }
  std::size_t count(const std::string& line) {
    std::lock_guard lock(mutex_);
    return count_locked(line);
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  void add(std::string line) {
    {
      std::lock_guard lock(mutex_);
      lines_.push_back(std::move(line));
    }
    changed_.notify_all();
  }
  std::size_t count_locked(const std::string& line) const {
    std::size_t n = 0;
    for (const auto& l : lines_) n += l == line ? 1 : 0;
    return n;
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

RedisEndpoint endpoint(const TemporaryRedis& r) {
  return *RedisEndpoint::parse(r.address());
}

/// relay_provisioning's outcome, waited for (up to 20 s; unavailable after).
RelayOutcome relay(RedisBus& bus, const std::string& address, const std::string& frame) {
  auto answer = std::make_shared<std::promise<RelayOutcome>>();
  auto result = answer->get_future();
  bus.relay_provisioning(address, frame, [answer](RelayOutcome o) { answer->set_value(o); });
  if (result.wait_for(20s) != std::future_status::ready) {
    ADD_FAILURE() << "the relay never answered";
    return RelayOutcome::unavailable;
  }
  return result.get();
}

/// Waits (up to 20 s) until `bus` has `n` confirmed provisioning subscriptions.
bool wait_provisioning_held(const RedisBus& bus, std::uint64_t n) {
  for (int i = 0; i < 200; ++i) {
    if (bus.counters().provisioning_held == n) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(RedisEndpoint, ParsesTheFormsTheConfigurationAccepts) {
  auto a = RedisEndpoint::parse("redis://10.0.0.5:6380");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "10.0.0.5");
  EXPECT_EQ(a->port, 6380);
  auto b = RedisEndpoint::parse("cache.internal");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "cache.internal");
  EXPECT_EQ(b->port, 6379);
  auto c = RedisEndpoint::parse("[::1]:7000");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 7000);
  for (const char* bad : {"", "redis://", ":6379", "host:0", "host:65536", "host:x", "::1:6379", "[::1",
                          "user:pw@host:6379", "host:6379/0", "host:"}) {
    EXPECT_FALSE(RedisEndpoint::parse(bad)) << bad;
  }
}

// Each hold() is followed by one wake when its subscription takes effect (so
// that a node reads the mailbox once and misses nothing stored just before):
// the tests wait for it before publishing.
TEST(RedisBus, AWakeUpReachesOnlyTheNodeHoldingTheDevice) {
  TemporaryRedis redis;
  ASSERT_TRUE(redis.start());
  Recorder node1, node2, node3;
  RedisBus bus1(endpoint(redis), node1.events());
  RedisBus bus2(endpoint(redis), node2.events());
  RedisBus bus3(endpoint(redis), node3.events());
  for (auto* n : {&node1, &node2, &node3}) ASSERT_TRUE(n->wait_for("up"));
  bus2.hold("alice.1");
  bus3.hold("bob.1");
  ASSERT_TRUE(node2.wait_for("wake alice.1"));  // subscribed
  ASSERT_TRUE(node3.wait_for("wake bob.1"));
  bus1.wake("alice.1");
  bus1.wake("bob.1");
  ASSERT_TRUE(node2.wait_for("wake alice.1", 2));
  ASSERT_TRUE(node3.wait_for("wake bob.1", 2));
  bus1.disconnect("bob.1");
  ASSERT_TRUE(node3.wait_for("disconnect bob.1"));
  // Each node heard only its own device.
  EXPECT_EQ(node2.count("wake bob.1"), 0u);
  EXPECT_EQ(node3.count("wake alice.1"), 0u);
  EXPECT_EQ(node1.lines(), std::vector<std::string>{"up"});
  EXPECT_EQ(bus1.counters().published, 3u);
  EXPECT_EQ(bus3.counters().received, 2u);
}

/// One node that sends and one that holds devices, on one Redis.
class RedisBusPair : public ::testing::Test {
 protected:
  /// Starts the two buses (Redis itself may or may not be running yet).
  void start_buses() {
    out_ = std::make_unique<RedisBus>(endpoint(redis_), sender_.events());
    in_ = std::make_unique<RedisBus>(endpoint(redis_), holder_.events());
  }
  /// Redis and both buses up.
  void start_all() {
    ASSERT_TRUE(redis_.start());
    start_buses();
    ASSERT_TRUE(holder_.wait_for("up"));
    ASSERT_TRUE(sender_.wait_for("up"));
  }
  RedisBus& out() { return *out_; }
  RedisBus& in() { return *in_; }

  TemporaryRedis redis_;
  Recorder sender_, holder_;

 private:
  std::unique_ptr<RedisBus> out_, in_;
};

TEST_F(RedisBusPair, AReleasedDeviceHearsNothingMoreAndSessionsAreCounted) {
  ASSERT_NO_FATAL_FAILURE(start_all());
  in().hold("d.1");
  in().hold("d.1");  // two sessions of one device on this node: one subscription
  in().hold("marker.1");
  ASSERT_TRUE(holder_.wait_for("wake d.1"));
  ASSERT_TRUE(holder_.wait_for("wake marker.1"));
  out().wake("d.1");
  ASSERT_TRUE(holder_.wait_for("wake d.1", 2));
  in().release("d.1");  // one session left: still held
  out().wake("d.1");
  ASSERT_TRUE(holder_.wait_for("wake d.1", 3));
  in().release("d.1");  // none left
  out().wake("d.1");
  out().wake("marker.1");  // Redis keeps order: had d.1 come through, it came first
  ASSERT_TRUE(holder_.wait_for("wake marker.1", 2));
  EXPECT_EQ(holder_.count("wake d.1"), 3u);
  EXPECT_EQ(in().counters().held, 1u);
}

TEST_F(RedisBusPair, RedisKilledAndRestartedIsReportedAndEverySubscriptionComesBack) {
  ASSERT_NO_FATAL_FAILURE(start_all());
  in().hold("carol.2");
  ASSERT_TRUE(holder_.wait_for("wake carol.2"));
  out().wake("carol.2");
  ASSERT_TRUE(holder_.wait_for("wake carol.2", 2));

  redis_.kill();
  ASSERT_TRUE(holder_.wait_for("down"));
  ASSERT_TRUE(sender_.wait_for("down"));
  EXPECT_FALSE(in().counters().healthy);
  out().wake("carol.2");  // dropped and counted: storage keeps the message
  in().hold("dave.1");    // held while Redis is away: subscribed when it is back
  // The wake runs on the bus's own thread: Redis comes back only once it was
  // dropped (restarted sooner, the wake could be published after all).
  for (int i = 0; i < 1000 && out().counters().publish_dropped < 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_GE(out().counters().publish_dropped, 1u);

  ASSERT_TRUE(redis_.start());
  ASSERT_TRUE(holder_.wait_for("up", 2));
  ASSERT_TRUE(sender_.wait_for("up", 2));
  // Resubscribed: one wake each, so the node catches up on what it missed.
  ASSERT_TRUE(holder_.wait_for("wake carol.2", 3));
  ASSERT_TRUE(holder_.wait_for("wake dave.1"));
  out().wake("carol.2");
  out().wake("dave.1");
  ASSERT_TRUE(holder_.wait_for("wake carol.2", 4));
  ASSERT_TRUE(holder_.wait_for("wake dave.1", 2));
  EXPECT_GE(in().counters().reconnects, 4u);  // two connections, twice
}

TEST_F(RedisBusPair, RedisAbsentAtStartIsNoErrorAndTheBusConnectsWhenItComes) {
  start_buses();  // Redis not started yet
  in().hold("erin.1");
  out().wake("erin.1");  // nowhere to go
  EXPECT_FALSE(out().counters().healthy);
  ASSERT_TRUE(holder_.wait_for("down"));  // said once, at the first failed attempt
  ASSERT_TRUE(sender_.wait_for("down"));
  ASSERT_TRUE(redis_.start());
  ASSERT_TRUE(holder_.wait_for("up"));
  ASSERT_TRUE(sender_.wait_for("up"));
  ASSERT_TRUE(holder_.wait_for("wake erin.1"));  // subscribed
  out().wake("erin.1");
  ASSERT_TRUE(holder_.wait_for("wake erin.1", 2));
  EXPECT_EQ(holder_.count("down"), 1u) << "reported once at start, not at every attempt";
  EXPECT_EQ(holder_.lines().front(), "down");
}

// Provisioning across nodes: a frame relayed for an address reaches the one
// node holding it, byte for byte, and PUBLISH's count tells the sender it
// did; an address nobody holds, or no longer holds, answers not_held; with
// Redis down the sender hears unavailable, never not_held.
TEST(RedisBus, AProvisioningFrameReachesTheNodeHoldingTheAddressAndTheSenderKnows) {
  TemporaryRedis redis;
  ASSERT_TRUE(redis.start());
  Recorder node1, node2, node3;
  RedisBus bus1(endpoint(redis), node1.events());
  RedisBus bus2(endpoint(redis), node2.events());
  RedisBus bus3(endpoint(redis), node3.events());
  for (auto* n : {&node1, &node2, &node3}) ASSERT_TRUE(n->wait_for("up"));
  const std::string address(32, 'c');
  bus2.hold_provisioning(address);
  ASSERT_TRUE(wait_provisioning_held(bus2, 1));
  std::string frame("binary\0frame\xff", 13);
  EXPECT_EQ(relay(bus1, address, frame), RelayOutcome::delivered);
  ASSERT_TRUE(node2.wait_for("provisioning " + address + " " + frame));
  EXPECT_EQ(node1.count("provisioning " + address + " " + frame), 0u);
  EXPECT_EQ(node3.count("provisioning " + address + " " + frame), 0u);
  EXPECT_EQ(bus1.counters().provisioning_relayed, 1u);
  EXPECT_EQ(bus2.counters().provisioning_received, 1u);
  EXPECT_EQ(relay(bus1, std::string(32, 'd'), "x"), RelayOutcome::not_held);

  // Released (the socket took its message or went away): once Redis has the
  // UNSUBSCRIBE, the address is nobody's.
  bus2.release_provisioning(address);
  EXPECT_TRUE(wait_provisioning_held(bus2, 0));
  RelayOutcome after = RelayOutcome::delivered;
  for (int i = 0; i < 200 && after != RelayOutcome::not_held; ++i) {
    after = relay(bus1, address, "late");
    if (after != RelayOutcome::not_held) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(after, RelayOutcome::not_held);
  EXPECT_EQ(node2.count("provisioning " + address + " late"), 0u) << "a released address got a frame";

  // Wake-ups and relays share the publishing connection: answers stay paired.
  bus3.hold_provisioning(address);
  ASSERT_TRUE(wait_provisioning_held(bus3, 1));
  bus1.wake("nobody.1");
  EXPECT_EQ(relay(bus1, address, "again"), RelayOutcome::delivered);
  bus1.wake("nobody.2");
  EXPECT_EQ(relay(bus1, std::string(32, 'e'), "x"), RelayOutcome::not_held);

  // Redis gone: the relay cannot know, and says so.
  redis.kill();
  ASSERT_TRUE(node1.wait_for("down"));
  EXPECT_EQ(relay(bus1, address, "x"), RelayOutcome::unavailable);
  EXPECT_EQ(bus3.counters().provisioning_held, 0u) << "no subscription is in effect without Redis";
  // Back: bus3's subscription is restored by itself.
  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(node1.wait_for("up", 2));
  ASSERT_TRUE(wait_provisioning_held(bus3, 1));
  EXPECT_EQ(relay(bus1, address, "restored"), RelayOutcome::delivered);
  ASSERT_TRUE(node3.wait_for("provisioning " + address + " restored"));
}

}  // namespace
}  // namespace hush::server::cluster
