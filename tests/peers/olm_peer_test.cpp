// Proves the libolm harness itself: two OlmPeers set up an Olm session from a
// one-time key and talk both ways, and a Megolm group session carries
// messages; tampering is refused. Run with and without pickling between messages.
#include <hush/testing/olm_peer.hpp>

#include <gtest/gtest.h>

#include <string>

namespace hush::testing {
namespace {

Bytes text(const std::string& s) { return to_bytes(std::string_view(s)); }

class OlmPeerTest : public ::testing::TestWithParam<bool> {
 protected:
  OlmPeerOptions options() const { return OlmPeerOptions{GetParam()}; }
};

TEST_P(OlmPeerTest, SessionFromOneTimeKeyBothWays) {
  OlmPeer alice(1, options()), bob(2, options());
  EXPECT_EQ(alice.identity_key().size(), 43u);  // 32 bytes, unpadded base64
  EXPECT_EQ(alice.signing_key().size(), 43u);
  std::string otk = bob.new_one_time_key();
  ASSERT_EQ(otk.size(), 43u);
  ASSERT_TRUE(alice.create_outbound_session("bob", bob.identity_key(), otk)) << alice.last_error();

  // Until Bob answers, Alice's messages are pre-key messages.
  for (int i = 0; i < 3; ++i) {
    OlmCiphertext m = alice.encrypt("bob", text("hello " + std::to_string(i)));
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(m.type, kOlmPreKeyMessage);
    OlmPlaintext got = bob.decrypt("alice", m.type, m.body);
    ASSERT_TRUE(got.ok) << got.error;
    EXPECT_EQ(got.plaintext, text("hello " + std::to_string(i)));
  }
  for (int i = 0; i < 50; ++i) {
    OlmCiphertext r = bob.encrypt("alice", text("pong " + std::to_string(i)));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.type, kOlmMessage);
    OlmPlaintext got = alice.decrypt("bob", r.type, r.body);
    ASSERT_TRUE(got.ok) << got.error;
    EXPECT_EQ(got.plaintext, text("pong " + std::to_string(i)));
    OlmCiphertext m = alice.encrypt("bob", text("ping " + std::to_string(i)));
    ASSERT_TRUE(m.ok);
    EXPECT_EQ(m.type, kOlmMessage);
    got = bob.decrypt("alice", m.type, m.body);
    ASSERT_TRUE(got.ok) << got.error;
    EXPECT_EQ(got.plaintext, text("ping " + std::to_string(i)));
  }
}

TEST_P(OlmPeerTest, TamperedMessageIsRefusedAndChangesNothing) {
  OlmPeer alice(1, options()), bob(2, options());
  ASSERT_TRUE(alice.create_outbound_session("bob", bob.identity_key(), bob.new_one_time_key()));
  OlmCiphertext first = alice.encrypt("bob", text("first"));
  ASSERT_TRUE(bob.decrypt("alice", first.type, first.body).ok);
  OlmCiphertext r = bob.encrypt("alice", text("reply"));
  std::string bad = r.body;
  bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
  OlmPlaintext refused = alice.decrypt("bob", r.type, bad);
  EXPECT_FALSE(refused.ok);
  EXPECT_FALSE(refused.error.empty());
  OlmPlaintext got = alice.decrypt("bob", r.type, r.body);
  ASSERT_TRUE(got.ok) << got.error;
  EXPECT_EQ(got.plaintext, text("reply"));
}

TEST_P(OlmPeerTest, MegolmBothWays) {
  OlmPeer alice(1, options()), bob(2, options());
  ASSERT_TRUE(bob.add_inbound_group_session("room", "alice", alice.create_group_session("room")));
  ASSERT_TRUE(alice.add_inbound_group_session("room", "bob", bob.create_group_session("room")));
  for (int i = 0; i < 20; ++i) {
    OlmCiphertext m = alice.group_encrypt("room", text("from alice " + std::to_string(i)));
    ASSERT_TRUE(m.ok) << m.error;
    OlmPlaintext got = bob.group_decrypt("room", "alice", m.body);
    ASSERT_TRUE(got.ok) << got.error;
    EXPECT_EQ(got.plaintext, text("from alice " + std::to_string(i)));
    OlmCiphertext r = bob.group_encrypt("room", text("from bob " + std::to_string(i)));
    ASSERT_TRUE(r.ok) << r.error;
    got = alice.group_decrypt("room", "bob", r.body);
    ASSERT_TRUE(got.ok) << got.error;
    EXPECT_EQ(got.plaintext, text("from bob " + std::to_string(i)));
  }
  OlmCiphertext m = alice.group_encrypt("room", text("signed"));
  std::string bad = m.body;
  bad[10] = bad[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(bob.group_decrypt("room", "alice", bad).ok);
  EXPECT_TRUE(bob.group_decrypt("room", "alice", m.body).ok);
  EXPECT_FALSE(bob.group_decrypt("room", "carol", m.body).ok);
}

INSTANTIATE_TEST_SUITE_P(Persistence, OlmPeerTest, ::testing::Values(true, false),
                         [](const auto& p) { return p.param ? "Pickled" : "Live"; });

}  // namespace
}  // namespace hush::testing
