// Forward secrecy of group messages: a receiver's stored record, stolen after
// it has read some messages, opens none of them: their message keys and the
// chain keys that led to them are gone, and only later keys remain.
#include "group_member.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace hush::signal {
namespace {
using testing::GroupMember;

constexpr std::string_view kGroup = "sources";

bool contains(const Bytes& haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

TEST(GroupForwardSecrecy, StolenRecordOpensNoMessageAlreadyRead) {
  GroupMember alice("alice", 41), bob("bob", 42);
  auto skdm = alice.distribution(kGroup);
  ASSERT_TRUE(bob.accept(kGroup, alice, skdm));
  std::vector<Bytes> m;
  for (int i = 0; i < 8; ++i) m.push_back(alice.send(kGroup, "secret " + std::to_string(i)));
  // Bob reads 0..4 and 6; 5 and 7 are still in flight.
  for (int i : {0, 1, 2, 3, 4, 6}) ASSERT_TRUE(bob.receive(kGroup, alice, m[static_cast<std::size_t>(i)]));

  // The attacker seizes Bob's device: a copy of his record.
  const Bytes stolen = bob.record_bytes(kGroup, alice);
  GroupMember attacker("bob", 99);
  attacker.store.put_raw({std::string(kGroup), alice.address}, SecretBuffer(stolen));
  for (int i : {0, 1, 2, 3, 4, 6}) {
    EXPECT_EQ(attacker.receive(kGroup, alice, m[static_cast<std::size_t>(i)]).code(), Errc::duplicate_message) << i;
  }
  // No chain key or message-key seed of a read message is in the record.
  SenderChainKey chain = skdm.chain_key().clone();
  for (int i = 0; i < 8; ++i) {
    // Only message 5's key is stored (skipped); message 7's is still ahead in the chain.
    const bool stored = i == 5;
    // CK_7 is the chain's present key (message 7 is unread); all before it are gone.
    EXPECT_EQ(contains(stolen, chain.key().expose()), i == 7) << "chain key " << i;
    auto seed = chain.message_key().seed.clone();
    EXPECT_EQ(contains(stolen, seed.expose()), stored) << "message key " << i;
    chain = chain.next();
  }
  // What was not yet read stays readable, for Bob as for the thief.
  EXPECT_EQ(*bob.receive(kGroup, alice, m[5]), "secret 5");
  EXPECT_EQ(*attacker.receive(kGroup, alice, m[7]), "secret 7");
}

}  // namespace
}  // namespace hush::signal
