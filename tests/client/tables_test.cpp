// The SDK's own tables: account, history, received ids, outbox; and the
// housekeeping queries of the pre-key and session stores.
#include "store_fixture.hpp"

#include <hush/client/store/account_table.hpp>
#include <hush/client/store/message_history.hpp>
#include <hush/client/store/outbox.hpp>
#include <hush/client/store/received_ids.hpp>
#include <hush/client/store/session_store.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::client::fixture {
namespace {

using store::MessageDirection;

MessageId id_of(std::uint8_t n) {
  MessageId id;
  id.bytes.fill(n);
  return id;
}

TEST(AccountTable, EmptyBeforeRegistrationThenReplaced) {
  TempHome t;
  auto s = create_store(t.home(), "pw");
  store::AccountTable accounts(*s);
  auto none = accounts.load();
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(accounts.save({"a", "1", signal::DeviceId{1}, "u", SecretBuffer(as_bytes("c1"))}));
  ASSERT_TRUE(accounts.save({"a", "1", signal::DeviceId{2}, "u", SecretBuffer(as_bytes("c2"))}));
  auto a = accounts.load();
  ASSERT_TRUE(a && a->has_value());
  EXPECT_EQ((*a)->device_id, signal::DeviceId{2});
  EXPECT_EQ(to_string((*a)->server_credential.expose()), "c2");
}

TEST(MessageHistory, KeepsOrderPeerGroupAndRefusesDuplicates) {
  TempHome t;
  auto s = create_store(t.home(), "pw");
  store::MessageHistory h(*s);
  ASSERT_TRUE(h.insert({id_of(1), MessageDirection::outgoing, "bob", std::nullopt, 10, SecretBuffer(as_bytes("one"))}));
  ASSERT_TRUE(h.insert({id_of(2), MessageDirection::incoming, "bob", Bytes{1, 2, 3}, 20, SecretBuffer(as_bytes("two"))}));
  ASSERT_TRUE(h.insert({id_of(3), MessageDirection::incoming, "carol", std::nullopt, 30, SecretBuffer(as_bytes("x"))}));
  ASSERT_TRUE(h.insert({id_of(4), MessageDirection::incoming, "bob", std::nullopt, 40, SecretBuffer()}));
  EXPECT_EQ(h.insert({id_of(2), MessageDirection::incoming, "bob", std::nullopt, 50, SecretBuffer(as_bytes("again"))})
                .code(),
            Errc::conflict);
  auto bob = h.with_peer("bob", 10);
  ASSERT_TRUE(bob);
  ASSERT_EQ(bob->size(), 3u);
  EXPECT_EQ(to_string((*bob)[0].body.expose()), "one");
  EXPECT_EQ((*bob)[0].direction, MessageDirection::outgoing);
  EXPECT_FALSE((*bob)[0].group_id.has_value());
  EXPECT_EQ((*bob)[1].group_id, (Bytes{1, 2, 3}));
  EXPECT_EQ((*bob)[2].body.size(), 0u);
  auto last_two = h.with_peer("bob", 2);
  ASSERT_EQ(last_two->size(), 2u);
  EXPECT_EQ((*last_two)[0].id, id_of(2));
  auto found = h.find("bob", MessageDirection::incoming, id_of(2));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->timestamp_ms, 20u);
  EXPECT_FALSE(h.find("bob", MessageDirection::outgoing, id_of(2))->has_value());
  Bytes long_group(store::kMaxGroupIdSize + 1);
  EXPECT_EQ(h.insert({id_of(9), MessageDirection::incoming, "bob", long_group, 1, SecretBuffer()}).code(),
            Errc::invalid_argument);
}

TEST(ReceivedIds, RecordsEachIdOncePerSender) {
  TempHome t;
  std::uint64_t now = 1000;
  auto made = store::LocalStore::create(t.home(), test_passphrase("pw"), crypto::system_rng(), [&] { return now; });
  ASSERT_TRUE(made);
  store::ReceivedIds ids(**made);
  EXPECT_TRUE(*ids.insert("bob", id_of(1).view()));
  EXPECT_FALSE(*ids.insert("bob", id_of(1).view()));
  EXPECT_TRUE(*ids.insert("carol", id_of(1).view()));  // another sender's id space
  EXPECT_TRUE(*ids.contains("bob", id_of(1).view()));
  EXPECT_FALSE(*ids.contains("bob", id_of(2).view()));
  EXPECT_EQ(ids.insert("bob", {}).code(), Errc::invalid_argument);
  EXPECT_EQ(ids.insert("bob", Bytes(store::kMaxReceivedIdSize + 1)).code(), Errc::invalid_argument);
  now = 5000;
  EXPECT_TRUE(*ids.insert("bob", id_of(2).view()));
  ASSERT_TRUE(ids.prune_before(2000));
  EXPECT_FALSE(*ids.contains("bob", id_of(1).view()));
  EXPECT_TRUE(*ids.contains("bob", id_of(2).view()));
}

TEST(Outbox, QueuesInOrderCountsAttemptsAndRemoves) {
  TempHome t;
  auto s = create_store(t.home(), "pw");
  store::Outbox out(*s);
  auto a = out.enqueue("bob", id_of(1), as_bytes("first"));
  auto b = out.enqueue("carol", id_of(2), as_bytes("second"));
  ASSERT_TRUE(a && b);
  EXPECT_LT(*a, *b);
  EXPECT_EQ(out.enqueue("bob", id_of(1), as_bytes("dup")).code(), Errc::conflict);
  ASSERT_TRUE(out.note_attempt(*a));
  auto pending = out.pending(10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].recipient, "bob");
  EXPECT_EQ((*pending)[0].attempts, 1u);
  EXPECT_EQ(to_string((*pending)[0].payload.expose()), "first");
  ASSERT_TRUE(out.remove(*a));
  pending = out.pending(10);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, id_of(2));
}

TEST(ProtocolStores, HousekeepingQueries) {
  TempHome t;
  hush::testing::DeterministicRng rng(3);
  auto s = create_store(t.home(), "pw");
  store::SqliteProtocolStore p(*s);
  EXPECT_EQ(*p.pre_keys.count(), 0u);
  EXPECT_EQ(*p.pre_keys.max_id(), 0u);
  for (auto& k : signal::generate_pre_keys(7, 3, rng)) ASSERT_TRUE(p.pre_keys.store_pre_key(k));
  EXPECT_EQ(*p.pre_keys.count(), 3u);
  EXPECT_EQ(*p.pre_keys.max_id(), 9u);
  ASSERT_TRUE(p.pre_keys.remove_pre_key(signal::PreKeyId{8}));
  EXPECT_EQ(p.pre_keys.load_pre_key(signal::PreKeyId{8}).code(), Errc::not_found);
  auto identity = signal::IdentityKeyPair::generate(rng);
  ASSERT_TRUE(p.signed_pre_keys.store_signed_pre_key(signal::generate_signed_pre_key(identity, {2}, 200, rng)));
  ASSERT_TRUE(p.signed_pre_keys.store_signed_pre_key(signal::generate_signed_pre_key(identity, {1}, 100, rng)));
  auto list = p.signed_pre_keys.list();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, signal::SignedPreKeyId{1});
  EXPECT_EQ((*list)[1].created_ms, 200u);
  auto loaded = p.signed_pre_keys.load_signed_pre_key({2});
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->timestamp_ms, 200u);
  ASSERT_TRUE(p.signed_pre_keys.remove_signed_pre_key({2}));
  EXPECT_EQ(p.signed_pre_keys.load_signed_pre_key({2}).code(), Errc::not_found);
  EXPECT_TRUE(p.sessions.devices("bob")->empty());
}

}  // namespace
}  // namespace hush::client::fixture
