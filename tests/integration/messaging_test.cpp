// hushd end to end through the service layer: key upload and bundle fetch
// (one-time pre-keys handed out once, also to 50 concurrent fetchers),
// sends pushed to an online device and kept for an offline one, acks that
// delete, stale-device refusal, idempotent retries and retention expiry.
// Runs per backend (see harness.hpp).
#include "harness.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <latch>
#include <set>
#include <thread>

namespace hush::testing {
namespace {

TEST_P(HushdMessaging, UploadsKeysAndHandsOutEachOneTimePreKeyOnce) {
  // The once-only rule of the store; the one-key-per-requester window
  // (abuse_limits_test.cpp) would hide it, so it is off here.
  Harness h(GetParam(), "one_time_repeat_window_seconds = 0\n");
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 11, 2);
  auto bob = h.register_user("bob", 12);
  ASSERT_TRUE(alice && bob);
  auto a = h.online(*alice);
  auto b = h.online(*bob);
  ASSERT_TRUE(a && b);

  pb::ClientFrame count;
  count.mutable_pre_key_count();
  auto r = a->call(count);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pre_key_count().count(), 2u);

  std::set<std::uint32_t> handed_out;
  for (int i = 0; i < 3; ++i) {
    pb::ClientFrame fetch;
    fetch.mutable_fetch_bundles()->set_username("ALICE");
    r = b->call(fetch);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u) << r->message();
    ASSERT_EQ(r->bundles().bundles_size(), 1);
    EXPECT_EQ(r->bundles().identity_key(), to_string(alice->identity.public_key.serialize()));
    EXPECT_EQ(r->bundles().account_id(), alice->device.account_id);
    const auto& bundle = r->bundles().bundles(0);
    EXPECT_EQ(bundle.registration_id(), alice->device.registration_id);
    EXPECT_EQ(bundle.signed_pre_key().signature().size(), 64u);
    if (bundle.has_one_time_pre_key()) {
      EXPECT_TRUE(handed_out.insert(bundle.one_time_pre_key().id()).second) << "handed out twice";
    }
  }
  EXPECT_EQ(handed_out.size(), 2u);  // the third fetch came without one
  r = a->call(count);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pre_key_count().count(), 0u);

  // Refill, then a forged rotation that changes nothing.
  DeterministicRng rng(99);
  pb::ClientFrame upload;
  auto* k = upload.mutable_upload_keys()->add_one_time_pre_keys();
  k->set_id(500);
  k->set_public_key(to_string(crypto::KeyPair::generate(rng).public_key.serialize()));
  r = a->call(upload);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u) << r->message();
  pb::ClientFrame forged;
  forged.mutable_upload_keys()->set_identity_key(to_string(alice->identity.public_key.serialize()));
  auto* spk = forged.mutable_upload_keys()->mutable_signed_pre_key();
  spk->set_id(2);
  spk->set_public_key(to_string(crypto::KeyPair::generate(rng).public_key.serialize()));
  spk->set_signature(std::string(64, '\x01'));
  r = a->call(forged);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 422u);
  r = a->call(count);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pre_key_count().count(), 1u);
}

TEST_P(HushdMessaging, PushesToOnlineDevicesAndKeepsMailForOfflineOnes) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 21);
  auto bob = h.register_user("bob", 22);
  ASSERT_TRUE(alice && bob);
  auto a = h.online(*alice);
  auto b = h.online(*bob);
  ASSERT_TRUE(a && b);

  auto r = a->call(send_frame(bob->device, message_id('1'), "ciphertext one"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  EXPECT_FALSE(r->send_message().duplicate());
  auto e = b->next_envelope();
  ASSERT_TRUE(e) << "not pushed to the online device";
  EXPECT_EQ(e->content(), "ciphertext one");
  EXPECT_EQ(e->sender_account(), alice->device.account_id);
  EXPECT_EQ(e->sender_device(), 1u);
  EXPECT_EQ(e->type(), 3u);
  r = b->call(ack_frame(e->seq()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u);

  // Offline: kept until bob connects again, in order.
  b->close();
  b.reset();
  for (char tag : {'2', '3'}) {
    r = a->call(send_frame(bob->device, message_id(tag), std::string("ciphertext ") + tag));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u) << r->message();
  }
  b = h.online(*bob);
  ASSERT_TRUE(b);
  auto e2 = b->next_envelope();
  auto e3 = b->next_envelope();
  ASSERT_TRUE(e2 && e3);
  EXPECT_EQ(e2->content(), "ciphertext 2");
  EXPECT_EQ(e3->content(), "ciphertext 3");
  EXPECT_LT(e2->seq(), e3->seq());

  // Only e2 is acked: after reconnecting, e3 comes again and e2 does not.
  r = b->call(ack_frame(e2->seq()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u);
  b->close();
  b = h.online(*bob);
  ASSERT_TRUE(b);
  auto again = b->next_envelope();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->seq(), e3->seq());
  EXPECT_FALSE(b->next_envelope(std::chrono::milliseconds(300)));

  // Alice cannot ack bob's mail.
  r = a->call(ack_frame(e3->seq()));
  ASSERT_TRUE(r);
  EXPECT_NE(r->status(), 200u);
}

// Issue #16: a client draining its mailbox stops at hushd's QueueEmpty frame
// (after everything stored when it connected) instead of waiting for silence.
TEST_P(HushdMessaging, EndsTheFirstDrainOfEachConnectionWithQueueEmpty) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 31);
  auto bob = h.register_user("bob", 32);
  ASSERT_TRUE(alice && bob);
  auto a = h.online(*alice);
  ASSERT_TRUE(a);
  auto raw_frame = [](TestClient& c) {
    auto bytes = c.read_raw(10s);
    pb::ServerFrame f;
    EXPECT_TRUE(bytes && f.ParseFromString(*bytes));
    return f;
  };

  {  // An empty mailbox: the marker is the first frame.
    auto b = h.online(*bob);
    ASSERT_TRUE(b);
    EXPECT_TRUE(raw_frame(*b).has_queue_empty());
  }
  for (char tag : {'1', '2', '3'}) {
    auto r = a->call(send_frame(bob->device, message_id(tag), std::string("stored ") + tag));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u) << r->message();
  }
  auto b = h.online(*bob);
  ASSERT_TRUE(b);
  std::uint64_t last_seq = 0;
  for (char tag : {'1', '2', '3'}) {
    auto f = raw_frame(*b);
    ASSERT_TRUE(f.has_envelope()) << "the stored envelopes come before the marker";
    EXPECT_EQ(f.envelope().content(), std::string("stored ") + tag);
    EXPECT_GT(f.envelope().seq(), last_seq);
    last_seq = f.envelope().seq();
  }
  EXPECT_TRUE(raw_frame(*b).has_queue_empty()) << "the marker follows the drain";
  // A message stored later is pushed after the marker, with no second marker.
  auto r = a->call(send_frame(bob->device, message_id('4'), "live"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  auto live = raw_frame(*b);
  ASSERT_TRUE(live.has_envelope());
  EXPECT_EQ(live.envelope().content(), "live");
}

TEST_P(HushdMessaging, RefusesStaleDeviceListsAndStoresNothing) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 31);
  auto bob = h.register_user("bob", 32);
  ASSERT_TRUE(alice && bob);
  auto a = h.online(*alice);
  ASSERT_TRUE(a);

  auto r = a->call(send_frame(bob->device, message_id('x'), "to a device bob does not have", 2));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 410u);
  EXPECT_EQ(r->message(), "stale_devices");
  ASSERT_EQ(r->stale_devices().missing_size(), 1);
  EXPECT_EQ(r->stale_devices().missing(0), 1u);
  ASSERT_EQ(r->stale_devices().extra_size(), 1);
  EXPECT_EQ(r->stale_devices().extra(0), 2u);

  r = a->call(send_frame(bob->device, message_id('y'), "old registration id", 1, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 410u);
  ASSERT_EQ(r->stale_devices().stale_size(), 1);
  EXPECT_EQ(r->stale_devices().stale(0), 1u);

  auto b = h.online(*bob);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->next_envelope(std::chrono::milliseconds(300)));
}

TEST_P(HushdMessaging, StoresARetriedSendOnce) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 41);
  auto bob = h.register_user("bob", 42);
  ASSERT_TRUE(alice && bob);
  auto a = h.online(*alice);
  ASSERT_TRUE(a);
  auto r1 = a->call(send_frame(bob->device, message_id('r'), "once"));
  auto r2 = a->call(send_frame(bob->device, message_id('r'), "once"));
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(r1->status(), 200u);
  EXPECT_EQ(r2->status(), 200u);
  EXPECT_TRUE(r2->send_message().duplicate());
  auto b = h.online(*bob);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->next_envelope());
  EXPECT_FALSE(b->next_envelope(std::chrono::milliseconds(300)));
}

TEST_P(HushdMessaging, HandsOutEachOneTimePreKeyOnceToFiftyConcurrentFetchers) {
  /// More fetchers than keys, so some bundles must come without one.
  constexpr int kFetchers = 50;
  constexpr int kKeys = 30;
  // Fifty sessions of one device racing: no per-account session cap and no
  // one-key-per-requester window here (abuse_limits_test.cpp tests those).
  Harness h(GetParam(), "max_connections_per_account = 0\none_time_repeat_window_seconds = 0\n");
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 51, kKeys);
  auto bob = h.register_user("bob", 52);
  ASSERT_TRUE(alice && bob);

  // 50 WebSockets of bob's device, each on its own thread, connected first
  // and then released together.
  std::vector<std::optional<pb::Response>> answers(kFetchers);
  std::latch connected(kFetchers);
  std::latch go(1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kFetchers; ++i) {
    threads.emplace_back([&, i] {
      auto c = h.online(bob->device);
      connected.count_down();
      go.wait();
      if (!c) return;
      pb::ClientFrame fetch;
      fetch.mutable_fetch_bundles()->set_account_id(alice->device.account_id);
      answers[static_cast<std::size_t>(i)] = c->call(fetch, std::chrono::seconds(30));
    });
  }
  connected.wait();
  go.count_down();
  for (auto& t : threads) t.join();

  std::set<std::uint32_t> handed_out;
  int without = 0;
  for (const auto& r : answers) {
    ASSERT_TRUE(r.has_value()) << "a fetcher got no answer";
    ASSERT_EQ(r->status(), 200u) << r->message();
    ASSERT_EQ(r->bundles().bundles_size(), 1);
    const auto& bundle = r->bundles().bundles(0);
    if (!bundle.has_one_time_pre_key()) {
      ++without;
      continue;
    }
    const std::uint32_t id = bundle.one_time_pre_key().id();
    EXPECT_TRUE(id >= 100 && id < 100 + kKeys) << id;
    EXPECT_TRUE(handed_out.insert(id).second) << "pre-key " << id << " handed out twice";
  }
  EXPECT_EQ(handed_out.size(), static_cast<std::size_t>(kKeys));
  EXPECT_EQ(without, kFetchers - kKeys);
  auto a = h.online(*alice);
  ASSERT_TRUE(a);
  auto count = a->call(pre_key_count_frame());
  ASSERT_TRUE(count);
  EXPECT_EQ(count->pre_key_count().count(), 0u);
}

TEST_P(HushdMessaging, ExpiresUndeliveredMailAfterTheRetention) {
  Harness h(GetParam(), "retention_seconds = 3\nsweep_interval_seconds = 1\n");
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 61);
  auto bob = h.register_user("bob", 62);
  ASSERT_TRUE(alice && bob);
  auto a = h.online(*alice);
  ASSERT_TRUE(a);
  auto r = a->call(send_frame(bob->device, message_id('1'), "will expire"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();

  // Stored: bob sees it, but does not acknowledge it.
  auto b = h.online(*bob);
  ASSERT_TRUE(b);
  auto e = b->next_envelope();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->content(), "will expire");
  b->close();
  b.reset();

  // Past the retention and a sweep or two: gone, and nothing else changed.
  std::this_thread::sleep_for(std::chrono::milliseconds(5500));
  b = h.online(*bob);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->next_envelope(std::chrono::milliseconds(500))) << "expired mail was delivered";
  EXPECT_NE(h.hushd().log().find("event=retention_sweep expired=1"), std::string::npos) << h.hushd().log();

  // New mail still flows.
  r = a->call(send_frame(bob->device, message_id('2'), "fresh"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  e = b->next_envelope();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->content(), "fresh");
}

}  // namespace
}  // namespace hush::testing
