// The durable outbox of group changes below the SDK (docs/protocol.md §8.3,
// "Delivery"): the sealed payload of one queued copy, the per-account server
// message id every retry reuses, and the queue written in the transaction
// that applies the change (a rolled-back change queues nothing).
#include "store_fixture.hpp"

#include "group_outbox.hpp"

#include <hush/client/content/content.hpp>
#include <hush/client/store/outbox.hpp>

#include <gtest/gtest.h>

namespace hush::client::fixture {
namespace {

MessageId id_of(std::uint8_t n) {
  MessageId id;
  id.bytes.fill(n);
  return id;
}

sdk::PendingGroupChange sample(bool joining) {
  sdk::PendingGroupChange p;
  p.group_id.assign(content::kGroupIdSize, 0x42);
  p.version = 7;
  p.joining = joining;
  p.frame = SecretBuffer(as_bytes("padded frame bytes"));
  return p;
}

TEST(PendingGroupChange, RoundTripsEveryField) {
  for (bool joining : {false, true}) {
    auto payload = sdk::encode_pending_group_change(sample(joining));
    auto back = sdk::decode_pending_group_change(payload.expose());
    ASSERT_TRUE(back) << errc_name(back.code());
    EXPECT_EQ(back->group_id, sample(joining).group_id);
    EXPECT_EQ(back->version, 7u);
    EXPECT_EQ(back->joining, joining);
    EXPECT_EQ(to_string(back->frame.expose()), "padded frame bytes");
  }
}

TEST(PendingGroupChange, RefusesOtherFormatsTruncationAndTrailingBytes) {
  auto payload = sdk::encode_pending_group_change(sample(false));
  Bytes bytes(payload.expose().begin(), payload.expose().end());
  Bytes other = bytes;
  other[0] = sdk::kPendingGroupChangeFormat + 1;
  EXPECT_EQ(sdk::decode_pending_group_change(other).code(), Errc::unsupported_version);
  Bytes cut(bytes.begin(), bytes.end() - 1);
  EXPECT_EQ(sdk::decode_pending_group_change(cut).code(), Errc::decode_error);
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(sdk::decode_pending_group_change(longer).code(), Errc::decode_error);
  EXPECT_EQ(sdk::decode_pending_group_change({}).code(), Errc::decode_error);
}

TEST(PendingGroupChange, ServerMessageIdIsStablePerChangeAndAccount) {
  const Bytes bob(16, 0xb0);
  const Bytes carol(16, 0xca);
  const Bytes first = sdk::change_message_id(id_of(1), bob);
  EXPECT_EQ(first.size(), MessageId::kSize);
  EXPECT_EQ(sdk::change_message_id(id_of(1), bob), first);  // a retry reuses it
  EXPECT_NE(sdk::change_message_id(id_of(1), carol), first);
  EXPECT_NE(sdk::change_message_id(id_of(2), bob), first);
}

TEST(PendingGroupChange, QueuedOnlyWithTheTransactionThatAppliesTheChange) {
  TempHome t;
  auto s = create_store(t.home(), "pw");
  store::Outbox out(*s);
  auto payload = sdk::encode_pending_group_change(sample(false));
  // The change fails to apply after its copies were queued: nothing stays.
  Status failed = s->transaction([&]() -> Status {
    EXPECT_TRUE(out.enqueue("bob", id_of(1), payload.expose()));
    EXPECT_TRUE(out.enqueue("carol", id_of(1), payload.expose()));
    return make_error(Errc::storage_failure, "test: the group write failed");
  });
  EXPECT_EQ(failed.code(), Errc::storage_failure);
  ASSERT_TRUE(out.pending(10));
  EXPECT_TRUE(out.pending(10)->empty());
  // Committed: both copies, in queue order, the payload opened intact.
  Status committed = s->transaction([&]() -> Status {
    HUSH_TRY(out.enqueue("bob", id_of(1), payload.expose()));
    HUSH_TRY(out.enqueue("dave", id_of(1), sdk::encode_pending_group_change(sample(true)).expose()));
    return ok();
  });
  ASSERT_TRUE(committed);
  auto pending = out.pending(10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].recipient, "bob");
  EXPECT_EQ((*pending)[1].recipient, "dave");
  auto newcomer = sdk::decode_pending_group_change((*pending)[1].payload.expose());
  ASSERT_TRUE(newcomer);
  EXPECT_TRUE(newcomer->joining);
}

}  // namespace
}  // namespace hush::client::fixture
