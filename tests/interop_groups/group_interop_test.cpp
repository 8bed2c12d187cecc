// Sender Keys interop with libsignal-protocol-c 2.3.3's group_session_builder
// and group_cipher: distribution both ways, 500 messages each way delivered
// out of order, duplicates, and tampered or unsigned messages refused by both.
#include "group_member.hpp"

#include <hush/testing/libsignal_peer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace hush::signal {
namespace {
using testing::GroupMember;
using testing::LibsignalPeer;
namespace sg = testing::sg;

constexpr std::string_view kGroup = "interop group";
constexpr int kMessages = 500;

std::string text(int i) { return "group message " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 37), '.'); }

// A delivery order that shuffles within windows of 64 (the receivers keep 2000 keys).
std::vector<std::size_t> shuffled_order(std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 gen(seed);
  for (std::size_t start = 0; start < n; start += 64) {
    std::shuffle(order.begin() + static_cast<std::ptrdiff_t>(start),
                 order.begin() + static_cast<std::ptrdiff_t>(std::min(n, start + 64)), gen);
  }
  return order;
}

TEST(GroupInterop, HushSendsAndLibsignalReads500OutOfOrder) {
  GroupMember alice("alice", 51);
  LibsignalPeer bob(52, 2222);
  auto skdm = alice.distribution(kGroup);
  ASSERT_EQ(bob.process_sender_key_distribution(kGroup, "alice", 1, skdm.serialized().expose()), sg::kSuccess);
  std::vector<Bytes> sent;
  for (int i = 0; i < kMessages; ++i) sent.push_back(alice.send(kGroup, text(i)));
  for (std::size_t i : shuffled_order(sent.size(), 1)) {
    auto got = bob.group_decrypt(kGroup, "alice", 1, sent[i]);
    ASSERT_EQ(got.rc, sg::kSuccess) << "message " << i;
    EXPECT_EQ(to_string(got.plaintext), text(static_cast<int>(i)));
  }
  EXPECT_EQ(bob.group_decrypt(kGroup, "alice", 1, sent[17]).rc, sg::kErrDuplicateMessage);
}

TEST(GroupInterop, LibsignalSendsAndHushReads500OutOfOrder) {
  LibsignalPeer carol(53, 3333);
  GroupMember bob("bob", 54);
  const GroupMember carol_address("carol", 0);  // only its address is used
  auto skdm_bytes = carol.create_sender_key_distribution(kGroup, "carol", 1);
  ASSERT_EQ(skdm_bytes.rc, sg::kSuccess);
  ASSERT_EQ(skdm_bytes.type, sg::kSenderKeyDistributionMessage);
  auto skdm = SenderKeyDistributionMessage::deserialize(skdm_bytes.serialized);
  ASSERT_TRUE(skdm) << errc_name(skdm.code());
  ASSERT_TRUE(bob.accept(kGroup, carol_address, *skdm));
  std::vector<Bytes> sent;
  for (int i = 0; i < kMessages; ++i) {
    const std::string t = text(i);
    auto m = carol.group_encrypt(kGroup, "carol", 1, as_bytes(t));
    ASSERT_EQ(m.rc, sg::kSuccess);
    ASSERT_EQ(m.type, sg::kSenderKeyMessage);
    sent.push_back(m.serialized);
  }
  for (std::size_t i : shuffled_order(sent.size(), 2)) {
    auto got = bob.receive(kGroup, carol_address, sent[i]);
    ASSERT_TRUE(got) << "message " << i << ": " << errc_name(got.code());
    EXPECT_EQ(*got, text(static_cast<int>(i)));
  }
  EXPECT_EQ(bob.receive(kGroup, carol_address, sent[17]).code(), Errc::duplicate_message);
}

TEST(GroupInterop, MixedGroupBothDirectionsInterleaved) {
  GroupMember alice("alice", 55);
  LibsignalPeer bob(56, 4444);
  const GroupMember bob_address("bob", 0);
  ASSERT_EQ(bob.process_sender_key_distribution(kGroup, "alice", 1, alice.distribution(kGroup).serialized().expose()),
            sg::kSuccess);
  auto skdm = SenderKeyDistributionMessage::deserialize(bob.create_sender_key_distribution(kGroup, "bob", 1).serialized);
  ASSERT_TRUE(skdm);
  ASSERT_TRUE(alice.accept(kGroup, bob_address, *skdm));
  for (int i = 0; i < 50; ++i) {
    auto got = bob.group_decrypt(kGroup, "alice", 1, alice.send(kGroup, text(i)));
    ASSERT_EQ(got.rc, sg::kSuccess);
    EXPECT_EQ(to_string(got.plaintext), text(i));
    const std::string reply = "reply " + std::to_string(i);
    auto m = bob.group_encrypt(kGroup, "bob", 1, as_bytes(reply));
    ASSERT_EQ(m.rc, sg::kSuccess);
    EXPECT_EQ(*alice.receive(kGroup, bob_address, m.serialized), reply);
  }
}

Bytes flip(Bytes b, std::size_t at) {
  b[at] ^= 0x01;
  return b;
}

TEST(GroupInterop, TamperedAndUnsignedHushMessagesAreRefusedByLibsignal) {
  GroupMember alice("alice", 57);
  LibsignalPeer bob(58, 5555);
  ASSERT_EQ(bob.process_sender_key_distribution(kGroup, "alice", 1, alice.distribution(kGroup).serialized().expose()),
            sg::kSuccess);
  Bytes m = alice.send(kGroup, "genuine");
  EXPECT_EQ(bob.group_decrypt(kGroup, "alice", 1, flip(m, m.size() - 70)).rc, sg::kErrInvalidMessage);  // ciphertext
  EXPECT_EQ(bob.group_decrypt(kGroup, "alice", 1, flip(m, m.size() - 1)).rc, sg::kErrInvalidMessage);   // signature
  Bytes zero_sig = m;
  std::fill(zero_sig.end() - 64, zero_sig.end(), 0);
  EXPECT_EQ(bob.group_decrypt(kGroup, "alice", 1, zero_sig).rc, sg::kErrInvalidMessage);
  EXPECT_NE(bob.group_decrypt(kGroup, "alice", 1, Bytes(m.begin(), m.end() - 64)).rc, sg::kSuccess);
  auto ok = bob.group_decrypt(kGroup, "alice", 1, m);
  ASSERT_EQ(ok.rc, sg::kSuccess);
  EXPECT_EQ(to_string(ok.plaintext), "genuine");
}

TEST(GroupInterop, TamperedAndUnsignedLibsignalMessagesAreRefusedByHush) {
  LibsignalPeer carol(59, 6666);
  GroupMember bob("bob", 60);
  const GroupMember carol_address("carol", 0);
  auto skdm = SenderKeyDistributionMessage::deserialize(carol.create_sender_key_distribution(kGroup, "carol", 1).serialized);
  ASSERT_TRUE(skdm);
  ASSERT_TRUE(bob.accept(kGroup, carol_address, *skdm));
  auto sent = carol.group_encrypt(kGroup, "carol", 1, as_bytes("genuine"));
  ASSERT_EQ(sent.rc, sg::kSuccess);
  const Bytes& m = sent.serialized;
  const Bytes before = bob.record_bytes(kGroup, carol_address);
  EXPECT_EQ(bob.receive(kGroup, carol_address, flip(m, m.size() - 70)).code(), Errc::bad_signature);
  EXPECT_EQ(bob.receive(kGroup, carol_address, flip(m, m.size() - 1)).code(), Errc::bad_signature);
  Bytes zero_sig = m;
  std::fill(zero_sig.end() - 64, zero_sig.end(), 0);
  EXPECT_EQ(bob.receive(kGroup, carol_address, zero_sig).code(), Errc::bad_signature);
  EXPECT_FALSE(bob.receive(kGroup, carol_address, Bytes(m.begin(), m.end() - 64)));
  EXPECT_EQ(bob.record_bytes(kGroup, carol_address), before);
  EXPECT_EQ(*bob.receive(kGroup, carol_address, m), "genuine");
}

// A documented difference: libsignal-protocol-c refuses a gap of more than
// 2000 messages in a sender chain; Hush accepts up to kMaxSenderKeyForwardJumps (25000).
TEST(GroupInterop, LibsignalRefusesGapsAbove2000ThatHushAccepts) {
  GroupMember alice("alice", 61);
  LibsignalPeer bob(62, 7777);
  GroupMember carol("carol", 63);
  auto skdm = alice.distribution(kGroup);
  ASSERT_EQ(bob.process_sender_key_distribution(kGroup, "alice", 1, skdm.serialized().expose()), sg::kSuccess);
  ASSERT_TRUE(carol.accept(kGroup, alice, skdm));
  Bytes last;
  for (int i = 0; i <= 2001; ++i) last = alice.send(kGroup, "m");  // iteration 2001
  EXPECT_EQ(bob.group_decrypt(kGroup, "alice", 1, last).rc, sg::kErrInvalidMessage);
  EXPECT_EQ(*carol.receive(kGroup, alice, last), "m");
}

// A documented difference: libsignal-protocol-c 2.3.3 files a repeated
// distribution message as a second state at its old iteration, found first by
// chain id, so messages already read decrypt again. Hush keeps its progress.
TEST(GroupInterop, RepeatedDistributionRewindsLibsignalButNotHush) {
  GroupMember alice("alice", 64), carol("carol", 66);
  LibsignalPeer bob(65, 8888);
  auto skdm = alice.distribution(kGroup);
  ASSERT_EQ(bob.process_sender_key_distribution(kGroup, "alice", 1, skdm.serialized().expose()), sg::kSuccess);
  ASSERT_TRUE(carol.accept(kGroup, alice, skdm));
  Bytes m = alice.send(kGroup, "read once");
  ASSERT_EQ(bob.group_decrypt(kGroup, "alice", 1, m).rc, sg::kSuccess);
  ASSERT_EQ(*carol.receive(kGroup, alice, m), "read once");
  ASSERT_EQ(bob.process_sender_key_distribution(kGroup, "alice", 1, skdm.serialized().expose()), sg::kSuccess);
  ASSERT_TRUE(carol.accept(kGroup, alice, skdm));
  EXPECT_EQ(bob.group_decrypt(kGroup, "alice", 1, m).rc, sg::kSuccess);  // replay accepted by libsignal
  EXPECT_EQ(carol.receive(kGroup, alice, m).code(), Errc::duplicate_message);
}

}  // namespace
}  // namespace hush::signal
