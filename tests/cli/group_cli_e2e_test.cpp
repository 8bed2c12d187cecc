// `hush group` end to end: the real `hush` binary against a real hushd.
// Three users make a group, talk in it (messages marked with the group in
// receive and history), look at it (info, list), and an admin-only change
// from a non-admin is refused with its exit code; everything also in --json.
#include "cli_fixture.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hush::testing {
namespace {

class GroupCliE2e : public CliFixture {
 protected:
  GroupCliE2e() : CliFixture("hush-group-cli-e2e") {}
};

TEST_F(GroupCliE2e, CreateTalkInspectAndRefuse) {
  for (const char* who : {"alice", "bob", "carol"}) ASSERT_TRUE(register_user(who));
  const CliResult made = run_hush(as("alice", {"group", "create", "friends", "--members", "bob,carol"}, true));
  ASSERT_EQ(made.code, 0) << made.err;
  const auto made_lines = lines_of(made.out);
  ASSERT_GE(made_lines.size(), 2u) << made.out;
  EXPECT_EQ(json_field(made_lines[0], "type"), "group");
  EXPECT_EQ(json_field(made_lines[0], "name"), "friends");
  EXPECT_EQ(json_field(made_lines[0], "members"), "[\"alice\",\"bob\",\"carol\"]");
  EXPECT_EQ(json_field(made_lines[0], "admins"), "[\"alice\"]");
  EXPECT_EQ(json_field(made_lines[1], "type"), "group_change");
  EXPECT_EQ(json_field(made_lines[1], "action"), "create");
  const std::string id = json_field(made_lines[0], "id");
  ASSERT_EQ(id.size(), 64u);

  // bob and carol learn of the group by receiving (no message to show yet).
  for (const char* who : {"bob", "carol"}) ASSERT_EQ(run_hush(as(who, {"receive", "--wait", "3"}, true)).code, 0);

  const CliResult sent = run_hush(as("alice", {"group", "send", "friends", "hello friends"}, true));
  ASSERT_EQ(sent.code, 0) << sent.err;
  EXPECT_EQ(json_field(sent.out, "type"), "sent");
  EXPECT_EQ(json_field(sent.out, "group"), "friends");
  const CliResult got = run_hush(as("bob", {"receive", "--wait", "5"}, true));
  ASSERT_EQ(got.code, 0) << got.err;
  ASSERT_EQ(lines_of(got.out).size(), 1u) << got.out;
  EXPECT_EQ(json_field(got.out, "from"), "alice");
  EXPECT_EQ(json_field(got.out, "text"), "hello friends");
  EXPECT_EQ(json_field(got.out, "group"), "friends");
  EXPECT_EQ(json_field(got.out, "group_id"), id);

  ASSERT_EQ(run_hush(as("bob", {"group", "send", "friends", "-"}), {}, "bob says hi\n").code, 0);
  const CliResult human = run_hush(as("carol", {"receive", "--wait", "5"}));
  ASSERT_EQ(human.code, 0) << human.err;
  EXPECT_NE(human.out.find("] alice in #friends: hello friends"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("] bob in #friends: bob says hi"), std::string::npos) << human.out;
  const CliResult history = run_hush(as("carol", {"group", "history", "friends"}));
  EXPECT_EQ(lines_of(history.out).size(), 2u) << history.out;
  const CliResult by_user = run_hush(as("carol", {"history", "bob"}, true));
  EXPECT_EQ(json_field(by_user.out, "group"), "friends") << by_user.out;

  // A non-admin's change is refused locally (exit 4, with a hint).
  const CliResult refused = run_hush(as("bob", {"group", "remove", "friends", "carol"}));
  EXPECT_EQ(refused.code, 4) << refused.err;
  EXPECT_NE(refused.err.find("only an admin"), std::string::npos) << refused.err;
  const CliResult missing = run_hush(as("bob", {"group", "info", "nonesuch"}));
  EXPECT_EQ(missing.code, 2);

  // alice removes carol; bob's info shows the same members and history.
  ASSERT_EQ(run_hush(as("alice", {"group", "remove", "friends", "carol"})).code, 0);
  ASSERT_EQ(run_hush(as("bob", {"receive", "--wait", "3"})).code, 0);
  const CliResult info = run_hush(as("bob", {"group", "info", "friends"}, true));
  ASSERT_EQ(info.code, 0) << info.err;
  const auto info_lines = lines_of(info.out);
  ASSERT_EQ(info_lines.size(), 3u) << info.out;
  EXPECT_EQ(json_field(info_lines[0], "members"), "[\"alice\",\"bob\"]");
  EXPECT_EQ(json_field(info_lines[0], "version"), "2");
  EXPECT_EQ(json_field(info_lines[2], "action"), "remove");
  EXPECT_EQ(json_field(info_lines[2], "subjects"), "[\"carol\"]");
  const CliResult human_info = run_hush(as("alice", {"group", "info", id.substr(0, 10)}));
  EXPECT_NE(human_info.out.find("members: alice (admin), bob"), std::string::npos) << human_info.out;
  EXPECT_NE(human_info.out.find("alice: remove carol"), std::string::npos) << human_info.out;
  const CliResult list = run_hush(as("carol", {"group", "list"}));
  ASSERT_EQ(list.code, 0);
  EXPECT_NE(list.out.find("#friends"), std::string::npos);
  ASSERT_EQ(run_hush(as("carol", {"receive", "--wait", "3"})).code, 0);
  const CliResult gone = run_hush(as("carol", {"group", "send", "friends", "hello?"}));
  EXPECT_EQ(gone.code, 4) << gone.err;
  EXPECT_NE(gone.err.find("no longer a member"), std::string::npos) << gone.err;
}

// Issue #13: the server withholds "remove mallory" from bob (and mallory).
// bob's next message goes out with the old member list; the members who
// hold the change warn on stderr and send it to bob, whose next `group send`
// applies it, warns and leaves mallory out.
TEST_F(GroupCliE2e, AWithheldRemovalIsShownAsWarningsAndRepaired) {
  for (const char* who : {"alice", "bob", "carol", "mallory"}) ASSERT_TRUE(register_user(who));
  ASSERT_EQ(run_hush(as("alice", {"group", "create", "crew", "--members", "bob,carol,mallory"})).code, 0);
  for (const char* who : {"bob", "carol", "mallory"}) ASSERT_EQ(run_hush(as(who, {"receive", "--wait", "3"})).code, 0);
  ASSERT_EQ(run_hush(as("bob", {"group", "send", "crew", "bob before"})).code, 0);
  for (const char* who : {"alice", "carol", "mallory"}) ASSERT_EQ(run_hush(as(who, {"receive", "--wait", "3"})).code, 0);

  ASSERT_EQ(run_hush(as("alice", {"group", "remove", "crew", "mallory"})).code, 0);
  EXPECT_GE(withhold_queue("bob"), 1);
  EXPECT_GE(withhold_queue("mallory"), 1);
  ASSERT_EQ(run_hush(as("carol", {"receive", "--wait", "3"})).code, 0);

  ASSERT_EQ(run_hush(as("bob", {"group", "send", "crew", "stale"})).code, 0);
  const CliResult carol = run_hush(as("carol", {"receive", "--wait", "5"}));
  ASSERT_EQ(carol.code, 0) << carol.err;
  EXPECT_NE(carol.out.find("] bob in #crew: stale"), std::string::npos) << carol.out;
  EXPECT_EQ(carol.out.find("WARNING"), std::string::npos) << "warnings stay off stdout";
  EXPECT_NE(carol.err.find("WARNING: #crew: a group message from bob was sent with an old member list"),
            std::string::npos)
      << carol.err;
  EXPECT_NE(carol.err.find("mallory"), std::string::npos) << carol.err;

  const CliResult fresh = run_hush(as("bob", {"group", "send", "crew", "fresh"}));
  ASSERT_EQ(fresh.code, 0) << fresh.err;
  EXPECT_NE(fresh.err.find("WARNING: #crew: we were behind in this group"), std::string::npos) << fresh.err;
  const CliResult mallory = run_hush(as("mallory", {"receive", "--wait", "3"}));
  EXPECT_NE(mallory.out.find("stale"), std::string::npos) << "the one message the design concedes";
  EXPECT_EQ(mallory.out.find("fresh"), std::string::npos) << mallory.out;

  const CliResult info = run_hush(as("bob", {"group", "info", "crew"}));
  ASSERT_EQ(info.code, 0) << info.err;
  EXPECT_NE(info.out.find("members: alice (admin), bob, carol"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("warnings:"), std::string::npos) << info.out;
  const CliResult json = run_hush(as("bob", {"group", "info", "crew"}, true));
  EXPECT_NE(json.out.find("\"type\":\"group_warnings\""), std::string::npos) << json.out;
}

}  // namespace
}  // namespace hush::testing
