// Sessions that heal (issue #13, docs/protocol.md §7.6), with the real
// binary: a sender's session state forked on purpose (its home restored from
// a copy taken before a send, so it encrypts again from an old state) and a
// receiver that lost its session (an old home restored). The receiver says
// so ("could not be decrypted; asked alice's device to resend", exit 10), the
// sender resends what it still holds, and the conversation goes on with
// nothing lost. A message that cannot be decrypted is never passed over
// silently with exit 0.
#include "cli_fixture.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <map>
#include <string>

namespace hush::testing {
namespace {

namespace fs = std::filesystem;

class SessionHealing : public CliFixture {
 protected:
  SessionHealing() : CliFixture("hush-session-healing") {}

  /// A copy of `who`'s home (the store and its WAL), to restore later.
  fs::path snapshot(const std::string& who) {
    const fs::path copy = home(who).string() + ".snapshot";
    fs::remove_all(copy);
    fs::copy(home(who), copy, fs::copy_options::recursive);
    return copy;
  }
  void restore(const std::string& who, const fs::path& copy) {
    fs::remove_all(home(who));
    fs::copy(copy, home(who), fs::copy_options::recursive);
  }
  /// One `receive --json`: texts, and the undecryptable lines.
  struct Got {
    int code = -1;
    std::map<std::string, int> texts;
    std::vector<std::string> failures;
    std::string err;
  };
  Got receive(const std::string& who) {
    const CliResult r = run_hush(as(who, {"receive", "--wait", "3"}, true));
    Got g{r.code, {}, {}, r.err};
    for (const auto& line : lines_of(r.out)) {
      if (json_field(line, "type") == "message") ++g.texts[json_field(line, "text")];
      if (json_field(line, "type") == "undecryptable") g.failures.push_back(line);
    }
    return g;
  }
};

TEST_F(SessionHealing, AForkedSenderSessionRecoversWithNothingLost) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "hello"})).code, 0);
  ASSERT_EQ(receive("bob").texts["hello"], 1);
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "hi alice"})).code, 0);
  ASSERT_EQ(receive("alice").texts["hi alice"], 1);

  // Alice's home is copied, she sends, and the copy comes back: her next
  // message reuses the counter bob already consumed.
  const fs::path copy = snapshot("alice");
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "before the fork"})).code, 0);
  restore("alice", copy);
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "after the fork"})).code, 0);

  // Bob is told, in JSON and in the exit code, and asked alice's device.
  Got first = receive("bob");
  EXPECT_EQ(first.code, 10) << first.err;
  EXPECT_EQ(first.texts["before the fork"], 1);
  ASSERT_EQ(first.failures.size(), 1u) << first.err;
  EXPECT_EQ(json_field(first.failures[0], "from"), "alice");
  EXPECT_EQ(json_field(first.failures[0], "error"), "duplicate_message");
  EXPECT_EQ(json_field(first.failures[0], "resend_requested"), "true");
  EXPECT_NE(first.err.find("could not be decrypted"), std::string::npos) << first.err;

  // Alice's client reads the decryption error and resends what it holds.
  const Got at_alice = receive("alice");
  EXPECT_EQ(at_alice.code, 0) << at_alice.err;
  EXPECT_TRUE(at_alice.failures.empty());
  Got healed = receive("bob");
  EXPECT_EQ(healed.code, 0) << healed.err;
  EXPECT_EQ(healed.texts["after the fork"], 1) << healed.err;

  // The conversation goes on both ways, each message once.
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "still there?"})).code, 0);
  Got later = receive("bob");
  EXPECT_EQ(later.code, 0) << later.err;
  EXPECT_EQ(later.texts["still there?"], 1);
  EXPECT_EQ(later.texts.count("after the fork"), 0u);
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "yes"})).code, 0);
  EXPECT_EQ(receive("alice").texts["yes"], 1);
  // The history holds every message once.
  const CliResult history = run_hush(as("bob", {"history", "alice"}, true));
  std::map<std::string, int> in_history;
  for (const auto& line : lines_of(history.out)) ++in_history[json_field(line, "text")];
  for (const char* text : {"hello", "hi alice", "before the fork", "after the fork", "still there?", "yes"}) {
    EXPECT_EQ(in_history[text], 1) << text;
  }
}

TEST_F(SessionHealing, HumanReceiveSaysWhoCouldNotBeReadAndThatAResendWasAsked) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "hello"})).code, 0);
  ASSERT_EQ(receive("bob").texts["hello"], 1);
  const fs::path copy = snapshot("alice");
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "one"})).code, 0);
  restore("alice", copy);
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "two"})).code, 0);
  const CliResult human = run_hush(as("bob", {"receive", "--wait", "3"}));
  EXPECT_EQ(human.code, 10) << human.err;
  EXPECT_NE(human.out.find("a message from alice could not be decrypted (duplicate_message); asked alice's device "
                           "to resend"),
            std::string::npos)
      << human.out;
  EXPECT_NE(human.out.find("] alice: one"), std::string::npos) << human.out;
  ASSERT_EQ(receive("alice").code, 0);
  EXPECT_EQ(receive("bob").texts["two"], 1);
}

TEST_F(SessionHealing, ListenShowsTheFailureThenTheResentMessage) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "hello"})).code, 0);
  ASSERT_EQ(receive("bob").texts["hello"], 1);
  const fs::path copy = snapshot("alice");
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "one"})).code, 0);
  restore("alice", copy);
  CliProcess listen(as("bob", {"listen"}, true));
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "two"})).code, 0);
  std::map<std::string, std::string> seen;  // text or "undecryptable" -> line
  for (int i = 0; i < 2; ++i) {
    auto line = listen.read_line(std::chrono::seconds(30));
    ASSERT_TRUE(line) << "listen printed nothing";
    const std::string type = json_field(*line, "type");
    seen[type == "message" ? json_field(*line, "text") : type] = *line;
  }
  ASSERT_EQ(seen.count("one"), 1u);
  ASSERT_EQ(seen.count("undecryptable"), 1u);
  EXPECT_EQ(json_field(seen["undecryptable"], "resend_requested"), "true");
  ASSERT_EQ(receive("alice").code, 0);  // reads the decryption error, resends
  auto resent = listen.read_line(std::chrono::seconds(30));
  ASSERT_TRUE(resent) << "the resent message did not reach listen";
  EXPECT_EQ(json_field(*resent, "text"), "two");
  listen.signal(SIGTERM);
  const CliResult end = listen.wait(std::chrono::seconds(15));
  EXPECT_EQ(end.code, 0) << end.err;
  EXPECT_NE(end.err.find("a message from alice could not be decrypted"), std::string::npos) << end.err;
}

TEST_F(SessionHealing, AReceiverThatLostItsSessionIsToldAndGetsTheMessageAgain) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  // Bob knows alice's name (a safety number looked up) when he copies his
  // home; the copy holds no session from her.
  ASSERT_EQ(run_hush(as("bob", {"safety-number", "alice"})).code, 0);
  const fs::path copy = snapshot("bob");
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "hello"})).code, 0);
  ASSERT_EQ(receive("bob").texts["hello"], 1);
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "hi"})).code, 0);
  ASSERT_EQ(receive("alice").texts["hi"], 1);
  restore("bob", copy);  // the session with alice is gone
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "lost?"})).code, 0);
  Got failed = receive("bob");
  EXPECT_EQ(failed.code, 10) << failed.err;  // never exit 0 with a message dropped
  ASSERT_EQ(failed.failures.size(), 1u) << failed.err;
  EXPECT_EQ(json_field(failed.failures[0], "from"), "alice");
  EXPECT_EQ(json_field(failed.failures[0], "resend_requested"), "true");
  ASSERT_EQ(receive("alice").code, 0);
  EXPECT_EQ(receive("bob").texts["lost?"], 1);
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "back"})).code, 0);
  EXPECT_EQ(receive("alice").texts["back"], 1);
}

TEST_F(SessionHealing, AMessageThatCannotBeDecryptedIsNeverPassedOverSilently) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  const fs::path copy = snapshot("bob");  // before bob ever heard of alice
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "hello"})).code, 0);
  ASSERT_EQ(receive("bob").texts["hello"], 1);
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "hi"})).code, 0);
  ASSERT_EQ(receive("alice").texts["hi"], 1);
  restore("bob", copy);
  // Not a first message any more: nothing in it names alice to bob's copy,
  // so nobody can be asked to resend; bob is told all the same.
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "unreadable"})).code, 0);
  const CliResult human = run_hush(as("bob", {"receive", "--wait", "3"}));
  EXPECT_EQ(human.code, 10) << human.err;
  EXPECT_NE(human.out.find("a message from an unknown account"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("could not be decrypted (no_session)"), std::string::npos) << human.out;
  EXPECT_NE(human.err.find("could not be decrypted"), std::string::npos) << human.err;
  // Reported once: the next receive has nothing.
  const CliResult again = run_hush(as("bob", {"receive"}, true));
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out, "");
}

}  // namespace
}  // namespace hush::testing
