// Conformance, the non-blocking mailbox calls (issue #5): an asynchronous
// send or ack completes only after its commit (the row is readable, or gone,
// when the completion runs), with the same answers as the blocking calls;
// Announce::caller hands the created rows to the completion instead of the
// listener. Runs on SQLite and PostgreSQL.
#include "store_fixture.hpp"

#include <future>

namespace hush::server::testing {
namespace {

/// What a send's completion saw, copied out of it.
struct SendSeen {
  Errc code = Errc::ok;
  SendReceipt receipt{};
  std::vector<DeviceMismatch> mismatches;
  std::vector<std::pair<DeviceAddress, Seq>> queued;
  std::size_t bodies = 0;
  /// Rows of the first queued device readable when the completion ran.
  std::size_t readable = 0;
};

}  // namespace

class StoreAsync : public StoreConformance {
 protected:
  SendSeen send_async(const SendRequest& request, Announce announce) {
    std::promise<SendSeen> p;
    auto f = p.get_future();
    messages_->send_async(request, announce, [&](Result<SendReceipt> receipt, const SendDetails& d) {
      SendSeen seen;
      seen.code = receipt.code();
      if (receipt) seen.receipt = *receipt;
      seen.mismatches = d.mismatches;
      seen.queued.assign(d.queued.begin(), d.queued.end());
      seen.bodies = d.message.bodies.size();
      if (!seen.queued.empty()) {
        auto rows = store_->pending(seen.queued.front().first, Seq{0}, 100);
        seen.readable = rows ? rows->size() : 0;
      }
      p.set_value(std::move(seen));
    });
    return f.get();
  }
  Status ack_async(const DeviceAddress& device, Seq seq, std::size_t* left) {
    std::promise<Status> p;
    auto f = p.get_future();
    messages_->ack_async(device, seq, [&](Status st) {
      auto depth = messages_->queue_depth(device);
      *left = depth ? *depth : 999;
      p.set_value(st);
    });
    return f.get();
  }
};

TEST_P(StoreAsync, ASendIsCommittedBeforeItsCompletionAndHandsItsRowsToTheCaller) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto seen = send_async(make_send(alice.address, bob.address.account, 1), Announce::caller);
  ASSERT_EQ(seen.code, Errc::ok);
  EXPECT_FALSE(seen.receipt.duplicate);
  ASSERT_EQ(seen.queued.size(), 1u);
  EXPECT_EQ(seen.queued.front().first, bob.address);
  EXPECT_EQ(seen.readable, 1u) << "completed before the row was readable";
  EXPECT_EQ(seen.bodies, 1u);
  EXPECT_TRUE(listener_.events().empty()) << "Announce::caller must not notify the listener";
  auto rows = messages_->pending(bob.address);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().seq, seen.queued.front().second);

  // A retry is a duplicate and hands over nothing.
  auto again = send_async(make_send(alice.address, bob.address.account, 1), Announce::caller);
  ASSERT_EQ(again.code, Errc::ok);
  EXPECT_TRUE(again.receipt.duplicate);
  EXPECT_TRUE(again.queued.empty());
}

TEST_P(StoreAsync, WithTheListenerASendIsAnnouncedLikeABlockingOne) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto seen = send_async(make_send(alice.address, bob.address.account, 1), Announce::listener);
  ASSERT_EQ(seen.code, Errc::ok);
  EXPECT_TRUE(seen.queued.empty());
  auto events = listener_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.front().first, bob.address);
}

TEST_P(StoreAsync, RefusalsCarryTheSameAnswersAsBlockingSends) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  SendRequest stale = make_send(alice.address, bob.address.account, 1);
  stale.copies.front().registration_id = RegistrationId{raw(stale.copies.front().registration_id) + 1};
  auto seen = send_async(stale, Announce::caller);
  EXPECT_EQ(seen.code, Errc::stale_devices);
  ASSERT_EQ(seen.mismatches.size(), 1u);
  EXPECT_EQ(seen.mismatches.front().stale, std::vector<DeviceId>{bob.address.device});
  EXPECT_TRUE(seen.queued.empty());

  SendRequest empty = make_send(alice.address, bob.address.account, 2);
  empty.copies.clear();  // refused by the service, before the Store
  EXPECT_EQ(send_async(empty, Announce::caller).code, Errc::invalid_argument);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 0u);
}

TEST_P(StoreAsync, AnAckIsCommittedBeforeItsCompletion) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto seen = send_async(make_send(alice.address, bob.address.account, 1), Announce::caller);
  ASSERT_EQ(seen.queued.size(), 1u);
  const Seq seq = seen.queued.front().second;
  std::size_t left = 999;
  EXPECT_EQ(ack_async(alice.address, seq, &left).code(), Errc::not_found) << "only the owner acks";
  EXPECT_EQ(left, 0u);  // alice's own queue
  EXPECT_TRUE(ack_async(bob.address, seq, &left));
  EXPECT_EQ(left, 0u) << "completed before the ack was committed";
  EXPECT_EQ(ack_async(bob.address, seq, &left).code(), Errc::not_found);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreAsync, ::testing::Values(Backend::sqlite, Backend::postgres), backend_name);

}  // namespace hush::server::testing
