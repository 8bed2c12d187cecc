// Round trips of the SDK against a real hushd (issue #16), counted with the
// ClientOptions::on_request hook: a 1:1 send in the steady state is one
// request (the recipient's devices and our own in it), two after the
// recipient (or we) linked a device (the stale answer carries the new
// device's bundle); a received batch is acknowledged by one request; a
// receive asks for no pre-key count unless hushd said the keys run low or
// the schedule is due.
#include "sdk_fixture.hpp"

#include <hush/client/client.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hush::client {
namespace {

using namespace std::chrono_literals;
using Kinds = std::vector<std::string>;

class RoundTrips : public testing::SdkFixture {
 protected:
  RoundTrips() : SdkFixture("hush-roundtrips") {}
  ClientOptions options(const std::string& home_name) override {
    ClientOptions o;
    o.pre_key_batch = 10;
    o.pre_key_low_water = 3;
    o.clock = [this] { return now_ms_; };
    o.on_request = [this, home_name](std::string_view kind) { requests_[home_name].emplace_back(kind); };
    return o;
  }
  /// The requests `home_name` made since the last call.
  Kinds take(const std::string& home_name) { return std::exchange(requests_[home_name], {}); }

  std::uint64_t now_ms_ = 1'700'000'000'000ULL;
  std::map<std::string, Kinds> requests_;
};

TEST_F(RoundTrips, ASteadySendIsOneRequestAndAReceivedBatchOneAck) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "first contact"));  // lookup, bundles, send
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  ASSERT_TRUE(bob.send_text("alice", "reply"));
  ASSERT_EQ(receive_n(alice, 1).size(), 1u);
  take("alice");
  take("bob");

  for (int i = 0; i < 3; ++i) {
    auto sent = alice.send_text("bob", "steady " + std::to_string(i));
    ASSERT_TRUE(sent) << errc_name(sent.code());
    EXPECT_EQ(take("alice"), Kinds{"send_message"}) << "send " << i;
  }
  // Three envelopes drained on a new connection: one ack for all, and no
  // pre-key count (registration counted them a moment ago).
  bob.disconnect();
  auto got = bob.receive(5s);
  ASSERT_TRUE(got) << errc_name(got.code());
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ(text((*got)[0]), "steady 0");
  EXPECT_EQ(text((*got)[2]), "steady 2");
  EXPECT_EQ(take("bob"), Kinds{"ack"});
  // Acknowledged for good: nothing comes again on another connection.
  bob.disconnect();
  auto again = bob.receive(1s);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(take("bob"), Kinds{});

  // A day later housekeeping is due: the receive asks for the count once.
  now_ms_ += 25ULL * 3600 * 1000;
  ASSERT_TRUE(alice.send_text("bob", "a day later"));
  bob.disconnect();
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  const Kinds day = take("bob");
  EXPECT_EQ(std::count(day.begin(), day.end(), "pre_key_count"), 1) << "due by the schedule";
  EXPECT_EQ(std::count(day.begin(), day.end(), "ack"), 1);
}

// On a connection kept from an earlier call, the end of the drain is a
// DrainRequest's answer (hushd pushes everything stored before it ahead of
// the answer): one round trip, no quiet timer, and nothing stored before the
// call is missed.
TEST_F(RoundTrips, AReceiveOnAKeptConnectionEndsItsDrainWithOneRequest) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "first"));
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  ASSERT_TRUE(bob.connected());
  take("bob");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(alice.send_text("bob", "kept " + std::to_string(i)));
    auto got = bob.receive(0s);  // no waiting: only what is stored already
    ASSERT_TRUE(got) << errc_name(got.code());
    ASSERT_EQ(got->size(), 1u) << "round " << i;
    EXPECT_EQ(text(got->front()), "kept " + std::to_string(i));
    EXPECT_EQ(take("bob"), (Kinds{"drain", "ack"})) << "round " << i;
  }
  auto empty = bob.receive(0s);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(take("bob"), Kinds{"drain"});
}

TEST_F(RoundTrips, ASendAfterTheRecipientLinkedADeviceIsTwoRequests) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "hello"));
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  Client& bob2 = linked("bob", "bob2", 10s);
  take("alice");

  // The first request is answered stale with bob2's bundle; the retry goes.
  ASSERT_TRUE(alice.send_text("bob", "to both of you"));
  EXPECT_EQ(take("alice"), (Kinds{"send_message", "send_message"}));
  auto on1 = receive_n(bob, 1);
  auto on2 = receive_n(bob2, 1);
  ASSERT_EQ(on1.size(), 1u);
  ASSERT_EQ(on2.size(), 1u);
  EXPECT_EQ(text(on2[0]), "to both of you");
  ASSERT_TRUE(alice.send_text("bob", "steady again"));
  EXPECT_EQ(take("alice"), Kinds{"send_message"});
}

TEST_F(RoundTrips, ASenderWithALinkedDeviceSendsItsSyncCopyInTheSameRequest) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "hello"));
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  Client& alice2 = linked("alice", "alice2", 10s);
  take("alice");

  // Our own new device: stale once (with its bundle), then the sync copy
  // travels in the send itself.
  ASSERT_TRUE(alice.send_text("bob", "seen on my other device"));
  EXPECT_EQ(take("alice"), (Kinds{"send_message", "send_message"}));
  ASSERT_TRUE(alice.send_text("bob", "and this one"));
  EXPECT_EQ(take("alice"), Kinds{"send_message"});
  auto copies = receive_n(alice2, 2);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_TRUE(copies[0].sent_by_me);
  EXPECT_EQ(copies[0].conversation, "bob");
  EXPECT_EQ(text(copies[0]), "seen on my other device");
  EXPECT_EQ(text(copies[1]), "and this one");
  EXPECT_EQ(receive_n(bob, 2).size(), 2u);

  // The linked device's first send learns its peers' devices the same way.
  ASSERT_TRUE(alice2.send_text("bob", "from device two"));
  auto first = take("alice2");
  EXPECT_EQ(std::count(first.begin(), first.end(), "list_devices"), 0) << "devices come from the stale answer";
  ASSERT_TRUE(alice2.send_text("bob", "steady from two"));
  EXPECT_EQ(take("alice2"), Kinds{"send_message"});
  EXPECT_EQ(receive_n(alice, 2).size(), 2u);
}

TEST_F(RoundTrips, AMovedUsernameIsFoundWhenTheSendIsRefusedAndItsKeyIsNotTrustedSilently) {
  Client& alice = registered("alice");
  registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "hi"));
  take("alice");
  clients_.erase("bob");
  alice.disconnect();
  ASSERT_NO_FATAL_FAILURE(free_username("bob"));
  registered("bob", "bob2");

  // The cached binding is fresh, so no lookup first: hushd refuses the send
  // (not the name's account any more), the name is looked up, and the new
  // account's key is held back for the user.
  auto refused = alice.send_text("bob", "still you?");
  EXPECT_EQ(refused.code(), Errc::untrusted_identity);
  const Kinds kinds = take("alice");
  ASSERT_GE(kinds.size(), 3u);
  EXPECT_EQ(kinds[0], "send_message");
  EXPECT_EQ(kinds[1], "lookup_username");
}

// A group send on a kept connection: the drain that applies pending changes
// first (one DrainRequest) and one send_multi; no device list is asked for.
// A member's new device is learnt from the stale answer and reads the very
// message whose first upload was refused (each attempt encrypts anew after
// the new device got our key).
TEST_F(RoundTrips, ASteadyGroupSendIsADrainAndOneUploadAndANewDeviceFoundStaleReadsIt) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  Client& carol = registered("carol");
  ASSERT_TRUE(alice.group_create("club", {"bob", "carol"}));
  ASSERT_TRUE(alice.group_send("club", "welcome"));
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  ASSERT_EQ(receive_n(carol, 1).size(), 1u);
  take("alice");

  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(alice.group_send("club", "steady " + std::to_string(i)));
    EXPECT_EQ(take("alice"), (Kinds{"drain", "send_multi"})) << "send " << i;
  }
  EXPECT_EQ(receive_n(bob, 2).size(), 2u);
  EXPECT_EQ(receive_n(carol, 2).size(), 2u);

  Client& bob2 = linked("bob", "bob2", 10s);
  auto sent = alice.group_send("club", "to every device");
  ASSERT_TRUE(sent) << errc_name(sent.code());
  const Kinds kinds = take("alice");
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "list_devices"), 0);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "send_multi"), 2) << "stale once, then taken";
  auto on2 = receive_n(bob2, 1);
  ASSERT_EQ(on2.size(), 1u);
  EXPECT_EQ(text(on2[0]), "to every device");
  EXPECT_FALSE(on2[0].failure.has_value());
}

}  // namespace
}  // namespace hush::client
