// Two real hushd processes on one PostgreSQL database (issue #17): a user
// registered and connected on node A sends to a user of node B, who gets it
// while connected to B (no Redis here: B's session finds it by its mailbox
// poll) and again after reconnecting to A; acks on either node delete the
// rows once. Runs in the PostgreSQL integration binary.
#include "cluster_node.hpp"

#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/temporary_postgres.hpp>

#include <string>

namespace hush::testing {
namespace {

using namespace std::chrono_literals;

/// A short poll keeps the test quick (no Redis here: polling is how a node
/// finds mail another node stored); the assertions wait on conditions with
/// generous timeouts, never on the interval itself.
ClusterNodeOptions node_options(const std::string& store_url) {
  ClusterNodeOptions o;
  o.store_url = store_url;
  o.mailbox_poll = 100ms;
  return o;
}

TEST(HushdMultiNode, MailStoredOnOneNodeReachesASessionOnAnother) {
  auto* pg = PostgresEnvironment::server();
  ASSERT_NE(pg, nullptr);
  const std::string url = pg->create_database();
  ClusterNode a(node_options(url));
  ClusterNode b(node_options(url));
  ASSERT_TRUE(a.start()) << a.hushd().log();
  ASSERT_TRUE(b.start()) << b.hushd().log();

  auto alice_party = a.register_user("alice", 31);
  auto bob_party = b.register_user("bob", 32);
  ASSERT_TRUE(alice_party && bob_party);
  const TestDevice* alice = &alice_party->device;
  const TestDevice* bob = &bob_party->device;

  auto alice_ws = a.online(*alice);
  auto bob_ws = b.online(*bob);
  ASSERT_TRUE(alice_ws && bob_ws);
  // Bob's first mailbox drain on B is over (its QueueEmpty came) before alice
  // sends: otherwise that drain could pick the mail up itself, and the poll
  // asserted below would never be needed (it failed so under ASan's slowness).
  auto first = bob_ws->read_raw(10s);
  pb::ServerFrame marker;
  ASSERT_TRUE(first && marker.ParseFromString(*first) && marker.has_queue_empty());

  // Connected to B, bob gets mail stored through A.
  auto r = alice_ws->call(send_frame(*bob, message_id('1'), "across nodes"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  auto e = bob_ws->next_envelope(30s);
  ASSERT_TRUE(e) << "mail stored on node A never reached bob's session on node B";
  EXPECT_EQ(e->content(), "across nodes");
  EXPECT_EQ(e->sender_account(), alice->account_id);
  EXPECT_GE(a.metric("hushd_mail_not_held_total"), 1u);  // A had no session of bob's
  EXPECT_GE(b.metric("hushd_mailbox_polls_total"), 1u);  // B found it by polling
  r = bob_ws->call(ack_frame(e->seq()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u);

  // Offline: two more through A; bob reconnects to A this time and gets
  // both, in order, once.
  bob_ws->close();
  bob_ws.reset();
  for (char tag : {'2', '3'}) {
    r = alice_ws->call(send_frame(*bob, message_id(tag), std::string("later ") + tag));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u) << r->message();
  }
  auto bob_on_a = a.online(*bob);
  ASSERT_TRUE(bob_on_a);
  auto e2 = bob_on_a->next_envelope(30s);
  auto e3 = bob_on_a->next_envelope(30s);
  ASSERT_TRUE(e2 && e3);
  EXPECT_EQ(e2->content(), "later 2");
  EXPECT_EQ(e3->content(), "later 3");
  EXPECT_LT(e2->seq(), e3->seq());
  EXPECT_GT(e2->seq(), e->seq());  // one seq sequence per device, whichever node stored

  // Bob's reply, sent through A, reaches alice's session on A directly.
  r = bob_on_a->call(send_frame(*alice, message_id('4'), "reply"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  auto reply = alice_ws->next_envelope(30s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->content(), "reply");

  // Acks through both nodes: each row goes once; a second ack of a row
  // through the other node finds nothing.
  r = bob_on_a->call(ack_frame(e2->seq()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u);
  auto bob_on_b = b.online(*bob);
  ASSERT_TRUE(bob_on_b);
  auto again = bob_on_b->next_envelope(30s);  // e3 is still unacked: B delivers it too
  ASSERT_TRUE(again);
  EXPECT_EQ(again->seq(), e3->seq());
  r = bob_on_b->call(ack_frame(e3->seq()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u);
  r = bob_on_a->call(ack_frame(e3->seq()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 404u);
  r = alice_ws->call(ack_frame(reply->seq()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u);
}

// Behind a load balancer the challenge and the registration may reach
// different nodes: both nodes hold the database's one challenge key.
TEST(HushdMultiNode, AChallengeFromOneNodeRegistersOnAnother) {
  auto* pg = PostgresEnvironment::server();
  ASSERT_NE(pg, nullptr);
  const std::string url = pg->create_database();
  ClusterNode a(node_options(url));
  ClusterNode b(node_options(url));
  ASSERT_TRUE(a.start()) << a.hushd().log();
  ASSERT_TRUE(b.start()) << b.hushd().log();
  DeterministicRng rng(41);
  auto identity = crypto::KeyPair::generate(rng);
  auto request = make_register_request("carol", identity, 2041, rng, 2);
  auto on_a = a.client();
  const std::string challenge = fetch_challenge(*on_a);
  ASSERT_FALSE(challenge.empty());
  sign_registration(request, challenge, identity.private_key);
  auto on_b = b.client();
  unsigned status = 0;
  auto carol = register_device(*on_b, request, &status);
  ASSERT_TRUE(carol) << "status " << status;
  // Used once: the same request again (on A this time) is refused.
  auto again_client = a.client();
  request.set_username("carol2");  // not a username clash: the challenge is what is refused
  sign_registration(request, challenge, identity.private_key);
  EXPECT_FALSE(register_device(*again_client, request, &status));
}

}  // namespace
}  // namespace hush::testing
