// Regression tests for the known ways Sender Keys code breaks (issue #4):
// window and jump bounds, state bounds, transactional decrypt, tampering,
// sender authentication (the "ghost member" class) and group binding.
#include "group_member.hpp"

#include <hush/signal/constants.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace hush::signal {
namespace {
using testing::GroupMember;

constexpr std::string_view kGroup = "newsroom";

class GroupRegression : public ::testing::Test {
 protected:
  GroupMember alice{"alice", 31};
  GroupMember bob{"bob", 32};
  void SetUp() override { ASSERT_TRUE(bob.accept(kGroup, alice, alice.distribution(kGroup))); }
  std::vector<Bytes> burst(int n) {
    std::vector<Bytes> out;
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) out.push_back(alice.send(kGroup, "m" + std::to_string(i)));
    return out;
  }
  // Moves alice's sending chain forward without sending (cheap stand-in for
  // thousands of messages nobody receives).
  void skip_ahead(std::uint32_t n) {
    auto record = std::move(alice.store.load_sender_key(alice.own(kGroup)).value()).value();
    SenderKeyState& s = *record.current_state();
    for (std::uint32_t i = 0; i < n; ++i) s.set_chain_key(s.chain_key().next());
    ASSERT_TRUE(alice.store.store_sender_key(alice.own(kGroup), record));
  }
};

TEST_F(GroupRegression, After2010MessagesWindowHoldsAndOldestIsRefused) {
  auto m = burst(2010);
  EXPECT_EQ(*bob.receive(kGroup, alice, m[2009]), "m2009");
  EXPECT_EQ(*bob.receive(kGroup, alice, m[1000]), "m1000");
  // 2009 keys were skipped; only the newest 2000 (iterations 9..2008) are kept.
  const Bytes before = bob.record_bytes(kGroup, alice);
  EXPECT_EQ(bob.receive(kGroup, alice, m[0]).code(), Errc::duplicate_message);
  EXPECT_EQ(bob.receive(kGroup, alice, m[8]).code(), Errc::duplicate_message);
  EXPECT_EQ(bob.record_bytes(kGroup, alice), before);
  EXPECT_EQ(*bob.receive(kGroup, alice, m[9]), "m9");
  EXPECT_EQ(*bob.receive(kGroup, alice, m[2008]), "m2008");
}

TEST_F(GroupRegression, JumpOf25000IsAcceptedAnd25001Refused) {
  skip_ahead(kMaxSenderKeyForwardJumps);
  Bytes at_25000 = alice.send(kGroup, "far");
  Bytes at_25001 = alice.send(kGroup, "further");
  const Bytes before = bob.record_bytes(kGroup, alice);
  EXPECT_EQ(bob.receive(kGroup, alice, at_25001).code(), Errc::too_far_ahead);
  EXPECT_EQ(bob.record_bytes(kGroup, alice), before);
  EXPECT_EQ(*bob.receive(kGroup, alice, at_25000), "far");
  EXPECT_EQ(*bob.receive(kGroup, alice, at_25001), "further");
}

TEST_F(GroupRegression, AtMostFiveSenderKeyStatesAreKept) {
  std::vector<Bytes> per_key{alice.send(kGroup, "key 0")};
  for (int k = 1; k <= 5; ++k) {
    ASSERT_TRUE(bob.accept(kGroup, alice, alice.rotate(kGroup)));
    per_key.push_back(alice.send(kGroup, "key " + std::to_string(k)));
  }
  auto record = std::move(bob.store.load_sender_key({std::string(kGroup), alice.address}).value()).value();
  EXPECT_EQ(record.states().size(), kMaxSenderKeyStates);
  EXPECT_EQ(bob.receive(kGroup, alice, per_key[0]).code(), Errc::no_session);
  for (int k = 1; k <= 5; ++k) EXPECT_EQ(*bob.receive(kGroup, alice, per_key[static_cast<std::size_t>(k)]), "key " + std::to_string(k));
}

TEST_F(GroupRegression, DuplicateIsRefusedAndChangesNothing) {
  auto m = burst(3);
  EXPECT_EQ(*bob.receive(kGroup, alice, m[1]), "m1");
  const Bytes before = bob.record_bytes(kGroup, alice);
  EXPECT_EQ(bob.receive(kGroup, alice, m[1]).code(), Errc::duplicate_message);
  EXPECT_EQ(bob.record_bytes(kGroup, alice), before);
  EXPECT_EQ(*bob.receive(kGroup, alice, m[0]), "m0");
  EXPECT_EQ(*bob.receive(kGroup, alice, m[2]), "m2");
}

TEST_F(GroupRegression, TamperedAndUnsignedMessagesAreRefusedAndChangeNothing) {
  Bytes m = alice.send(kGroup, "genuine");
  const Bytes before = bob.record_bytes(kGroup, alice);
  Bytes body = m;
  body[body.size() - 70] ^= 0x01;  // inside the ciphertext
  EXPECT_EQ(bob.receive(kGroup, alice, body).code(), Errc::bad_signature);
  Bytes sig = m;
  sig.back() ^= 0x01;
  EXPECT_EQ(bob.receive(kGroup, alice, sig).code(), Errc::bad_signature);
  Bytes zero_sig = m;
  std::fill(zero_sig.end() - 64, zero_sig.end(), 0);
  EXPECT_EQ(bob.receive(kGroup, alice, zero_sig).code(), Errc::bad_signature);
  Bytes unsigned_message(m.begin(), m.end() - 64);
  EXPECT_FALSE(bob.receive(kGroup, alice, unsigned_message));
  EXPECT_EQ(bob.record_bytes(kGroup, alice), before);
  EXPECT_EQ(*bob.receive(kGroup, alice, m), "genuine");
}

// Mallory, a member, tries to make Bob accept a key as Alice's: she can only
// hand it over through her own pairwise session, so Bob files it as hers, and
// her messages relabelled "from alice" are refused.
TEST_F(GroupRegression, SenderKeyIsAcceptedOnlyFromTheAuthenticatedMember) {
  GroupMember mallory("mallory", 33);
  // Her own key, passed off as Alice's: the API takes the pairwise sender.
  auto forged = mallory.distribution(kGroup);
  ASSERT_TRUE(bob.accept(kGroup, mallory, forged));
  Bytes as_alice = mallory.send(kGroup, "I am alice");
  EXPECT_EQ(bob.receive(kGroup, alice, as_alice).code(), Errc::no_session);
  EXPECT_EQ(*bob.receive(kGroup, mallory, as_alice), "I am alice");  // honestly attributed

  // A key that reuses Alice's chain id: the signature check still refuses it.
  const SenderChainId alice_id = alice.distribution(kGroup).chain_id();
  SecretBytes<32> ck;
  mallory.rng.fill(ck.expose_mut());
  auto signing = crypto::KeyPair::generate(mallory.rng);
  SenderKeyRecord own;
  own.set_state(SenderKeyState(alice_id, SenderChainKey(std::move(ck), 0), signing.public_key,
                               signing.private_key.clone()));
  ASSERT_TRUE(mallory.store.store_sender_key(mallory.own(kGroup), own));
  Bytes same_id = mallory.send(kGroup, "still not alice");
  const Bytes before = bob.record_bytes(kGroup, alice);
  EXPECT_EQ(bob.receive(kGroup, alice, same_id).code(), Errc::bad_signature);
  EXPECT_EQ(bob.record_bytes(kGroup, alice), before);
  EXPECT_EQ(*bob.receive(kGroup, alice, alice.send(kGroup, "real alice")), "real alice");
}

TEST_F(GroupRegression, DistributionForOneGroupNeverServesAnother) {
  constexpr std::string_view kOther = "other group";
  Bytes m = alice.send(kGroup, "for the newsroom");
  // Delivered as if it belonged to another group: Bob holds no key there.
  EXPECT_EQ(bob.receive(kOther, alice, m).code(), Errc::no_session);
  // Alice in both groups: each group has its own key, and a message of one is
  // refused under the other.
  ASSERT_TRUE(bob.accept(kOther, alice, alice.distribution(kOther)));
  EXPECT_EQ(bob.receive(kOther, alice, m).code(), Errc::no_session);
  Bytes other = alice.send(kOther, "for the other group");
  EXPECT_EQ(bob.receive(kGroup, alice, other).code(), Errc::no_session);
  EXPECT_EQ(*bob.receive(kGroup, alice, m), "for the newsroom");
  EXPECT_EQ(*bob.receive(kOther, alice, other), "for the other group");
}

TEST_F(GroupRegression, RepeatedDistributionCannotReopenReadMessages) {
  auto skdm = alice.distribution(kGroup);  // iteration 0
  auto m = burst(3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(bob.receive(kGroup, alice, m[static_cast<std::size_t>(i)]));
  ASSERT_TRUE(bob.accept(kGroup, alice, skdm));  // replayed over the pairwise session
  EXPECT_EQ(bob.receive(kGroup, alice, m[0]).code(), Errc::duplicate_message);
  EXPECT_EQ(bob.receive(kGroup, alice, m[2]).code(), Errc::duplicate_message);
}

TEST_F(GroupRegression, AfterRemovalRemainingMembersRotateAndRemovedReadsNothing) {
  GroupMember carol{"carol", 34};
  ASSERT_TRUE(carol.accept(kGroup, alice, alice.distribution(kGroup)));
  ASSERT_TRUE(alice.accept(kGroup, bob, bob.distribution(kGroup)));
  ASSERT_TRUE(carol.accept(kGroup, bob, bob.distribution(kGroup)));
  Bytes before_removal = alice.send(kGroup, "before");
  EXPECT_EQ(*carol.receive(kGroup, alice, before_removal), "before");
  // Carol is removed: Alice and Bob rotate and distribute only to each other.
  ASSERT_TRUE(bob.accept(kGroup, alice, alice.rotate(kGroup)));
  ASSERT_TRUE(alice.accept(kGroup, bob, bob.rotate(kGroup)));
  Bytes from_alice = alice.send(kGroup, "after");
  Bytes from_bob = bob.send(kGroup, "after too");
  EXPECT_EQ(carol.receive(kGroup, alice, from_alice).code(), Errc::no_session);
  EXPECT_EQ(carol.receive(kGroup, bob, from_bob).code(), Errc::no_session);
  EXPECT_EQ(*bob.receive(kGroup, alice, from_alice), "after");
  EXPECT_EQ(*alice.receive(kGroup, bob, from_bob), "after too");
  EXPECT_EQ(*bob.receive(kGroup, alice, before_removal), "before");  // late, under the kept old key
}

}  // namespace
}  // namespace hush::signal
