// Groups without a server: the membership rules (client/src/groups), the
// group content on the wire (GroupChange, SenderKeyDistribution, group ids on
// texts) and the group tables of the encrypted store.
#include "group_agreement.hpp"
#include "group_rules.hpp"

#include <hush/client/content/content.hpp>
#include <hush/client/store/group_store.hpp>
#include <hush/crypto/sha.hpp>
#include <hush/signal/group_session_builder.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <filesystem>

namespace hush::client {
namespace {

using content::GroupAction;
using content::GroupChange;
using groups::GroupState;
using groups::Refusal;
using Names = std::vector<std::string>;

store::GroupRecord group(Names members, Names admins, std::uint32_t version) {
  store::GroupRecord g;
  g.id = Bytes(content::kGroupIdSize, 7);
  g.name = "g";
  g.members = std::move(members);
  g.admins = std::move(admins);
  g.version = version;
  return g;
}

GroupChange change(const store::GroupRecord& g, GroupAction a, std::string author, Names subjects, Names members,
                   Names admins, std::uint32_t version) {
  GroupChange c;
  c.group_id = g.id;
  c.version = version;
  c.author = std::move(author);
  c.action = a;
  c.subjects = std::move(subjects);
  c.members = std::move(members);
  c.admins = std::move(admins);
  c.name = g.name;
  c.timestamp_ms = 1;
  return c;
}

TEST(GroupRules, NextStateFollowsTheRules) {
  GroupState s{{"alice", "bob", "carol"}, {"alice"}, "g"};
  auto add = groups::next_state(s, GroupAction::add, "alice", {"dave"}, "");
  ASSERT_TRUE(add);
  EXPECT_EQ(add->members, (Names{"alice", "bob", "carol", "dave"}));
  EXPECT_EQ(groups::next_state(s, GroupAction::add, "bob", {"dave"}, "").code(), Errc::forbidden);
  EXPECT_EQ(groups::next_state(s, GroupAction::add, "alice", {"bob"}, "").code(), Errc::invalid_argument);
  EXPECT_EQ(groups::next_state(s, GroupAction::add, "alice", {"x", "x"}, "").code(), Errc::invalid_argument);
  EXPECT_EQ(groups::next_state(s, GroupAction::remove, "alice", {"zed"}, "").code(), Errc::not_found);
  EXPECT_EQ(groups::next_state(s, GroupAction::remove, "alice", {"alice"}, "").code(), Errc::invalid_argument);
  auto rm = groups::next_state(s, GroupAction::remove, "alice", {"bob"}, "");
  ASSERT_TRUE(rm);
  EXPECT_EQ(rm->members, (Names{"alice", "carol"}));
  // Anyone may leave; the last admin leaving hands over to the first member.
  auto leave = groups::next_state(s, GroupAction::leave, "alice", {"alice"}, "");
  ASSERT_TRUE(leave);
  EXPECT_EQ(leave->members, (Names{"bob", "carol"}));
  EXPECT_EQ(leave->admins, (Names{"bob"}));
  EXPECT_EQ(groups::next_state(s, GroupAction::leave, "zed", {"zed"}, "").code(), Errc::forbidden);
  EXPECT_EQ(groups::next_state(s, GroupAction::rename, "alice", {}, "").code(), Errc::invalid_argument);
  EXPECT_EQ(groups::next_state(s, GroupAction::rename, "alice", {}, "new")->name, "new");
}

TEST(GroupRules, ReceivedChangesAreCheckedAgainstOurState) {
  auto g = group({"alice", "bob", "carol"}, {"alice"}, 3);
  auto good = change(g, GroupAction::remove, "alice", {"carol"}, {"alice", "bob"}, {"alice"}, 4);
  EXPECT_EQ(groups::check_change(&g, good, "alice", "bob"), Refusal::none);
  EXPECT_EQ(groups::check_change(&g, good, "carol", "bob"), Refusal::author_mismatch);
  auto replay = good;
  replay.version = 3;
  EXPECT_EQ(groups::check_change(&g, replay, "alice", "bob"), Refusal::stale_version);
  auto gap = good;
  gap.version = 6;
  EXPECT_EQ(groups::check_change(&g, gap, "alice", "bob"), Refusal::version_gap);
  auto forged = change(g, GroupAction::remove, "bob", {"carol"}, {"alice", "bob"}, {"alice"}, 4);
  EXPECT_EQ(groups::check_change(&g, forged, "bob", "carol"), Refusal::not_admin);
  auto outsider = change(g, GroupAction::add, "mallory", {"eve"}, {"alice", "bob", "carol", "eve"}, {"alice"}, 4);
  EXPECT_EQ(groups::check_change(&g, outsider, "mallory", "bob"), Refusal::not_member);
  auto lying = good;
  lying.members = {"alice", "bob", "eve"};  // the list does not follow from the action
  EXPECT_EQ(groups::check_change(&g, lying, "alice", "bob"), Refusal::state_mismatch);
  auto leave = change(g, GroupAction::leave, "carol", {"carol"}, {"alice", "bob"}, {"alice"}, 4);
  EXPECT_EQ(groups::check_change(&g, leave, "carol", "bob"), Refusal::none);  // no admin needed
  // Unknown groups: joined by a create or an add naming us, nothing else.
  auto create = change(g, GroupAction::create, "alice", {"bob"}, {"alice", "bob"}, {"alice"}, 1);
  EXPECT_EQ(groups::check_change(nullptr, create, "alice", "bob"), Refusal::none);
  EXPECT_EQ(groups::check_change(nullptr, create, "alice", "zed"), Refusal::not_for_us);
  auto add_me = change(g, GroupAction::add, "alice", {"dave"}, {"alice", "bob", "carol", "dave"}, {"alice"}, 4);
  EXPECT_EQ(groups::check_change(nullptr, add_me, "alice", "dave"), Refusal::none);
  EXPECT_EQ(groups::check_change(nullptr, add_me, "alice", "erin"), Refusal::not_for_us);
  EXPECT_EQ(groups::check_change(&g, create, "alice", "bob"), Refusal::stale_version);
}

TEST(GroupContent, RoundTripsAndRefusesMalformed) {
  testing::DeterministicRng rng(7);
  auto g = group({"alice", "bob"}, {"alice"}, 1);
  GroupChange c = change(g, GroupAction::add, "alice", {"bob"}, {"alice", "bob"}, {"alice"}, 2);
  c.history.push_back({1, "alice", GroupAction::create, {}, "g", 5});
  content::Content in{MessageId::generate(rng), 9, c};
  auto bytes = content::encode(in);
  ASSERT_TRUE(bytes);
  auto out = content::decode(bytes->expose());
  ASSERT_TRUE(out) << errc_name(out.code());
  auto* got = std::get_if<GroupChange>(&out->body);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->members, c.members);
  EXPECT_EQ(got->version, 2u);
  ASSERT_EQ(got->history.size(), 1u);
  EXPECT_EQ(got->history[0].action, GroupAction::create);

  // A group text carries its group id; a distribution carries its key.
  content::Content text{MessageId::generate(rng), 9, content::TextBody{SecretBuffer(as_bytes(std::string_view("hi")))},
                        g.id};
  auto t = content::decode(content::encode(text)->expose());
  ASSERT_TRUE(t);
  ASSERT_TRUE(t->group_id);
  EXPECT_EQ(*t->group_id, g.id);
  content::Content skd{MessageId::generate(rng), 9,
                       content::SenderKeyDistribution{g.id, SecretBuffer(as_bytes(std::string_view("key")))}};
  auto s = content::decode(content::encode(skd)->expose());
  ASSERT_TRUE(s);
  EXPECT_EQ(std::get<content::SenderKeyDistribution>(s->body).distribution.size(), 3u);

  // Unsorted members, admins not members, a short group id: refused on both sides.
  auto bad = c;
  bad.members = {"bob", "alice"};
  EXPECT_EQ(content::encode({MessageId::generate(rng), 9, bad}).code(), Errc::invalid_argument);
  bad = c;
  bad.admins = {"zed"};
  EXPECT_EQ(content::encode({MessageId::generate(rng), 9, bad}).code(), Errc::invalid_argument);
  bad = c;
  bad.group_id.resize(5);
  EXPECT_EQ(content::encode({MessageId::generate(rng), 9, bad}).code(), Errc::invalid_argument);
  content::Content receipt{MessageId::generate(rng), 9, content::Receipt{content::Receipt::Kind::read, {in.id}}, g.id};
  EXPECT_EQ(content::encode(receipt).code(), Errc::invalid_argument);  // group ids only on texts
}

TEST(GroupStore, RecordsAndSenderKeysRoundTripSealed) {
  testing::DeterministicRng rng(11);
  char tmpl[] = "/tmp/hush-group-store-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path home = tmpl;
  {
    auto key = store::KeySource::passphrase(SecretBuffer(as_bytes(std::string_view("pw"))), store::KdfCost::test_minimum);
    auto s = store::LocalStore::create(home / "h", key, rng);
    ASSERT_TRUE(s);
    ASSERT_TRUE(store::ensure_group_tables(**s));
    ASSERT_TRUE(store::ensure_group_tables(**s));  // idempotent
    store::GroupStore groups(**s);
    auto g = group({"alice", "bob"}, {"alice"}, 4);
    g.history.push_back({1, "alice", GroupAction::create, {"bob"}, "g", 3});
    g.refused.push_back({2, "bob", GroupAction::remove, "not_admin", 8});
    g.key_holders.push_back({"bob", signal::DeviceId{2}});
    g.recent_changes.push_back(Bytes{1, 2, 3});
    g.has_previous = true;
    g.previous_members = {"alice", "bob", "carol"};
    g.previous_admins = {"alice"};
    g.previous_name = "before";
    g.warnings.push_back({9, "we were behind"});
    g.known_ahead = 6;
    g.ahead_member = "bob";
    ASSERT_TRUE(groups.put(g));
    auto back = groups.get(g.id);
    ASSERT_TRUE(back && *back);
    EXPECT_EQ((*back)->members, g.members);
    EXPECT_EQ((*back)->version, 4u);
    ASSERT_EQ((*back)->refused.size(), 1u);
    EXPECT_EQ((*back)->refused[0].reason, "not_admin");
    ASSERT_EQ((*back)->key_holders.size(), 1u);
    EXPECT_EQ((*back)->recent_changes, g.recent_changes);
    EXPECT_TRUE((*back)->has_previous);
    EXPECT_EQ((*back)->previous_members, g.previous_members);
    EXPECT_EQ((*back)->previous_name, "before");
    ASSERT_EQ((*back)->warnings.size(), 1u);
    EXPECT_EQ((*back)->warnings[0].text, "we were behind");
    EXPECT_EQ((*back)->known_ahead, 6u);
    EXPECT_EQ((*back)->ahead_member, "bob");
    EXPECT_EQ(groups.all()->size(), 1u);

    store::SqliteSenderKeyStore keys(**s);
    signal::SenderKeyName name{std::string(g.id.begin(), g.id.end()), {"alice", signal::DeviceId{1}}};
    signal::GroupSessionBuilder builder(keys);
    auto skdm = builder.create_distribution(name, rng);
    ASSERT_TRUE(skdm);
    auto loaded = keys.load_sender_key(name);
    ASSERT_TRUE(loaded && *loaded);
    EXPECT_NE((*loaded)->state_for(skdm->chain_id()), nullptr);
    EXPECT_EQ(keys.groups_of({"alice", signal::DeviceId{1}})->size(), 1u);
    ASSERT_TRUE(keys.erase_group(g.id, "alice"));
    EXPECT_FALSE(*keys.load_sender_key(name));
  }
  std::filesystem::remove_all(home);
}

// docs/protocol.md §8.7: the members hash exactly as specified.
TEST(GroupAgreement, MembersHashIsTheSpecifiedDigest) {
  const Bytes id(content::kGroupIdSize, 7);
  Bytes in = to_bytes(std::string_view("hush group members v1"));
  in.insert(in.end(), id.begin(), id.end());
  for (std::uint8_t b : {0, 0, 0, 2, 5}) in.push_back(b);
  for (char ch : std::string_view("alice")) in.push_back(static_cast<std::uint8_t>(ch));
  in.push_back(3);
  for (char ch : std::string_view("bob")) in.push_back(static_cast<std::uint8_t>(ch));
  const auto expected = crypto::sha256(in);
  EXPECT_EQ(groups::members_hash(id, {"alice", "bob"}), Bytes(expected.begin(), expected.end()));
  EXPECT_NE(groups::members_hash(id, {"alice", "bob"}), groups::members_hash(id, {"alice", "bob", "carol"}));
  EXPECT_NE(groups::members_hash(id, {"alice", "bob"}), groups::members_hash(Bytes(32, 8), {"alice", "bob"}));
  // Length prefixes: no two lists share a hash by moving bytes between names.
  EXPECT_NE(groups::members_hash(id, {"ab", "c"}), groups::members_hash(id, {"a", "bc"}));
}

TEST(GroupAgreement, StampsCompareByVersionThenHash) {
  auto g = group({"alice", "bob"}, {"alice"}, 4);
  using groups::StampOrder;
  EXPECT_EQ(groups::compare_stamp(g, {}), StampOrder::unstamped);
  EXPECT_EQ(groups::compare_stamp(g, groups::stamp_of(g)), StampOrder::same);
  EXPECT_EQ(groups::compare_stamp(g, {3, groups::members_hash(g.id, g.members)}), StampOrder::behind);
  EXPECT_EQ(groups::compare_stamp(g, {5, groups::members_hash(g.id, g.members)}), StampOrder::ahead);
  EXPECT_EQ(groups::compare_stamp(g, {4, groups::members_hash(g.id, {"alice"})}), StampOrder::forked);
}

TEST(GroupAgreement, ChangeIdCoversTheChangeButNotItsSignature) {
  auto g = group({"alice", "bob", "carol"}, {"alice"}, 1);
  auto a = change(g, GroupAction::remove, "alice", {"carol"}, {"alice", "bob"}, {"alice"}, 2);
  auto b = a;
  b.signature = Bytes(64, 1);
  EXPECT_EQ(groups::change_id(a), groups::change_id(b));
  b.timestamp_ms = 2;
  EXPECT_NE(groups::change_id(a), groups::change_id(b));
  auto c = a;
  c.subjects = {"bob"};
  c.members = {"alice", "carol"};
  EXPECT_NE(groups::change_id(a), groups::change_id(c));
  EXPECT_EQ(groups::change_id(a).size(), 32u);
}

// Two changes made from one state: every member, whichever it applied
// first, picks the same winner (the lower change id).
TEST(GroupAgreement, ConcurrentChangesHaveOneWinnerWhateverTheOrder) {
  auto base = group({"alice", "bob", "carol"}, {"alice"}, 1);
  auto rename = change(base, GroupAction::rename, "alice", {}, base.members, base.admins, 2);
  rename.name = "renamed";
  auto leave = change(base, GroupAction::leave, "bob", {"bob"}, {"alice", "carol"}, {"alice"}, 2);
  auto applied = [&](const GroupChange& c) {
    auto g = base;
    g.has_previous = true;
    g.previous_members = base.members;
    g.previous_admins = base.admins;
    g.previous_name = base.name;
    g.members = c.members;
    g.admins = c.admins;
    g.name = c.name;
    g.version = 2;
    return g;
  };
  const auto after_rename = applied(rename);
  const auto after_leave = applied(leave);
  EXPECT_TRUE(groups::concurrent_with_last(after_rename, rename, leave, "carol"));
  EXPECT_TRUE(groups::concurrent_with_last(after_leave, leave, rename, "carol"));
  const bool leave_wins = groups::wins_over_last(after_rename, rename, leave, "carol");
  EXPECT_NE(leave_wins, groups::wins_over_last(after_leave, leave, rename, "carol"));
  EXPECT_EQ(leave_wins, groups::change_id(leave) < groups::change_id(rename));
  // The same change again is no rival; nor is one not valid on the state before.
  EXPECT_FALSE(groups::concurrent_with_last(after_rename, rename, rename, "carol"));
  auto forged = change(base, GroupAction::remove, "carol", {"bob"}, {"alice", "carol"}, {"alice"}, 2);
  EXPECT_FALSE(groups::concurrent_with_last(after_rename, rename, forged, "carol"));
  auto no_previous = after_rename;
  no_previous.has_previous = false;
  EXPECT_FALSE(groups::concurrent_with_last(no_previous, rename, leave, "carol"));
}

TEST(GroupContent, StampsAndNoticesRoundTripAndMalformedOnesAreRefused) {
  auto g = group({"alice", "bob"}, {"alice"}, 3);
  const MessageId id{};
  content::Content text{id, 5, content::TextBody{SecretBuffer(as_bytes(std::string_view("hi")))}, g.id,
                        groups::stamp_of(g)};
  auto bytes = content::encode(text);
  ASSERT_TRUE(bytes);
  auto back = content::decode(bytes->expose());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->group_stamp.version, 3u);
  EXPECT_EQ(back->group_stamp.members_hash, groups::members_hash(g.id, g.members));
  // A stamp without a group, or a hash of the wrong size, is refused.
  content::Content loose{id, 5, content::TextBody{SecretBuffer(as_bytes(std::string_view("hi")))}};
  loose.group_stamp = groups::stamp_of(g);
  EXPECT_EQ(content::encode(loose).code(), Errc::invalid_argument);
  content::Content bad_hash{id, 5, content::TextBody{SecretBuffer(as_bytes(std::string_view("hi")))}, g.id,
                            content::GroupStamp{3, Bytes(5, 1)}};
  EXPECT_EQ(content::encode(bad_hash).code(), Errc::invalid_argument);

  auto c = change(g, GroupAction::remove, "alice", {"bob"}, {"alice"}, {"alice"}, 4);
  c.signature = Bytes(64, 9);
  content::GroupStateNotice notice{g.id, groups::stamp_of(g), {c}, true};
  auto nb = content::encode(content::Content{id, 5, notice});
  ASSERT_TRUE(nb);
  auto nback = content::decode(nb->expose());
  ASSERT_TRUE(nback);
  auto* n = std::get_if<content::GroupStateNotice>(&nback->body);
  ASSERT_NE(n, nullptr);
  EXPECT_TRUE(n->request);
  EXPECT_EQ(n->stamp.version, 3u);
  ASSERT_EQ(n->changes.size(), 1u);
  EXPECT_EQ(n->changes[0].signature, c.signature);
  EXPECT_EQ(groups::change_id(n->changes[0]), groups::change_id(c));
  // A change of another group inside a notice, or a signature not 64 bytes.
  auto other = c;
  other.group_id = Bytes(content::kGroupIdSize, 1);
  EXPECT_EQ(content::encode(content::Content{id, 5, content::GroupStateNotice{g.id, groups::stamp_of(g), {other}, false}})
                .code(),
            Errc::invalid_argument);
  auto bad_sig = c;
  bad_sig.signature = Bytes(10, 1);
  EXPECT_FALSE(content::encode(content::Content{id, 5, bad_sig}));
  // The kept form of a change parses back to the same change.
  auto kept = content::serialize_group_change(c);
  ASSERT_TRUE(kept);
  auto parsed = content::parse_group_change(*kept);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(groups::change_id(*parsed), groups::change_id(c));
  EXPECT_FALSE(content::parse_group_change(Bytes{0xff, 0xff}));
}

}  // namespace
}  // namespace hush::client
