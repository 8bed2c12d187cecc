// Two Hush devices set up a session and talk: the ordinary paths.
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {
using testing::SignalParty;

class Session : public ::testing::Test {
 protected:
  SignalParty alice{"alice", 1};
  SignalParty bob{"bob", 2};

  void connect(bool one_time = true) { ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle(one_time))); }
};

TEST_F(Session, FirstMessagesArePreKeyMessagesUntilAnswered) {
  connect();
  auto m1 = alice.encrypt(bob.address(), "hello");
  auto m2 = alice.encrypt(bob.address(), "again");
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(m1->type, MessageType::pre_key);
  EXPECT_EQ(m2->type, MessageType::pre_key);
  EXPECT_EQ(*bob.decrypt(alice.address(), *m1), "hello");
  EXPECT_EQ(*bob.decrypt(alice.address(), *m2), "again");
  auto reply = bob.encrypt(alice.address(), "hi alice");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, MessageType::whisper);
  EXPECT_EQ(*alice.decrypt(bob.address(), *reply), "hi alice");
  auto m3 = alice.encrypt(bob.address(), "now a normal message");
  EXPECT_EQ(m3->type, MessageType::whisper);
  EXPECT_EQ(*bob.decrypt(alice.address(), *m3), "now a normal message");
}

TEST_F(Session, WorksWithoutAOneTimePreKey) {
  connect(false);
  auto m = alice.encrypt(bob.address(), "no one-time key");
  EXPECT_EQ(*bob.decrypt(alice.address(), *m), "no one-time key");
}

TEST_F(Session, OneTimePreKeyIsRemovedAfterUse) {
  connect();
  EXPECT_EQ(bob.store().pre_keys.size(), 1u);
  auto m = alice.encrypt(bob.address(), "x");
  ASSERT_TRUE(bob.decrypt(alice.address(), *m));
  EXPECT_EQ(bob.store().pre_keys.size(), 0u);
}

TEST_F(Session, OutOfOrderWithinAChainAndAcrossRatchetSteps) {
  connect();
  ASSERT_TRUE(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "setup")));
  std::vector<testing::SignalParty*> unused;
  // Three chains from alice, delivered in reverse.
  std::vector<std::pair<CiphertextMessage, std::string>> pending;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) {
      std::string text = "r" + std::to_string(round) + "m" + std::to_string(i);
      pending.emplace_back(*alice.encrypt(bob.address(), text), text);
    }
    auto reply = bob.encrypt(alice.address(), "ack");
    ASSERT_TRUE(alice.decrypt(bob.address(), *reply));
  }
  for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
    auto got = bob.decrypt(alice.address(), it->first);
    ASSERT_TRUE(got) << it->second;
    EXPECT_EQ(*got, it->second);
  }
}

TEST_F(Session, EmptyAndLargeMessages) {
  connect();
  EXPECT_EQ(*bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "")), "");
  std::string big(100000, 'z');
  EXPECT_EQ(*bob.decrypt(alice.address(), *alice.encrypt(bob.address(), big)), big);
}

TEST_F(Session, EncryptWithoutSessionFails) {
  EXPECT_EQ(alice.encrypt(bob.address(), "x").code(), Errc::no_session);
}

TEST_F(Session, NewSessionReplacesTheOldOneAndLateMessagesStillDecrypt) {
  connect();
  auto old1 = alice.encrypt(bob.address(), "old session");
  ASSERT_TRUE(bob.decrypt(alice.address(), *old1));
  auto old2 = alice.encrypt(bob.address(), "late from old session");
  // Alice reinstalls: a new session from a new bundle.
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  auto fresh = alice.encrypt(bob.address(), "new session");
  EXPECT_EQ(*bob.decrypt(alice.address(), *fresh), "new session");
  EXPECT_EQ(*bob.decrypt(alice.address(), *old2), "late from old session");
  auto reply = bob.encrypt(alice.address(), "reply");
  EXPECT_EQ(*alice.decrypt(bob.address(), *reply), "reply");
}

TEST_F(Session, ChangedIdentityIsRefusedUntilAccepted) {
  connect();
  ASSERT_TRUE(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "hi")));
  // Bob reinstalls with a new identity under the same address.
  SignalParty bob2{"bob", 99};
  auto bundle = bob2.make_bundle();
  EXPECT_EQ(alice.start_session(bob.address(), bundle).code(), Errc::untrusted_identity);
  // Alice accepts the new key; now it works.
  ASSERT_TRUE(alice.store().identities.save_identity(bob.address(), bob2.identity()));
  ASSERT_TRUE(alice.start_session(bob.address(), bundle));
  EXPECT_EQ(*bob2.decrypt(alice.address(), *alice.encrypt(bob.address(), "hello new bob")), "hello new bob");
}

TEST_F(Session, SendingToAContactWhoseKeyChangedIsRefused) {
  connect();
  SignalParty mallory{"mallory", 5};
  ASSERT_TRUE(alice.store().identities.save_identity(bob.address(), mallory.identity()));
  EXPECT_EQ(alice.encrypt(bob.address(), "x").code(), Errc::untrusted_identity);
}

TEST_F(Session, ReceivingAPreKeyMessageFromAChangedIdentityIsRefused) {
  connect();
  ASSERT_TRUE(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "hi")));
  SignalParty impostor{"alice", 77};
  ASSERT_TRUE(impostor.start_session(bob.address(), bob.make_bundle()));
  auto m = impostor.encrypt(bob.address(), "it's me, alice");
  EXPECT_EQ(bob.decrypt(alice.address(), *m).code(), Errc::untrusted_identity);
}

TEST_F(Session, BundleWithBadSignatureIsRefused) {
  auto bundle = bob.make_bundle();
  bundle.signed_pre_key_signature[10] ^= 0x40;
  EXPECT_EQ(alice.start_session(bob.address(), bundle).code(), Errc::bad_signature);
  EXPECT_TRUE(alice.session_bytes(bob.address()).empty());
}

}  // namespace
}  // namespace hush::signal
