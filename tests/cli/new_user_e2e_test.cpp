// What a new user hit (issue #16, item 6), through the real `hush` binary
// against a real hushd: --ca is copied into the home folder (the original
// can go); a register that fails (server down, username taken, a --ca that
// is no certificate) leaves nothing behind, so the next register in the same
// home works; errors name their cause and the next step (the server's URL
// when it cannot be reached, a full mailbox and what to do); `receive` shows
// group changes as lines of their own (and as `group_change` in --json); and
// `chat` keeps a line typed while hushd is down as pending and sends it when
// the connection returns.
#include "cli_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace hush::testing {
namespace {

using namespace std::chrono_literals;

class NewUserE2e : public CliFixture {
 protected:
  NewUserE2e() : CliFixture("hush-new-user-e2e") {}

  /// `register` for `who` with `extra` options (--ca is not added).
  CliResult register_as(const std::string& who, const std::string& username, std::vector<std::string> extra = {},
                        bool json = false) {
    std::vector<std::string> args = {"register", "--server", next_url(), "--username", username};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_hush(as(who, args, json));
  }
  /// The names in `who`'s home folder (empty when there is no folder).
  std::vector<std::string> home_files(const std::string& who) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(home(who), ec)) out.push_back(e.path().filename());
    return out;
  }
};

TEST_F(NewUserE2e, CaIsCopiedIntoTheHomeAndTheOriginalCanGo) {
  const std::string moved = (root_ / "downloaded-ca.pem").string();
  std::filesystem::copy_file(ca(), moved);
  const CliResult reg = register_as("alice", "alice", {"--ca", moved}, true);
  ASSERT_EQ(reg.code, 0) << reg.err;
  const std::string copy = (home("alice") / "server-ca.pem").string();
  struct stat st {};
  ASSERT_EQ(::stat(copy.c_str(), &st), 0) << "no CA copy in the home folder";
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  std::filesystem::remove(moved);  // the user tidies their downloads

  ASSERT_TRUE(register_user("bob"));
  const CliResult sent = run_hush(as("alice", {"send", "bob", "still trusted"}, true));
  EXPECT_EQ(sent.code, 0) << sent.err;
  const CliResult got = run_hush(as("bob", {"receive", "--wait", "5"}, true));
  EXPECT_EQ(json_field(got.out, "text"), "still trusted") << got.out << got.err;
}

TEST_F(NewUserE2e, FailedRegisterLeavesNothingAndTheNextOneWorks) {
  // Server down: the error names the URL; no home is left, and a register
  // with another passphrase afterwards works.
  const std::string server = url();
  hushd_->stop();
  const CliResult down = run_hush({"--home", home("dora").string(), "register", "--server", server, "--username",
                                   "dora", "--ca", ca()},
                                  {{"HUSH_PASSPHRASE", "first try"}});
  EXPECT_EQ(down.code, 5) << down.err;
  EXPECT_NE(down.err.find("check that the server runs and that the URL " + server + " is right"), std::string::npos)
      << down.err;
  EXPECT_FALSE(std::filesystem::exists(home("dora"))) << "a half-made home was left";
  start_server();
  const CliResult again = run_hush({"--home", home("dora").string(), "register", "--server", url(), "--username",
                                    "dora", "--ca", ca()},
                                   {{"HUSH_PASSPHRASE", "another passphrase"}});
  EXPECT_EQ(again.code, 0) << again.err;

  // Username taken: said so; the store made for it goes (the key file it
  // made stays, outside the home, and serves the next attempt).
  ASSERT_TRUE(register_user("bob"));
  const CliResult taken = register_as("bob2", "bob", {"--ca", ca()});
  EXPECT_EQ(taken.code, 8) << taken.err;
  EXPECT_NE(taken.err.find("the username bob is taken"), std::string::npos) << taken.err;
  EXPECT_TRUE(home_files("bob2").empty());
  EXPECT_TRUE(std::filesystem::exists(key("bob2")));
  EXPECT_EQ(register_as("bob2", "bob2", {"--ca", ca()}).code, 0);

  // A --ca that is no certificate: said so; nothing left; then the right one works.
  const std::string junk = (root_ / "junk.pem").string();
  std::ofstream(junk) << "this is not a certificate\n";
  const CliResult bad_ca = register_as("carol", "carol", {"--ca", junk});
  EXPECT_EQ(bad_ca.code, 5) << bad_ca.err;
  EXPECT_NE(bad_ca.err.find("the --ca file is not the certificate of"), std::string::npos) << bad_ca.err;
  EXPECT_TRUE(home_files("carol").empty());
  EXPECT_EQ(register_as("carol", "carol", {"--ca", ca()}).code, 0);

  // A home that has an account is never removed by a failed register.
  const CliResult twice = register_as("carol", "carol-again", {"--ca", ca()});
  EXPECT_EQ(twice.code, 8) << twice.err;
  EXPECT_NE(twice.err.find("already has an account"), std::string::npos) << twice.err;
  EXPECT_EQ(run_hush(as("carol", {"whoami"})).code, 0);
}

TEST_F(NewUserE2e, ErrorsNameTheirCauseAndTheNextStep) {
  ASSERT_TRUE(register_user("alice"));
  ASSERT_TRUE(register_user("bob"));
  // Wrong passphrase (a key file that is not this store's).
  const CliResult wrong = run_hush({"--home", home("alice").string(), "--key-file", key("bob"), "whoami"});
  EXPECT_EQ(wrong.code, 4) << wrong.err;
  EXPECT_NE(wrong.err.find("hint: wrong passphrase or key file"), std::string::npos) << wrong.err;
  // --json carries the hint too.
  const CliResult nobody = run_hush(as("alice", {"send", "nobody", "hi"}, true));
  EXPECT_EQ(nobody.code, 2);
  EXPECT_FALSE(json_field(nobody.err, "hint").empty()) << nobody.err;
  // Server unreachable: names the URL this home uses and what to check.
  const std::string server = url();
  hushd_->stop();
  const CliResult down = run_hush(as("alice", {"send", "bob", "hi"}));
  EXPECT_EQ(down.code, 5) << down.err;
  EXPECT_NE(down.err.find("check that " + server + " is running"), std::string::npos) << down.err;
  EXPECT_EQ(down.err.find("protocol"), std::string::npos) << down.err;
}

// "I have a new computer and lost the old one": register prints the
// recovery code (text and --json); `register --recover CODE` in a new home
// brings the account back under a new identity, which the contact must
// accept with `hush trust` before messages flow; a wrong code says so with
// the next step and leaves no home behind.
TEST_F(NewUserE2e, RegisterRecoverReplacesALostDeviceAndContactsMustTrustTheNewKey) {
  const CliResult reg = register_as("alice", "alice", {"--ca", ca()}, true);
  ASSERT_EQ(reg.code, 0) << reg.err;
  const std::string code = json_field(reg.out, "recovery_code");
  ASSERT_EQ(code.size(), 32u) << reg.out;
  const CliResult text_reg = register_as("bob", "bob", {"--ca", ca()});
  ASSERT_EQ(text_reg.code, 0) << text_reg.err;
  EXPECT_NE(text_reg.out.find("recovery code: "), std::string::npos) << text_reg.out;
  EXPECT_NE(text_reg.out.find("shown only this once"), std::string::npos) << text_reg.out;
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "hello"})).code, 0);
  ASSERT_EQ(run_hush(as("bob", {"receive", "--wait", "5"})).code, 0);

  const CliResult wrong = register_as("alice2", "alice", {"--ca", ca(), "--recover", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AA"});
  EXPECT_EQ(wrong.code, 4) << wrong.err;
  EXPECT_NE(wrong.err.find("the recovery code does not open alice"), std::string::npos) << wrong.err;
  EXPECT_FALSE(std::filesystem::exists(home("alice2"))) << "a refused recovery leaves no home";

  const CliResult recovered = register_as("alice2", "alice", {"--ca", ca(), "--recover", code}, true);
  ASSERT_EQ(recovered.code, 0) << recovered.err;
  EXPECT_NE(json_field(recovered.out, "recovery_code"), code) << "renewed";

  const CliResult refused = run_hush(as("bob", {"send", "alice", "are you new?"}));
  EXPECT_NE(refused.code, 0) << "an identity change is never trusted silently";
  EXPECT_NE(refused.err.find("trust"), std::string::npos) << refused.err;
  ASSERT_EQ(run_hush(as("bob", {"trust", "alice", "--yes"})).code, 0);
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "welcome back"})).code, 0);
  const CliResult got = run_hush(as("alice2", {"receive", "--wait", "5"}, true));
  EXPECT_EQ(json_field(got.out, "text"), "welcome back") << got.out << got.err;
}

/// hushd keeping two envelopes per device: a third message finds the mailbox full.
class SmallMailboxE2e : public CliFixture {
 protected:
  SmallMailboxE2e() : CliFixture("hush-small-mailbox-e2e") {}
  void configure(HushdOptions& o) override { o.config_toml = "queue_cap = 2\nsender_share = 0\n"; }
};

TEST_F(SmallMailboxE2e, AFullMailboxIsSaidWithWhatToDo) {
  ASSERT_TRUE(register_user("alice"));
  ASSERT_TRUE(register_user("bob"));
  for (const char* text : {"one", "two"}) ASSERT_EQ(run_hush(as("alice", {"send", "bob", text})).code, 0);
  const CliResult full = run_hush(as("alice", {"send", "bob", "three"}));
  EXPECT_EQ(full.code, 7) << full.err;
  EXPECT_NE(full.err.find("NOT delivered to bob's device 1: its mailbox on the server is full"), std::string::npos)
      << full.err;
  EXPECT_NE(full.err.find("send it again later"), std::string::npos) << full.err;
  EXPECT_EQ(full.err.find("protocol"), std::string::npos) << full.err;
}

TEST_F(NewUserE2e, ReceiveShowsGroupChangesAsLinesOfTheirOwn) {
  for (const char* who : {"alice", "bob", "carol"}) ASSERT_TRUE(register_user(who));
  ASSERT_EQ(run_hush(as("alice", {"group", "create", "friends", "--members", "bob"})).code, 0);
  const CliResult created = run_hush(as("bob", {"receive", "--wait", "5"}, true));
  ASSERT_EQ(created.code, 0) << created.err;
  const auto lines = lines_of(created.out);
  ASSERT_EQ(lines.size(), 1u) << created.out;
  EXPECT_EQ(json_field(lines[0], "type"), "group_change");
  EXPECT_EQ(json_field(lines[0], "action"), "create");
  EXPECT_EQ(json_field(lines[0], "author"), "alice");
  EXPECT_EQ(json_field(lines[0], "group"), "friends");
  EXPECT_EQ(json_field(lines[0], "group_id").size(), 64u);

  ASSERT_EQ(run_hush(as("alice", {"group", "add", "friends", "carol"})).code, 0);
  ASSERT_EQ(run_hush(as("alice", {"group", "rename", "friends", "pals"})).code, 0);
  ASSERT_EQ(run_hush(as("alice", {"group", "remove", "pals", "carol"})).code, 0);
  std::string shown;
  for (int i = 0; i < 10 && shown.find("removed carol") == std::string::npos; ++i) {
    const CliResult r = run_hush(as("bob", {"receive", "--wait", "3"}));
    ASSERT_EQ(r.code, 0) << r.err;
    shown += r.out;
  }
  EXPECT_NE(shown.find("] #friends: alice added carol"), std::string::npos) << shown;
  EXPECT_NE(shown.find("] #pals: alice renamed the group to #pals"), std::string::npos) << shown;
  EXPECT_NE(shown.find("] #pals: alice removed carol"), std::string::npos) << shown;
  // carol saw herself added (the group's create came with it) and removed.
  const CliResult carol = run_hush(as("carol", {"receive", "--wait", "5"}, true));
  EXPECT_NE(carol.out.find("\"action\":\"add\""), std::string::npos) << carol.out;
}

TEST_F(NewUserE2e, ChatKeepsALineTypedWhileTheServerIsDownAndSendsItLater) {
  ASSERT_TRUE(register_user("alice"));
  ASSERT_TRUE(register_user("bob"));
  hushd_->stop();
  CliProcess chat(as("alice", {"chat", "bob"}, true));
  chat.write("typed while the server was down\n");
  auto pending = chat.read_line(30s);
  ASSERT_TRUE(pending) << "chat printed nothing for the typed line";
  EXPECT_EQ(json_field(*pending, "type"), "pending") << *pending;
  EXPECT_EQ(json_field(*pending, "text"), "typed while the server was down");
  const std::string id = json_field(*pending, "id");

  start_server();
  auto sent = chat.read_line(90s);  // chat reconnects with a backoff of at most 30 s
  ASSERT_TRUE(sent) << "the pending line was not sent after the server came back";
  EXPECT_EQ(json_field(*sent, "type"), "sent") << *sent;
  EXPECT_EQ(json_field(*sent, "id"), id);
  EXPECT_EQ(json_field(*sent, "was_pending"), "true");
  chat.close_stdin();
  const CliResult end = chat.wait(15s);
  EXPECT_EQ(end.code, 0) << end.err;

  const CliResult got = run_hush(as("bob", {"receive", "--wait", "5"}, true));
  ASSERT_EQ(got.code, 0) << got.err;
  EXPECT_EQ(json_field(got.out, "text"), "typed while the server was down") << got.out;
  EXPECT_EQ(json_field(got.out, "id"), id);
}

}  // namespace
}  // namespace hush::testing
