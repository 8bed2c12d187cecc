// Several hushd nodes on one PostgreSQL with Redis between them (issue #17,
// ADR 0007), against a real redis-server: mail stored through node A is
// pushed to a session on node B by a wake-up over Redis (the mailbox poll is
// set to ten minutes, so nothing else could deliver it within the test); a
// device removed through A is disconnected on B; three nodes exchange 1:1 and
// group messages by push; with Redis killed the nodes say so and fall back to
// polling, and when it is back they use it again; a provisioning message
// sent through one node reaches a new device waiting on another.
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

/// A new device's provisioning socket on `node` and the address it was given.
struct Waiting {
  std::unique_ptr<TestClient> socket;
  std::string address;
};

std::optional<Waiting> open_provisioning(ClusterNode& node) {
  Waiting w{node.client(), {}};
  if (!w.socket->connect("", nullptr, "/v1/provisioning")) return std::nullopt;
  auto first = w.socket->read_raw();
  if (!first) return std::nullopt;
  pb::ProvisioningFrame frame;
  if (!frame.ParseFromString(*first) || !frame.has_address()) return std::nullopt;
  w.address = frame.address().address();
  return w;
}

pb::ClientFrame provision_frame(const std::string& address, const std::string& ciphertext) {
  pb::ClientFrame f;
  f.mutable_provision_device()->set_address(address);
  f.mutable_provision_device()->set_ciphertext(ciphertext);
  return f;
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

// Issue #17's first cluster test: users spread over three nodes exchange 1:1
// and group (send_multi) messages, and a sender on node 1 reaches a
// recipient on node 3 by push. The path is asserted, not only the outcome:
// the poll is ten minutes (nothing but a wake-up delivers within the test),
// no node polled, and each cross-node message moved node 1's "wake-ups sent"
// and the recipient node's "wake-ups received" counters.
TEST_F(HushdRedisNodes, ThreeNodesPushOneToOneAndGroupMessagesAcrossNodes) {
  ClusterNode n1(node_options(store_url_, redis_, 600s));
  ClusterNode n2(node_options(store_url_, redis_, 600s));
  ClusterNode n3(node_options(store_url_, redis_, 600s));
  ClusterNode* nodes[] = {&n1, &n2, &n3};
  for (ClusterNode* n : nodes) {
    ASSERT_TRUE(n->start()) << n->hushd().log();
    ASSERT_TRUE(n->wait_metric("hushd_redis_up", 1)) << n->hushd().log();
  }
  // alice on node 1, bob on node 2, carol and dave on node 3.
  auto alice = n1.register_user("alice", 71);
  auto bob = n2.register_user("bob", 72);
  auto carol = n3.register_user("carol", 73);
  auto dave = n3.register_user("dave", 74);
  ASSERT_TRUE(alice && bob && carol && dave);
  auto alice_ws = n1.online(alice->device);
  auto bob_ws = n2.online(bob->device);
  auto carol_ws = n3.online(carol->device);
  auto dave_ws = n3.online(dave->device);
  ASSERT_TRUE(alice_ws && bob_ws && carol_ws && dave_ws);
  ASSERT_TRUE(n1.wait_metric("hushd_redis_subscribed_devices", 1));
  ASSERT_TRUE(n2.wait_metric("hushd_redis_subscribed_devices", 1));
  ASSERT_TRUE(n3.wait_metric("hushd_redis_subscribed_devices", 2));

  // 1:1, node 1 -> node 3, several times; each one is a wake-up sent by
  // node 1 and received by node 3.
  for (char tag : {'1', '2', '3'}) {
    const auto sent = n1.metric("hushd_wakeups_sent_total");
    const auto received = n3.metric("hushd_wakeups_received_total");
    auto r = alice_ws->call(send_frame(carol->device, message_id(tag), std::string("to node 3, ") + tag));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u) << r->message();
    auto e = carol_ws->next_envelope(30s);
    ASSERT_TRUE(e) << "mail stored on node 1 did not reach carol's session on node 3";
    EXPECT_EQ(e->content(), std::string("to node 3, ") + tag);
    EXPECT_EQ(e->sender_account(), alice->device.account_id);
    EXPECT_GE(n1.metric("hushd_wakeups_sent_total"), sent + 1) << "node 1 published no wake-up";
    EXPECT_TRUE(n3.wait_metric_at_least("hushd_wakeups_received_total", received + 1))
        << "node 3 delivered without a wake-up";
    r = carol_ws->call(ack_frame(e->seq()));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status(), 200u);
  }

  // The reply, node 3 -> node 1, and bob (node 2) -> dave (node 3).
  auto r = carol_ws->call(send_frame(alice->device, message_id('4'), "back to node 1"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  auto e = alice_ws->next_envelope(30s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->content(), "back to node 1");
  ASSERT_TRUE(alice_ws->call(ack_frame(e->seq())));
  r = bob_ws->call(send_frame(dave->device, message_id('5'), "node 2 to node 3"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  e = dave_ws->next_envelope(30s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->content(), "node 2 to node 3");
  ASSERT_TRUE(dave_ws->call(ack_frame(e->seq())));

  // A group message from node 1: one send_multi, fanned out to members on
  // nodes 2 and 3 (two on node 3), each pushed through Redis.
  const auto group_sent = n1.metric("hushd_wakeups_sent_total");
  const auto received_2 = n2.metric("hushd_wakeups_received_total");
  const auto received_3 = n3.metric("hushd_wakeups_received_total");
  r = alice_ws->call(send_multi_frame({&bob->device, &carol->device, &dave->device}, message_id('G'), "group"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  for (TestClient* ws : {bob_ws.get(), carol_ws.get(), dave_ws.get()}) {
    auto g = ws->next_envelope(30s);
    ASSERT_TRUE(g) << "a group member on another node got nothing";
    EXPECT_EQ(g->content(), "group");
    EXPECT_EQ(g->sender_account(), alice->device.account_id);
    EXPECT_EQ(g->type(), 7u);
    ASSERT_TRUE(ws->call(ack_frame(g->seq())));
  }
  EXPECT_GE(n1.metric("hushd_wakeups_sent_total"), group_sent + 3) << "one wake-up per member device";
  EXPECT_TRUE(n2.wait_metric_at_least("hushd_wakeups_received_total", received_2 + 1));
  EXPECT_TRUE(n3.wait_metric_at_least("hushd_wakeups_received_total", received_3 + 2));
  EXPECT_FALSE(alice_ws->next_envelope(300ms)) << "never to the sending device";

  for (ClusterNode* n : nodes) {
    EXPECT_EQ(n->metric("hushd_mailbox_polls_total"), 0u) << "delivered by a poll, not by Redis";
  }
}

// Linking a device on a cluster: the new device waits on node B, the
// existing device (connected to A) sends the provisioning message through
// A, and A relays it through Redis to B's socket; with Redis down, A says
// 503 provisioning_relay_unavailable for an address it does not hold
// (the device may be waiting elsewhere) and still delivers its own.
TEST_F(HushdRedisNodes, AProvisioningMessageSentThroughOneNodeReachesANewDeviceWaitingOnAnother) {
  ClusterNode a(node_options(store_url_, redis_, 600s));
  ClusterNode b(node_options(store_url_, redis_, 600s));
  ASSERT_TRUE(a.start()) << a.hushd().log();
  ASSERT_TRUE(b.start()) << b.hushd().log();
  ASSERT_TRUE(a.wait_metric("hushd_redis_up", 1)) << a.hushd().log();
  ASSERT_TRUE(b.wait_metric("hushd_redis_up", 1)) << b.hushd().log();
  auto alice = a.register_user("alice", 81);
  ASSERT_TRUE(alice);
  auto alice_ws = a.online(alice->device);
  ASSERT_TRUE(alice_ws);

  auto waiting = open_provisioning(b);
  ASSERT_TRUE(waiting);
  // Reachable from other nodes once Redis confirmed B's subscription.
  ASSERT_TRUE(b.wait_metric("hushd_redis_provisioning_addresses", 1));
  std::string secret(5000, '\0');
  for (std::size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<char>((i * 37 + 11) & 0xFF);
  auto r = alice_ws->call(provision_frame(waiting->address, secret));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  auto got = waiting->socket->read_raw();
  ASSERT_TRUE(got) << "the relayed message never reached the new device on node B";
  pb::ProvisioningFrame frame;
  ASSERT_TRUE(frame.ParseFromString(*got));
  ASSERT_TRUE(frame.has_message());
  EXPECT_EQ(frame.message().ciphertext(), secret);
  EXPECT_TRUE(waiting->socket->wait_closed());
  EXPECT_EQ(a.metric("hushd_provisioning_relayed_total"), 1u);
  EXPECT_EQ(b.metric("hushd_provisioning_relay_received_total"), 1u);
  EXPECT_EQ(b.metric("hushd_provisioning_forwarded_total"), 1u);

  // Used once: B lets the address go, and nobody holds it any more.
  ASSERT_TRUE(b.wait_metric("hushd_redis_provisioning_addresses", 0));
  r = alice_ws->call(provision_frame(waiting->address, "again"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 404u) << "an address is usable once, across nodes too";
  r = alice_ws->call(provision_frame(std::string(32, 'a'), "x"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 404u) << "an address no node holds";

  // Redis down: an address A does not hold cannot be settled.
  auto elsewhere = open_provisioning(b);
  auto here = open_provisioning(a);
  ASSERT_TRUE(elsewhere && here);
  redis_.kill();
  ASSERT_TRUE(a.wait_metric("hushd_redis_up", 0));
  r = alice_ws->call(provision_frame(elsewhere->address, "x"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 503u);
  EXPECT_EQ(r->message(), "provisioning_relay_unavailable");
  r = alice_ws->call(provision_frame(here->address, "local"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u) << "a device waiting on the same node needs no Redis";
  got = here->socket->read_raw();
  ASSERT_TRUE(got);
  ASSERT_TRUE(frame.ParseFromString(*got));
  EXPECT_EQ(frame.message().ciphertext(), "local");

  // Redis back: B subscribes again and the waiting device is reachable.
  ASSERT_TRUE(redis_.start());
  ASSERT_TRUE(b.wait_metric("hushd_redis_provisioning_addresses", 1));
  ASSERT_TRUE(a.wait_metric("hushd_redis_up", 1));
  r = alice_ws->call(provision_frame(elsewhere->address, "after the outage"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  got = elsewhere->socket->read_raw();
  ASSERT_TRUE(got);
  ASSERT_TRUE(frame.ParseFromString(*got));
  EXPECT_EQ(frame.message().ciphertext(), "after the outage");
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
  // B polls while the bus is down. Not necessarily before this delivery: a
  // node that loses its bus also reads every mailbox once, which may be what
  // delivered it; the polls follow every 200 ms (seen 0 once right here).
  EXPECT_TRUE(b.wait_metric_at_least("hushd_mailbox_polls_total", 1));
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
