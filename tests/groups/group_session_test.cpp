// Group sessions end to end between Hush members: distribution, fan-out,
// rotation, and the whole path of a distribution message through a real
// pairwise session (the sender of a key is the session's remote address).
#include "group_member.hpp"

#include <hush/signal/sender_key_messages.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {
using testing::GroupMember;

constexpr std::string_view kGroup = "family";

TEST(GroupCipher, OneEncryptionIsReadByEveryMember) {
  GroupMember alice("alice", 1), bob("bob", 2), carol("carol", 3);
  auto skdm = alice.distribution(kGroup);
  ASSERT_TRUE(bob.accept(kGroup, alice, skdm));
  ASSERT_TRUE(carol.accept(kGroup, alice, skdm));
  for (int i = 0; i < 20; ++i) {
    Bytes m = alice.send(kGroup, "hello " + std::to_string(i));
    EXPECT_EQ(*bob.receive(kGroup, alice, m), "hello " + std::to_string(i));
    EXPECT_EQ(*carol.receive(kGroup, alice, m), "hello " + std::to_string(i));
  }
}

TEST(GroupCipher, DistributionIsStableUntilRotation) {
  GroupMember alice("alice", 1);
  auto a = alice.distribution(kGroup);
  (void)alice.send(kGroup, "x");
  auto b = alice.distribution(kGroup);
  EXPECT_EQ(a.chain_id(), b.chain_id());
  EXPECT_EQ(a.signing_key(), b.signing_key());
  EXPECT_EQ(b.iteration(), 1u);  // a late joiner starts at the current iteration
  auto c = alice.rotate(kGroup);
  EXPECT_NE(c.chain_id(), a.chain_id());
  EXPECT_NE(c.signing_key(), a.signing_key());
  EXPECT_EQ(c.iteration(), 0u);
}

TEST(GroupCipher, EncryptWithoutSendingKeyIsNoSession) {
  GroupMember alice("alice", 1), bob("bob", 2);
  GroupCipher none(bob.store, bob.own(kGroup));
  EXPECT_EQ(none.encrypt(as_bytes("x"), bob.rng).code(), Errc::no_session);
  // A record holding only another member's key cannot encrypt either.
  ASSERT_TRUE(bob.accept(kGroup, alice, alice.distribution(kGroup)));
  GroupCipher as_alice(bob.store, {std::string(kGroup), alice.address});
  EXPECT_EQ(as_alice.encrypt(as_bytes("x"), bob.rng).code(), Errc::no_session);
}

TEST(GroupCipher, DecryptWithoutKeyIsNoSessionAndEmptyGroupIsRefused) {
  GroupMember alice("alice", 1), bob("bob", 2);
  (void)alice.distribution(kGroup);
  Bytes m = alice.send(kGroup, "x");
  EXPECT_EQ(bob.receive(kGroup, alice, m).code(), Errc::no_session);
  EXPECT_EQ(bob.accept("", alice, alice.distribution(kGroup)).code(), Errc::invalid_argument);
}

TEST(GroupCipher, SignerCacheFollowsRotationInTheStore) {
  GroupMember alice("alice", 1), bob("bob", 2);
  ASSERT_TRUE(bob.accept(kGroup, alice, alice.distribution(kGroup)));
  GroupCipher cipher(alice.store, alice.own(kGroup));
  auto m1 = cipher.encrypt(as_bytes("one"), alice.rng);
  ASSERT_TRUE(m1);
  ASSERT_TRUE(bob.accept(kGroup, alice, alice.rotate(kGroup)));
  auto m2 = cipher.encrypt(as_bytes("two"), alice.rng);  // same cipher object, new key
  ASSERT_TRUE(m2);
  EXPECT_EQ(*bob.receive(kGroup, alice, m2->serialized), "two");
  EXPECT_EQ(*bob.receive(kGroup, alice, m1->serialized), "one");  // the old key is still kept
}

// The distribution message travels inside an application envelope
// (group id ‖ distribution message) encrypted over the pairwise session; the
// receiver files the key under the session's remote address.
std::string envelope(std::string_view group, const SenderKeyDistributionMessage& m) {
  std::string out(1, static_cast<char>(group.size()));
  out += group;
  out += to_string(m.serialized().expose());
  return out;
}

TEST(GroupSessionBuilder, KeyArrivesThroughPairwiseSessionAndIsFiledUnderItsSender) {
  testing::SignalParty alice_device("alice", 21), bob_device("bob", 22);
  ASSERT_TRUE(alice_device.start_session(bob_device.address(), bob_device.make_bundle()));
  GroupMember alice("alice", 1), bob("bob", 2);
  auto wire = alice_device.encrypt(bob_device.address(), envelope(kGroup, alice.distribution(kGroup)));
  ASSERT_TRUE(wire);

  SessionCipher pairwise(bob_device.store().stores(), alice_device.address());
  auto plain = pairwise.decrypt(wire->type, wire->serialized, bob_device.rng());
  ASSERT_TRUE(plain);
  ByteView env = plain->expose();
  const std::size_t group_len = env[0];
  const std::string group = to_string(env.subspan(1, group_len));
  auto skdm = SenderKeyDistributionMessage::deserialize(env.subspan(1 + group_len));
  ASSERT_TRUE(skdm);
  GroupSessionBuilder builder(bob.store);
  ASSERT_TRUE(builder.process(group, pairwise, *skdm));
  EXPECT_NE(bob.store.raw({std::string(kGroup), alice_device.address()}), nullptr);
  EXPECT_EQ(*bob.receive(kGroup, alice, alice.send(kGroup, "over the session")), "over the session");
}

}  // namespace
}  // namespace hush::signal
