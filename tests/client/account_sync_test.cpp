// The account state a linking device seals into the provisioning message
// (client/src/sdk/account_sync, docs/protocol.md §7.4): exported from one
// store and imported into another it keeps every accepted key, verified mark,
// directory entry and group, and leaves out what only the first device owns;
// a hostile or damaged state is refused whole; a large account stays within
// the relay's limit, groups first.
#include "store_fixture.hpp"

#include "account_sync.hpp"
#include "sdk_frame.pb.h"

#include <hush/client/content/content.hpp>
#include <hush/client/store/account_address.hpp>
#include <hush/client/store/directory.hpp>
#include <hush/client/store/group_store.hpp>
#include <hush/client/store/identity_store.hpp>
#include <hush/client/store/unresolved_peers.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

namespace hush::client::fixture {
namespace {

/// One device's stores over a fresh home.
struct Device {
  explicit Device(const TempHome& home) : store(create_store(home.home(), "pw")) {
    EXPECT_TRUE(store::ensure_sdk_tables(*store));
    EXPECT_TRUE(store::ensure_group_tables(*store));
  }
  std::unique_ptr<store::LocalStore> store;
  store::SqliteIdentityKeyStore identities{*store};
  store::Directory directory{*store};
  store::GroupStore groups{*store};
};

class AccountSync : public ::testing::Test {
 protected:
  signal::IdentityKey new_key() { return signal::IdentityKeyPair::generate(rng_).public_key; }
  static signal::ProtocolAddress at(const std::string& name) { return {name, signal::DeviceId{1}}; }
  store::GroupRecord sample_group() {
    store::GroupRecord g;
    g.id = Bytes(content::kGroupIdSize, 0x42);
    g.name = "trio";
    g.members = {"alice", "bob", "carol"};
    g.admins = {"alice"};
    g.version = 2;
    g.history = {{1, "alice", content::GroupAction::create, {}, "trio", 10},
                 {2, "alice", content::GroupAction::add, {"carol"}, "trio", 20}};
    content::GroupChange c;
    c.group_id = g.id;
    c.version = 2;
    c.author = "alice";
    c.action = content::GroupAction::add;
    c.subjects = {"carol"};
    c.members = g.members;
    c.admins = g.admins;
    c.name = g.name;
    c.timestamp_ms = 20;
    c.signature = Bytes(64, 0x5a);
    g.recent_changes.push_back(*content::serialize_group_change(c));
    g.has_previous = true;
    g.previous_members = {"alice", "bob"};
    g.previous_admins = {"alice"};
    g.previous_name = "trio";
    g.key_holders = {{"bob", signal::DeviceId{1}}};            // the first device's own
    g.warnings = {{5, "only the first device was told this"}};  // the same
    return g;
  }
  /// 0x05 ‖ u = 0: a point of small order, refused by full key validation.
  static std::string small_order_key() {
    std::string k(33, '\0');
    k[0] = '\x05';
    return k;
  }
  /// What travels: `p` serialized and parsed again, as the relay would carry it.
  static client_sdk::Provisioning carried(const client_sdk::Provisioning& p) {
    client_sdk::Provisioning out;
    EXPECT_TRUE(out.ParseFromString(p.SerializeAsString()));
    return out;
  }

  hush::testing::DeterministicRng rng_{7};
  TempHome first_home_;
  TempHome second_home_;
};

TEST_F(AccountSync, KeysMarksDirectoryAndGroupsReachTheNewDevice) {
  Device first(first_home_);
  const auto bob = new_key();
  const auto carol = new_key();
  ASSERT_TRUE(first.identities.save_identity(at("bob"), bob));
  ASSERT_TRUE(first.identities.mark_verified("bob", bob));
  ASSERT_TRUE(first.identities.save_identity(at("carol"), carol));
  ASSERT_TRUE(first.identities.save_identity(at("alice"), new_key()));  // our own: not carried
  const Bytes bob_account(16, 0xb0);
  ASSERT_TRUE(first.directory.put(bob_account, "bob"));
  ASSERT_TRUE(first.groups.put(sample_group()));

  client_sdk::Provisioning p;
  auto summary = sdk::export_account_state(first.identities, first.directory, first.groups, "alice", p);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->contacts, 2u);
  EXPECT_EQ(summary->groups, 1u);
  EXPECT_EQ(summary->omitted, 0u);
  auto state = sdk::parse_account_state(carried(p));
  ASSERT_TRUE(state) << errc_name(state.code());

  Device second(second_home_);
  ASSERT_TRUE(second.store->transaction(
      [&] { return sdk::import_account_state(*second.store, *state, second.identities, second.directory, second.groups); }));
  // Contacts are kept by account address (store/account_address.hpp); one
  // carried without an account id keeps its username until a lookup.
  const std::string bob_address = store::account_address(bob_account);
  auto b = second.identities.contact(bob_address);
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->key, bob);
  EXPECT_TRUE((*b)->verified);
  EXPECT_FALSE((*b)->pending_key);
  auto c = second.identities.contact("carol");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->key, carol);
  EXPECT_FALSE((*c)->verified);
  EXPECT_FALSE(*second.identities.contact("alice"));
  EXPECT_EQ(*second.directory.account_of("bob"), std::optional<Bytes>(bob_account));
  EXPECT_FALSE(*second.directory.account_of("carol"));
  EXPECT_EQ(*store::unresolved_peers(*second.store), std::vector<std::string>{"carol"});
  // The new device trusts exactly the carried keys: another key for bob is refused.
  EXPECT_TRUE(*second.identities.is_trusted_identity(at(bob_address), bob, signal::Direction::sending));
  EXPECT_FALSE(*second.identities.is_trusted_identity(at(bob_address), new_key(), signal::Direction::sending));

  auto g = second.groups.get(Bytes(content::kGroupIdSize, 0x42));
  ASSERT_TRUE(g && *g);
  const auto want = sample_group();
  EXPECT_EQ((*g)->name, want.name);
  EXPECT_EQ((*g)->members, want.members);
  EXPECT_EQ((*g)->admins, want.admins);
  EXPECT_EQ((*g)->version, want.version);
  EXPECT_TRUE((*g)->active);
  ASSERT_EQ((*g)->history.size(), 2u);
  EXPECT_EQ((*g)->history[1].subjects, std::vector<std::string>{"carol"});
  EXPECT_EQ((*g)->recent_changes, want.recent_changes);
  EXPECT_TRUE((*g)->has_previous);
  EXPECT_EQ((*g)->previous_members, want.previous_members);
  EXPECT_TRUE((*g)->key_holders.empty());  // the new device's Sender Key reached nobody yet
  EXPECT_TRUE((*g)->warnings.empty());
}

TEST_F(AccountSync, AHostileOrDamagedStateIsRefusedWhole) {
  Device first(first_home_);
  ASSERT_TRUE(first.identities.save_identity(at("bob"), new_key()));
  ASSERT_TRUE(first.groups.put(sample_group()));
  client_sdk::Provisioning good;
  ASSERT_TRUE(sdk::export_account_state(first.identities, first.directory, first.groups, "alice", good));
  ASSERT_TRUE(sdk::parse_account_state(good));

  auto refused = [&](const std::function<void(client_sdk::Provisioning&)>& spoil) {
    client_sdk::Provisioning p = good;
    spoil(p);
    auto parsed = sdk::parse_account_state(p);
    return parsed ? Errc::ok : parsed.code();
  };
  EXPECT_EQ(refused([](auto& p) { p.mutable_contacts(0)->set_identity_key(small_order_key()); }), Errc::bad_key);
  EXPECT_EQ(refused([](auto& p) { p.mutable_contacts(0)->set_identity_key("short"); }), Errc::bad_length);
  EXPECT_EQ(refused([](auto& p) { p.mutable_contacts(0)->set_username("Bob"); }), Errc::invalid_message);
  EXPECT_EQ(refused([](auto& p) { p.mutable_contacts(0)->set_username(""); }), Errc::invalid_message);
  EXPECT_EQ(refused([](auto& p) { p.mutable_contacts(0)->set_account_id(std::string(15, 'a')); }), Errc::bad_length);
  EXPECT_EQ(refused([](auto& p) { p.mutable_groups(0)->set_group_id(std::string(31, 'g')); }), Errc::bad_length);
  EXPECT_EQ(refused([](auto& p) { p.mutable_groups(0)->add_admins("mallory"); }), Errc::invalid_message);
  EXPECT_EQ(refused([](auto& p) { p.mutable_groups(0)->set_version(0); }), Errc::invalid_message);
  EXPECT_EQ(refused([](auto& p) { p.mutable_groups(0)->mutable_history(0)->set_action(9); }), Errc::invalid_message);
  EXPECT_EQ(refused([](auto& p) { p.mutable_groups(0)->set_signed_changes(0, "not a change"); }), Errc::decode_error);
  EXPECT_EQ(refused([](auto& p) { p.mutable_groups(0)->set_name(std::string(200, 'n')); }), Errc::invalid_message);
  // A signed change of another group would be forwarded as this one's.
  auto other = sample_group();
  other.id = Bytes(content::kGroupIdSize, 0x43);
  auto other_change = content::parse_group_change(other.recent_changes[0]);
  ASSERT_TRUE(other_change);
  other_change->group_id = other.id;
  const Bytes foreign = *content::serialize_group_change(*other_change);
  EXPECT_EQ(refused([&](auto& p) {
              p.mutable_groups(0)->set_signed_changes(0, std::string(foreign.begin(), foreign.end()));
            }),
            Errc::invalid_message);
}

TEST_F(AccountSync, ALargeAccountStaysWithinTheRelayLimitGroupsAndVerifiedContactsFirst) {
  Device first(first_home_);
  ASSERT_TRUE(first.groups.put(sample_group()));
  // About 70 bytes a contact: 1,500 of them are more than one message holds.
  ASSERT_TRUE(first.store->transaction([&]() -> Status {
    for (int i = 0; i < 1500; ++i) {
      const std::string name = "user" + std::to_string(i);
      HUSH_TRY(first.identities.save_identity(at(name), new_key()));
      HUSH_TRY(first.directory.put(Bytes(16, static_cast<std::uint8_t>(i)), name));
    }
    return ok();
  }));
  const auto late = new_key();  // sorts last by name, but verified: carried before the others
  ASSERT_TRUE(first.identities.save_identity(at("zz_verified"), late));
  ASSERT_TRUE(first.identities.mark_verified("zz_verified", late));

  client_sdk::Provisioning p;
  auto summary = sdk::export_account_state(first.identities, first.directory, first.groups, "alice", p);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->groups, 1u);
  EXPECT_GT(summary->omitted, 0u);
  EXPECT_EQ(summary->contacts + summary->omitted, 1501u);  // the group is not omitted
  EXPECT_LE(p.ByteSizeLong(), sdk::kMaxAccountSyncBytes);
  ASSERT_GT(p.contacts_size(), 0);
  EXPECT_EQ(p.contacts(0).username(), "zz_verified");
  EXPECT_TRUE(sdk::parse_account_state(p));
}

TEST_F(AccountSync, AGroupCarriesItsNewestSignedChangesOnlyAndItsSizeIsAsDocumented) {
  // docs/protocol.md §7.4 gives these sizes: about 70 bytes a contact, 2.3 KB
  // a group of 20 members and 7 KB one of 100 (usernames of 8 characters, 20
  // changes of history, 64 signed changes kept of which 4 are carried).
  for (const std::size_t members : {20u, 100u}) {
    TempHome home;
    Device first(home);
    store::GroupRecord g = sample_group();
    g.members.clear();
    for (std::size_t i = 0; i < members; ++i) g.members.push_back("member" + std::to_string(100 + i).substr(1));
    g.admins = {g.members[0]};
    auto change = *content::parse_group_change(g.recent_changes[0]);
    change.members = g.members;
    change.admins = g.admins;
    g.recent_changes.clear();
    for (std::uint32_t v = 1; v <= 64; ++v) {  // as many as a record keeps
      change.version = v;
      g.recent_changes.push_back(*content::serialize_group_change(change));
    }
    g.version = 64;
    g.history.resize(20, g.history[0]);
    g.previous_members = g.members;
    ASSERT_TRUE(first.groups.put(g));
    ASSERT_TRUE(first.identities.save_identity(at("someone1"), new_key()));
    ASSERT_TRUE(first.directory.put(Bytes(16, 1), "someone1"));
    client_sdk::Provisioning p;
    ASSERT_TRUE(sdk::export_account_state(first.identities, first.directory, first.groups, "alice", p));
    ASSERT_EQ(p.groups_size(), 1);
    ASSERT_EQ(p.groups(0).signed_changes_size(), 4);  // the newest four
    EXPECT_EQ(content::parse_group_change(as_bytes(p.groups(0).signed_changes(3)))->version, 64u);
    const std::size_t group_bytes = p.groups(0).ByteSizeLong();
    const std::size_t contact_bytes = p.contacts(0).ByteSizeLong();
    std::printf("synced sizes: contact %zu B, group of %zu members %zu B\n", contact_bytes, members, group_bytes);
    EXPECT_LE(contact_bytes, 70u);
    EXPECT_LE(group_bytes, members == 20 ? 2300u : 7100u);
    auto back = sdk::parse_account_state(carried(p));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->groups[0].members, g.members);
  }
}

}  // namespace
}  // namespace hush::client::fixture
