// A newly linked device starts with its account's state (issue #16, item 6;
// docs/protocol.md §7.4): real hushd, SDK clients in temporary home folders.
// Alice and bob are contacts (alice verified bob) and in a group with carol;
// alice links a second device, which at once shows bob as verified, holds the
// group at alice's version, sends to the group and to bob, and receives the
// group's messages, with no other step. And trust cannot be injected: a
// provisioning message from anyone who knows only the relay address (hushd,
// or another account) is refused whole and the new device stores nothing.
#include "sdk_fixture.hpp"

#include <hush/client/client.hpp>
#include <hush/crypto/sha.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/util/base32.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace hush::client {
namespace {

using namespace std::chrono_literals;

class LinkedDeviceSync : public testing::SdkFixture {
 protected:
  LinkedDeviceSync() : SdkFixture("hush-link-sync") {}
  ClientOptions options(const std::string& who) override {
    ClientOptions o;
    o.pre_key_batch = 10;
    o.pre_key_low_water = 3;
    o.on_log = [this, who](std::string_view line) { logs_[who].emplace_back(line); };
    return o;
  }
  bool logged(const std::string& who, std::string_view needle) {
    return std::any_of(logs_[who].begin(), logs_[who].end(),
                       [&](const std::string& l) { return l.find(needle) != std::string::npos; });
  }
  /// Everything pending for `name`, shown or not.
  void drain(const std::string& name) {
    for (;;) {
      auto got = at(name).receive(0s);
      ASSERT_TRUE(got) << name << ": " << errc_name(got.code());
      if (got->empty()) return;
    }
  }
  /// Receives on `c` until `n` messages with a text came (notices skipped), or 15 s passed.
  std::vector<ReceivedMessage> texts(Client& c, std::size_t n) {
    std::vector<ReceivedMessage> out;
    const auto until = std::chrono::steady_clock::now() + 15s;
    while (out.size() < n && std::chrono::steady_clock::now() < until) {
      auto got = c.receive(1s);
      EXPECT_TRUE(got) << errc_name(got.code());
      if (!got) break;
      for (auto& m : *got) {
        if (!m.notice && !m.failure) out.push_back(std::move(m));
      }
    }
    return out;
  }
  std::map<std::string, std::vector<std::string>> logs_;
};

const Contact* find_contact(const std::vector<Contact>& all, std::string_view name) {
  auto it = std::find_if(all.begin(), all.end(), [&](const Contact& c) { return c.username == name; });
  return it == all.end() ? nullptr : &*it;
}

TEST_F(LinkedDeviceSync, ANewDeviceHasTheContactsMarksAndGroupsAndTakesPartAtOnce) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  Client& carol = registered("carol");
  ASSERT_TRUE(alice.send_text("bob", "hi bob"));
  ASSERT_EQ(texts(bob, 1).size(), 1u);
  ASSERT_TRUE(alice.verify("bob"));  // compared out of band; carol is not
  auto made = alice.group_create("trio", {"bob", "carol"});
  ASSERT_TRUE(made) << errc_name(made.code());
  ASSERT_TRUE(alice.group_rename("trio", "the trio"));
  ASSERT_NO_FATAL_FAILURE(drain("bob"));
  ASSERT_NO_FATAL_FAILURE(drain("carol"));
  ASSERT_TRUE(alice.group_send("the trio", "before the new device"));
  ASSERT_EQ(texts(bob, 1).size(), 1u);
  ASSERT_EQ(texts(carol, 1).size(), 1u);

  Client& alice2 = linked("alice", "alice2", 20s);
  ASSERT_TRUE(alice2.whoami());
  EXPECT_TRUE(logged("alice", "event=link_account_state contacts=2 groups=1 omitted=0"));

  // What alice had, alice2 has: bob verified, carol known but not verified,
  // the same safety numbers (one identity), the group at the same version.
  auto contacts = alice2.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 2u);
  ASSERT_NE(find_contact(*contacts, "bob"), nullptr);
  ASSERT_NE(find_contact(*contacts, "carol"), nullptr);
  EXPECT_TRUE(find_contact(*contacts, "bob")->verified);
  EXPECT_FALSE(find_contact(*contacts, "carol")->verified);
  auto sn1 = alice.safety_number("bob");
  auto sn2 = alice2.safety_number("bob");
  ASSERT_TRUE(sn1 && sn2);
  EXPECT_TRUE(sn2->verified);
  EXPECT_FALSE(sn2->identity_changed);
  EXPECT_EQ(sn2->digits, sn1->digits);
  auto g1 = alice.group_info("the trio");
  auto g2 = alice2.group_info("the trio");
  ASSERT_TRUE(g1 && g2) << errc_name(g2.code());
  EXPECT_EQ(g2->id, g1->id);
  EXPECT_EQ(g2->version, 2u);
  EXPECT_EQ(g2->members, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(g2->admins, g1->admins);
  ASSERT_EQ(g2->history.size(), g1->history.size());
  EXPECT_EQ(g2->history.back().action, g1->history.back().action);

  // alice2 sends to the group and to bob with no other step; bob and carol
  // read it, and alice's first device sees its own account's messages.
  auto to_group = alice2.group_send("the trio", "from alice's new device");
  ASSERT_TRUE(to_group) << errc_name(to_group.code()) << " " << (to_group ? "" : to_group.error().context);
  EXPECT_TRUE(to_group->refused.empty());
  for (Client* c : {&bob, &carol}) {
    auto got = texts(*c, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(text(got[0]), "from alice's new device");
    EXPECT_EQ(got[0].sender, "alice");
    EXPECT_EQ(got[0].sender_device, 2u);
    EXPECT_EQ(got[0].group_name, "the trio");
  }
  ASSERT_TRUE(alice2.send_text("bob", "and to you alone"));
  auto one = texts(bob, 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(text(one[0]), "and to you alone");
  EXPECT_EQ(one[0].sender, "alice");
  EXPECT_FALSE(one[0].group_id.has_value());
  auto own = texts(alice, 2);
  std::multiset<std::string> seen_by_alice;
  for (const auto& m : own) seen_by_alice.insert(text(m));
  EXPECT_EQ(seen_by_alice, (std::multiset<std::string>{"from alice's new device", "and to you alone"}));

  // The members' next group messages reach alice2 (their device lists are
  // repaired on send, §8.5), and it reads them.
  ASSERT_TRUE(bob.group_send("the trio", "bob to everyone"));
  ASSERT_TRUE(carol.group_send("the trio", "carol to everyone"));
  std::multiset<std::string> seen_by_alice2;
  for (const auto& m : texts(alice2, 2)) seen_by_alice2.insert(m.sender + ":" + text(m));
  EXPECT_EQ(seen_by_alice2, (std::multiset<std::string>{"bob:bob to everyone", "carol:carol to everyone"}));
  // Still nothing asks alice2 to trust anyone again.
  auto after = alice2.contacts();
  ASSERT_TRUE(after);
  for (const auto& c : *after) EXPECT_FALSE(c.identity_changed) << c.username;
}

/// The code hushd could make from what it sees: the waiting socket's
/// address from the real code, with the attacker's own key and a checksum
/// that matches (docs/protocol.md §7.4: the checksum only catches typos).
std::string code_with_key(const std::string& real_code, const crypto::PublicKey& key) {
  auto decoded = base32_decode(real_code);
  EXPECT_TRUE(decoded);
  Bytes bytes = decoded ? *decoded : Bytes{};
  bytes.resize(16);  // the address
  const Bytes k = key.serialize();
  bytes.insert(bytes.end(), k.begin() + 1, k.end());  // the u-coordinate
  Bytes in = to_bytes(std::string_view("hush link code v2"));
  in.insert(in.end(), bytes.begin(), bytes.end());
  const auto sum = crypto::sha256(in);
  bytes.insert(bytes.end(), sum.begin(), sum.begin() + 3);
  return base32_encode(bytes);
}

TEST_F(LinkedDeviceSync, AProvisioningMessageFromAnyoneButTheCodesHolderIsRefusedAndNothingIsStored) {
  Client& alice = registered("alice");
  registered("bob");
  Client& mallory = registered("mallory");
  ASSERT_TRUE(alice.send_text("bob", "hi"));
  ASSERT_TRUE(mallory.send_text("bob", "hi, I am bob's friend"));
  ASSERT_TRUE(mallory.verify("bob"));  // the mark mallory would like alice's new device to take

  Client& alice2 = created("alice2");
  auto offer = alice2.link_begin(next_url(), ca());
  ASSERT_TRUE(offer) << errc_name(offer.code());
  // Mallory (standing for hushd, which sees the address but never the key)
  // seals its own account state to a key of its choosing at that address.
  hush::testing::DeterministicRng rng(99);
  const auto forged = code_with_key(offer->code, crypto::KeyPair::generate(rng).public_key);
  ASSERT_NE(forged, offer->code);
  ASSERT_TRUE(mallory.approve_device(forged));  // the relay hands it over: it cannot tell
  auto done = alice2.link_complete(20s);
  EXPECT_EQ(done.code(), Errc::bad_mac);
  EXPECT_EQ(alice2.whoami().code(), Errc::not_found);  // not registered
  auto contacts = alice2.contacts();
  ASSERT_TRUE(contacts);
  EXPECT_TRUE(contacts->empty());  // no key, no mark, no group taken from it
  auto groups = alice2.groups();
  ASSERT_TRUE(groups);
  EXPECT_TRUE(groups->empty());

  // A new code, approved by alice: the real state arrives.
  auto again = alice2.link_begin(next_url(), ca());
  ASSERT_TRUE(again);
  ASSERT_TRUE(alice.approve_device(again->code));
  ASSERT_TRUE(alice2.link_complete(20s));
  auto now = alice2.contacts();
  ASSERT_TRUE(now);
  ASSERT_EQ(now->size(), 1u);
  EXPECT_EQ((*now)[0].username, "bob");
  EXPECT_FALSE((*now)[0].verified);  // alice never verified bob
}

}  // namespace
}  // namespace hush::client
