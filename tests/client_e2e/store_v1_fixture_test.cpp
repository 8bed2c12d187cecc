// A client store of schema version 1, made by the code of 2026-12-06 and
// committed as test data (tests/compat/data/client-store-v1/alice), opens
// and still shows everything it held: the account, contacts with their
// verified mark, sessions (version 4 + SPQR), 1:1 and group history, the
// group. Issue #16 item 4 changes the store's schema; this test is what a
// migration must keep passing (a user's existing home keeps its data).
//
// The fixture is remade (only when the v1 code is what runs) with
//   HUSH_FIXTURE_OUT=/tmp/out build/release/tests/client_e2e/store_v1_fixture_test
//     --gtest_also_run_disabled_tests --gtest_filter='*DISABLED_Make*'
// (one command line)
// and /tmp/out/alice copied over the committed folder.
#include "sdk_fixture.hpp"

#include <hush/client/client.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace hush::client {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// What the fixture holds (alice's home).
constexpr const char* kGroupName = "fixture-group";
const std::vector<std::pair<bool, std::string>> kWithBob = {{true, "v1 fixture: hello bob"},
                                                            {false, "v1 fixture: hi alice"}};
const std::vector<std::pair<bool, std::string>> kWithCarol = {{false, "v1 fixture: from carol"}};
const std::vector<std::pair<bool, std::string>> kInGroup = {{true, "v1 fixture: to the group"},
                                                            {false, "v1 fixture: bob to the group"}};

class StoreV1Fixture : public testing::SdkFixture {
 protected:
  StoreV1Fixture() : SdkFixture("hush-store-v1") {}
};

std::vector<std::pair<bool, std::string>> texts(const std::vector<HistoryMessage>& h) {
  std::vector<std::pair<bool, std::string>> out;
  for (const auto& m : h) out.emplace_back(m.outgoing, std::string(m.text_view()));
  return out;
}

// Makes the fixture; disabled (it is run by hand, see the header).
TEST_F(StoreV1Fixture, DISABLED_Make) {
  const char* out = std::getenv("HUSH_FIXTURE_OUT");
  ASSERT_NE(out, nullptr) << "set HUSH_FIXTURE_OUT";
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  Client& carol = registered("carol");
  ASSERT_TRUE(alice.send_text("bob", kWithBob[0].second));
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  ASSERT_TRUE(bob.send_text("alice", kWithBob[1].second));
  ASSERT_EQ(receive_n(alice, 1).size(), 1u);
  ASSERT_TRUE(carol.send_text("alice", kWithCarol[0].second));
  ASSERT_EQ(receive_n(alice, 1).size(), 1u);
  ASSERT_TRUE(alice.verify("bob"));
  auto group = alice.group_create(kGroupName, {"bob", "carol"});
  ASSERT_TRUE(group) << errc_name(group.code());
  ASSERT_TRUE(alice.group_send(group->id, kInGroup[0].second));
  ASSERT_GE(receive_n(bob, 1).size(), 1u);
  ASSERT_TRUE(bob.group_send(group->id, kInGroup[1].second));
  ASSERT_GE(receive_n(alice, 1).size(), 1u);
  clients_.clear();  // closed: the copy is consistent
  fs::remove_all(fs::path(out) / "alice");
  fs::create_directories(out);
  fs::copy(home("alice"), fs::path(out) / "alice", fs::copy_options::recursive);
}

TEST(StoreV1FixtureOpen, OpensAndShowsEverythingItHeld) {
  // A copy: opening may write (a migration, the lock file).
  char tmpl[] = "/tmp/hush-store-v1-open-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path root(tmpl);
  fs::copy(fs::path(HUSH_STORE_V1_FIXTURE), root / "alice", fs::copy_options::recursive);
  {
    auto opened = Client::open(root / "alice", testing::test_passphrase("pw"));
    ASSERT_TRUE(opened) << errc_name(opened.code());
    Client& alice = **opened;
    auto me = alice.whoami();
    ASSERT_TRUE(me);
    EXPECT_EQ(me->username, "alice");
    EXPECT_EQ(me->device_id, 1u);

    auto contacts = alice.contacts();
    ASSERT_TRUE(contacts);
    std::map<std::string, bool> verified;
    for (const auto& c : *contacts) verified[c.username] = c.verified;
    EXPECT_EQ(verified, (std::map<std::string, bool>{{"bob", true}, {"carol", false}}));

    for (const char* peer : {"bob", "carol"}) {
      auto sessions = alice.sessions(peer);
      ASSERT_TRUE(sessions);
      ASSERT_EQ(sessions->size(), 1u) << peer;
      EXPECT_EQ((*sessions)[0].version, 4u) << peer;
      EXPECT_TRUE((*sessions)[0].post_quantum_ratchet) << peer;
    }
    auto with_bob = alice.history("bob", 10);
    ASSERT_TRUE(with_bob);
    // history(peer) lists the peer's group messages too (what bob wrote).
    auto expected_with_bob = kWithBob;
    expected_with_bob.push_back(kInGroup[1]);
    EXPECT_EQ(texts(*with_bob), expected_with_bob);
    auto with_carol = alice.history("carol", 10);
    ASSERT_TRUE(with_carol);
    EXPECT_EQ(texts(*with_carol), kWithCarol);

    auto groups = alice.groups();
    ASSERT_TRUE(groups);
    ASSERT_EQ(groups->size(), 1u);
    const GroupInfo& g = (*groups)[0];
    EXPECT_EQ(g.name, kGroupName);
    EXPECT_TRUE(g.active);
    auto members = g.members;
    std::sort(members.begin(), members.end());
    EXPECT_EQ(members, (std::vector<std::string>{"alice", "bob", "carol"}));
    auto in_group = alice.group_history(g.id, 10);
    ASSERT_TRUE(in_group);
    EXPECT_EQ(texts(*in_group), kInGroup);
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace hush::client
