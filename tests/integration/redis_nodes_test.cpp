// Several hushd nodes on one PostgreSQL with Redis between them (issue #17,
// ADR 0007), against a real redis-server: mail stored through node A is
// pushed to a session on node B by a wake-up over Redis (the mailbox poll is
// set to ten minutes, so nothing else could deliver it within the test); a
// device removed through A is disconnected on B; with Redis killed the nodes
// say so and fall back to polling, and when it is back they use it again.
// Runs in the PostgreSQL integration binary.
#include "cluster_node.hpp"

#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/temporary_postgres.hpp>
#include <hush/testing/temporary_redis.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace hush::testing {
namespace {

using namespace std::chrono_literals;

ClusterNodeOptions node_options(const std::string& store_url, const TemporaryRedis& redis,
                                std::chrono::milliseconds poll) {
  ClusterNodeOptions o;
  o.store_url = store_url;
  o.redis = redis.address();
  o.mailbox_poll = poll;
  return o;
}

class HushdRedisNodes : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* pg = PostgresEnvironment::server();
    ASSERT_NE(pg, nullptr);
    store_url_ = pg->create_database();
    ASSERT_TRUE(redis_.start());
  }
  TemporaryRedis redis_;
  std::string store_url_;
};

TEST_F(HushdRedisNodes, MailStoredOnOneNodeIsPushedToAnotherThroughRedis) {
  ClusterNode a(node_options(store_url_, redis_, 600s));
  ClusterNode b(node_options(store_url_, redis_, 600s));
  ASSERT_TRUE(a.start()) << a.hushd().log();
  ASSERT_TRUE(b.start()) << b.hushd().log();
  ASSERT_TRUE(a.wait_metric("hushd_redis_up", 1)) << a.hushd().log();
  ASSERT_TRUE(b.wait_metric("hushd_redis_up", 1)) << b.hushd().log();

  auto alice = a.register_user("alice", 41);
  auto bob = b.register_user("bob", 42);
  ASSERT_TRUE(alice && bob);
  auto alice_ws = a.online(alice->device);
  auto bob_ws = b.online(bob->device);
  ASSERT_TRUE(alice_ws && bob_ws);
  ASSERT_TRUE(b.wait_metric("hushd_redis_subscribed_devices", 1));

  for (char tag : {'1', '2', '3'}) {
    auto r = alice_ws->call(send_frame(bob->device, message_id(tag), std::string("across ") + tag));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u) << r->message();
    auto e = bob_ws->next_envelope(30s);
    ASSERT_TRUE(e) << "mail stored on A did not reach bob's session on B";
    EXPECT_EQ(e->content(), std::string("across ") + tag);
    r = bob_ws->call(ack_frame(e->seq()));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status(), 200u);
  }
  EXPECT_GE(a.metric("hushd_wakeups_sent_total"), 3u);
  EXPECT_GE(b.metric("hushd_wakeups_received_total"), 3u);
  EXPECT_EQ(b.metric("hushd_mailbox_polls_total"), 0u) << "delivered by a poll, not by Redis";

  // A device removed through A loses its session on B at once.
  auto bob2 = b.link_device(*bob_ws, bob->identity, 43);
  ASSERT_TRUE(bob2);
  auto bob2_on_b = b.online(*bob2);
  ASSERT_TRUE(bob2_on_b);
  auto bob_on_a = a.online(bob->device);
  ASSERT_TRUE(bob_on_a);
  pb::ClientFrame remove;
  remove.mutable_remove_device()->set_device_id(bob2->device_id);
  auto r = bob_on_a->call(remove);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  EXPECT_TRUE(bob2_on_b->wait_closed(20s)) << "the removed device's session on the other node stayed open";
}

TEST_F(HushdRedisNodes, WithoutRedisNodesPollAndWhenItIsBackTheyUseItAgain) {
  ClusterNode a(node_options(store_url_, redis_, 200ms));
  ClusterNode b(node_options(store_url_, redis_, 200ms));
  ASSERT_TRUE(a.start()) << a.hushd().log();
  ASSERT_TRUE(b.start()) << b.hushd().log();
  ASSERT_TRUE(b.wait_metric("hushd_redis_up", 1)) << b.hushd().log();
  auto alice = a.register_user("alice", 51);
  auto bob = b.register_user("bob", 52);
  ASSERT_TRUE(alice && bob);
  auto alice_ws = a.online(alice->device);
  auto bob_ws = b.online(bob->device);
  ASSERT_TRUE(alice_ws && bob_ws);

  redis_.kill();
  ASSERT_TRUE(a.wait_metric("hushd_redis_up", 0));
  ASSERT_TRUE(b.wait_metric("hushd_redis_up", 0));
  EXPECT_NE(b.hushd().log().find("redis_down_polling"), std::string::npos) << "the outage is logged";
  auto r = alice_ws->call(send_frame(bob->device, message_id('1'), "while redis is down"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  auto e = bob_ws->next_envelope(30s);
  ASSERT_TRUE(e) << "nothing delivered while Redis was down";
  EXPECT_EQ(e->content(), "while redis is down");
  EXPECT_GE(b.metric("hushd_mailbox_polls_total"), 1u);
  EXPECT_GE(a.metric("hushd_wakeups_dropped_total") + a.metric("hushd_wakeups_sent_total"), 1u);
  r = bob_ws->call(ack_frame(e->seq()));
  ASSERT_TRUE(r);

  ASSERT_TRUE(redis_.start());
  ASSERT_TRUE(a.wait_metric("hushd_redis_up", 1));
  ASSERT_TRUE(b.wait_metric("hushd_redis_up", 1));
  const auto received = b.metric("hushd_wakeups_received_total");
  r = alice_ws->call(send_frame(bob->device, message_id('2'), "redis is back"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  e = bob_ws->next_envelope(30s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->content(), "redis is back");
  EXPECT_TRUE(b.wait_metric("hushd_wakeups_received_total", received + 1)) << "not through Redis";
}

TEST_F(HushdRedisNodes, RedisAbsentAtStartIsReportedAndNodesServeByPolling) {
  redis_.kill();
  ClusterNode a(node_options(store_url_, redis_, 200ms));
  ASSERT_TRUE(a.start()) << a.hushd().log();
  auto alice = a.register_user("alice", 61);
  ASSERT_TRUE(alice);
  EXPECT_EQ(a.metric("hushd_redis_up"), 0u);
  for (int i = 0; i < 200 && a.hushd().log().find("redis_down_polling") == std::string::npos; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(a.hushd().log().find("redis_down_polling"), std::string::npos) << a.hushd().log();
}

}  // namespace
}  // namespace hush::testing
