// Conformance, the sender share of a mailbox (issue #13): one sender account
// holds at most its share of another account's device queue, counted in SQL
// in the writer's transaction (also within one batch of concurrent sends);
// other senders still get through; a partial send stores for every device
// with room and lists the refused copies, while a send that did not ask for
// that is refused whole, as older clients expect. SQLite and PostgreSQL.
#include "raw_database.hpp"
#include "store_fixture.hpp"

#include <atomic>
#include <thread>

namespace hush::server::testing {
namespace {

MessageServiceConfig share_config(std::size_t queue_cap, std::size_t sender_share) {
  MessageServiceConfig config;
  config.queue_cap = queue_cap;
  config.sender_share = sender_share;
  return config;
}

/// A partial fan-out from `from` to every current device of each of `to`.
MultiSendRequest partial_multi(storage::Store& store, const DeviceAddress& from, const std::vector<AccountId>& to,
                               std::uint8_t message_number) {
  MultiSendRequest req;
  req.sender = from;
  req.message_id.fill(0xE0);
  req.message_id[0] = message_number;
  req.type = 4;
  req.body = to_bytes(std::string("group ciphertext"));
  req.partial = true;
  for (const AccountId& account : to) {
    FanOutAccount r{account, {}};
    auto devices = store.list_devices(account);
    EXPECT_TRUE(devices);
    if (!devices) continue;
    for (const DeviceRecord& d : *devices) {
      if (account == from.account && d.id == from.device) continue;
      r.devices.emplace_back(d.id, d.registration_id);
    }
    req.recipients.push_back(std::move(r));
  }
  return req;
}

TEST_P(StoreConformance, ASenderFillsOnlyItsShareOfAMailboxAndOtherSendersStillGetThrough) {
  configure_messages(share_config(10, 3));
  auto victim = register_user("victim");
  auto mallory = register_user("mallory");
  auto carol = register_user("carol");
  for (std::uint8_t n = 1; n <= 3; ++n) ASSERT_TRUE(send(make_send(mallory.address, victim.address.account, n)));
  auto whole = send(make_send(mallory.address, victim.address.account, 4));
  EXPECT_EQ(whole.code(), Errc::quota_exceeded) << "refused whole: the client did not ask for a partial send";
  EXPECT_EQ(abuse_.mailbox_share_refused.load(), 1u);

  SendRequest partial = make_send(mallory.address, victim.address.account, 5);
  partial.partial = true;
  auto listed = send(partial);
  ASSERT_TRUE(listed) << errc_name(listed.code());
  ASSERT_EQ(listed->refused.size(), 1u);
  EXPECT_EQ(listed->refused[0].recipient, victim.address);
  EXPECT_EQ(listed->refused[0].reason, RefusalReason::share_full);
  EXPECT_EQ(abuse_.mailbox_share_refused.load(), 2u);
  EXPECT_EQ(messages_->queue_depth(victim.address).value(), 3u);

  // Another sender still gets through, up to its own share.
  for (std::uint8_t n = 1; n <= 3; ++n) EXPECT_TRUE(send(make_send(carol.address, victim.address.account, n)));
  EXPECT_EQ(send(make_send(carol.address, victim.address.account, 4)).code(), Errc::quota_exceeded);
  EXPECT_EQ(messages_->queue_depth(victim.address).value(), 6u);

  // The victim acknowledges one of mallory's: mallory has room for one more.
  auto queued = messages_->pending(victim.address);
  ASSERT_TRUE(queued);
  ASSERT_FALSE(queued->empty());
  ASSERT_EQ(queued->front().sender, mallory.address);
  ASSERT_TRUE(messages_->ack(victim.address, queued->front().seq));
  EXPECT_TRUE(send(make_send(mallory.address, victim.address.account, 6)));
  EXPECT_EQ(send(make_send(mallory.address, victim.address.account, 7)).code(), Errc::quota_exceeded);
  // A send refused in full left no idempotency record: stored once there is room.
  ASSERT_TRUE(messages_->ack(victim.address, (*queued)[1].seq));
  auto later = send(partial);
  ASSERT_TRUE(later);
  EXPECT_FALSE(later->duplicate);
  EXPECT_TRUE(later->refused.empty());
}

TEST_P(StoreConformance, TheShareDoesNotLimitAnAccountsOwnDevices) {
  configure_messages(share_config(10, 2));
  auto alice = register_user("alice");
  auto alice2 = link_device(alice.address, RegistrationId{600});
  for (std::uint8_t n = 1; n <= 5; ++n) ASSERT_TRUE(send(make_send(alice.address, alice.address.account, n)));
  EXPECT_EQ(messages_->queue_depth(alice2.address).value(), 5u);
  EXPECT_EQ(abuse_.mailbox_share_refused.load(), 0u);
}

TEST_P(StoreConformance, APartialFanOutStoresForEveryDeviceWithRoomAndListsTheOthers) {
  configure_messages(share_config(2, 0));
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto bob2 = link_device(bob.address, RegistrationId{601});
  auto carol = register_user("carol");
  auto dave = register_user("dave");
  ASSERT_TRUE(send(make_send(dave.address, carol.address.account, 1)));
  ASSERT_TRUE(send(make_send(dave.address, carol.address.account, 2)));  // carol's queue is full

  auto raw = RawDatabase::open(GetParam(), url_);
  const std::int64_t bodies = raw->scalar("SELECT COUNT(*) FROM bodies");
  std::vector<DeviceMismatch> mismatches;
  const MultiSendRequest req = partial_multi(*store_, alice.address, {bob.address.account, carol.address.account}, 1);
  auto r = messages_->send_multi(req, mismatches);
  ASSERT_TRUE(r) << errc_name(r.code());
  ASSERT_EQ(r->refused.size(), 1u);
  EXPECT_EQ(r->refused[0].recipient, carol.address);
  EXPECT_EQ(r->refused[0].reason, RefusalReason::queue_full);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);
  EXPECT_EQ(messages_->queue_depth(bob2.address).value(), 1u);
  EXPECT_EQ(messages_->queue_depth(carol.address).value(), 2u);
  EXPECT_EQ(raw->scalar("SELECT COUNT(*) FROM bodies"), bodies + 1) << "the one body, for bob's devices";
  EXPECT_EQ(abuse_.mailbox_share_refused.load(), 0u) << "a full queue is not a share";

  // A retry is a duplicate: nothing more stored.
  auto again = messages_->send_multi(req, mismatches);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);

  // The same fan-out without `partial` is refused whole, as before.
  MultiSendRequest whole = partial_multi(*store_, alice.address, {bob.address.account, carol.address.account}, 2);
  whole.partial = false;
  EXPECT_EQ(messages_->send_multi(whole, mismatches).code(), Errc::quota_exceeded);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);
}

TEST_P(StoreConformance, AFanOutWithEveryCopyRefusedStoresNothingAndIsStoredOnceThereIsRoom) {
  configure_messages(share_config(1, 0));
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto carol = register_user("carol");
  ASSERT_TRUE(send(make_send(carol.address, bob.address.account, 1)));
  auto raw = RawDatabase::open(GetParam(), url_);
  std::vector<DeviceMismatch> mismatches;
  const MultiSendRequest req = partial_multi(*store_, alice.address, {bob.address.account}, 1);
  auto r = messages_->send_multi(req, mismatches);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->refused.size(), 1u);
  EXPECT_EQ(raw->scalar("SELECT COUNT(*) FROM bodies"), 1) << "carol's only";
  EXPECT_EQ(raw->scalar("SELECT COUNT(*) FROM queue"), 1);

  ASSERT_TRUE(messages_->ack(bob.address, Seq{1}));
  auto later = messages_->send_multi(req, mismatches);
  ASSERT_TRUE(later);
  EXPECT_FALSE(later->duplicate);
  EXPECT_TRUE(later->refused.empty());
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);
}

// Concurrent sends land in the same group-commit batches: the share must
// count the rows of the batch not yet written, not only the table's.
TEST_P(StoreConformance, TheShareHoldsUnderConcurrentSendsFromOneSender) {
  constexpr int kSenders = 24;
  constexpr std::size_t kShare = 5;
  configure_messages(share_config(100, kShare));
  auto victim = register_user("victim");
  auto mallory = register_user("mallory");
  auto mallory2 = link_device(mallory.address, RegistrationId{602});
  std::atomic<int> stored{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kSenders; ++i) {
    // Both of mallory's devices: the share is the account's, not a device's.
    SendRequest req = make_send(i % 2 == 0 ? mallory.address : mallory2.address, victim.address.account,
                                static_cast<std::uint8_t>(i + 1));
    threads.emplace_back([&, req] {
      auto r = send(req);
      if (r) {
        ++stored;
      } else if (r.code() == Errc::quota_exceeded) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stored.load(), static_cast<int>(kShare));
  EXPECT_EQ(refused.load(), kSenders - static_cast<int>(kShare));
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(messages_->queue_depth(victim.address).value(), kShare);
  EXPECT_EQ(abuse_.mailbox_share_refused.load(), static_cast<std::uint64_t>(kSenders) - kShare);
}

}  // namespace
}  // namespace hush::server::testing
