// Forward secrecy: once a message is decrypted, neither the live session nor
// its stored record can decrypt it again, and no key that would is left.
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace hush::signal {
namespace {
using testing::SignalParty;

bool contains(const Bytes& haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

// The message keys Alice will use for her next message (from her stored record).
MessageKeys next_sending_keys(SignalParty& alice, const ProtocolAddress& bob) {
  auto record = *SessionRecord::deserialize(alice.session_bytes(bob));
  return record.current_state()->sender_chain.message_keys();
}

// The seed of those keys (what a receiver keeps for a skipped message).
MessageKeySeed next_sending_seed(SignalParty& alice, const ProtocolAddress& bob) {
  auto record = *SessionRecord::deserialize(alice.session_bytes(bob));
  return record.current_state()->sender_chain.advance_seed().first;
}

TEST(ForwardSecrecy, DecryptedMessageCannotBeDecryptedAgainFromSessionOrRecord) {
  SignalParty alice{"alice", 1};
  SignalParty bob{"bob", 2};
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  ASSERT_TRUE(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "setup")));
  ASSERT_TRUE(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), "reply")));

  // m1 is sent, m2 overtakes it (so m1's key sits in the skipped store), then m1 arrives.
  auto k1 = next_sending_keys(alice, bob.address());
  auto s1 = next_sending_seed(alice, bob.address());
  auto m1 = *alice.encrypt(bob.address(), "secret one");
  auto k2 = next_sending_keys(alice, bob.address());
  auto m2 = *alice.encrypt(bob.address(), "secret two");
  ASSERT_TRUE(bob.decrypt(alice.address(), m2));
  Bytes with_skipped = bob.session_bytes(alice.address());
  EXPECT_TRUE(contains(with_skipped, s1.seed.expose())) << "m1's key seed is held while m1 is outstanding";
  ASSERT_TRUE(bob.decrypt(alice.address(), m1));

  Bytes after = bob.session_bytes(alice.address());
  for (const auto* k : {&k1, &k2}) {
    EXPECT_FALSE(contains(after, k->cipher_key.expose()));
    EXPECT_FALSE(contains(after, k->mac_key.expose()));
  }
  EXPECT_FALSE(contains(after, s1.seed.expose()));
  EXPECT_EQ(bob.decrypt(alice.address(), m1).code(), Errc::duplicate_message);
  EXPECT_EQ(bob.decrypt(alice.address(), m2).code(), Errc::duplicate_message);

  // A copy of the record saved after decryption, restored into a fresh store, can't either.
  SignalParty restored{"bob", 2};
  restored.store().sessions.put_raw(alice.address(), SecretBuffer(after));
  EXPECT_EQ(restored.decrypt(alice.address(), m1).code(), Errc::duplicate_message);
}

TEST(ForwardSecrecy, OldChainKeysAreNotKeptAfterRatchetSteps) {
  SignalParty alice{"alice", 1};
  SignalParty bob{"bob", 2};
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  ASSERT_TRUE(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "setup")));
  auto first_record = *SessionRecord::deserialize(alice.session_bytes(bob.address()));
  Bytes old_root = to_bytes(first_record.current_state()->root_key.key().expose());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), "b")));
    ASSERT_TRUE(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "a")));
  }
  EXPECT_FALSE(contains(alice.session_bytes(bob.address()), old_root));
  EXPECT_FALSE(contains(bob.session_bytes(alice.address()), old_root));
}

}  // namespace
}  // namespace hush::signal
