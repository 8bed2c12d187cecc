// The `hush` binary end to end against a real hushd (TLS, SQLite, a free
// loopback port kept across restarts): register, send and `receive --json` as
// child processes, exit codes of real failures, the passphrase from the
// environment, listen until SIGTERM, linking a second device through the
// server's relay (both processes running at once) and what a bad, reused or
// expired code or a closing relay print, a changed key refusing `send` until
// `trust` and undoing `verify` loudly, `safety-number --qr`, owner-only home
// folder and key file, and `chat` in a real terminal (tmux): a message
// arrives while a half-typed line stays intact.
// If the SDK answers `unavailable` (not implemented yet) the tests skip,
// saying which call.
#include "cli_fixture.hpp"
#include "tmux_session.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>

#include <cctype>
#include <filesystem>
#include <thread>

namespace hush::testing {
namespace {

using namespace std::chrono_literals;

unsigned mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

class CliE2e : public CliFixture {
 protected:
  CliE2e() : CliFixture("hush-cli-e2e") {}
};

TEST_F(CliE2e, RegisterSendReceiveJson) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  const CliResult sent = run_hush(as("alice", {"send", "bob", "hello \"bob\" \xE2\x9C\x93"}, true));
  ASSERT_EQ(sent.code, 0) << sent.err;
  EXPECT_EQ(json_field(sent.out, "type"), "sent");
  EXPECT_EQ(json_field(sent.out, "to"), "bob");
  EXPECT_EQ(json_field(sent.out, "id").size(), 32u);

  const CliResult got = run_hush(as("bob", {"receive", "--wait", "5"}, true));
  ASSERT_EQ(got.code, 0) << got.err;
  const auto lines = lines_of(got.out);
  ASSERT_EQ(lines.size(), 1u) << got.out;
  EXPECT_EQ(lines[0].rfind("{\"type\":\"message\",\"id\":\"" + json_field(sent.out, "id") + "\",\"from\":\"alice\"", 0),
            0u)
      << lines[0];
  EXPECT_NE(lines[0].find("\"text\":\"hello \\\"bob\\\" \xE2\x9C\x93\"}"), std::string::npos) << lines[0];
  EXPECT_EQ(json_field(lines[0], "sent_by_me"), "false");

  // Exactly once: nothing the second time.
  const CliResult again = run_hush(as("bob", {"receive"}, true));
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out, "");

  // Human receive and history.
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "hi alice"})).code, 0);
  const CliResult human = run_hush(as("alice", {"receive", "--wait", "5"}));
  EXPECT_EQ(human.code, 0);
  EXPECT_NE(human.out.find("] bob: hi alice"), std::string::npos) << human.out;
  const CliResult history = run_hush(as("alice", {"history", "bob"}, true));
  EXPECT_EQ(lines_of(history.out).size(), 2u) << history.out;
  EXPECT_EQ(json_field(lines_of(history.out)[0], "outgoing"), "true");

  // The same safety number on both sides; verify marks it.
  const CliResult sa = run_hush(as("alice", {"safety-number", "bob"}, true));
  const CliResult sb = run_hush(as("bob", {"safety-number", "alice"}, true));
  ASSERT_EQ(sa.code, 0) << sa.err;
  EXPECT_EQ(json_field(sa.out, "digits").size(), 60u);
  EXPECT_EQ(json_field(sa.out, "digits"), json_field(sb.out, "digits"));
  // Without a terminal nobody can be asked: --yes is required (issue #13).
  const CliResult unasked = run_hush(as("alice", {"verify", "bob"}));
  EXPECT_EQ(unasked.code, 1) << unasked.err;
  EXPECT_NE(unasked.err.find("add --yes"), std::string::npos) << unasked.err;
  EXPECT_EQ(json_field(run_hush(as("alice", {"contacts"}, true)).out, "verified"), "false");
  EXPECT_EQ(run_hush(as("alice", {"verify", "bob", "--yes"})).code, 0);
  const CliResult contacts = run_hush(as("alice", {"contacts"}, true));
  EXPECT_EQ(json_field(contacts.out, "username"), "bob");
  EXPECT_EQ(json_field(contacts.out, "verified"), "true");
  const CliResult who = run_hush(as("bob", {"whoami"}));
  EXPECT_EQ(who.code, 0);
  EXPECT_EQ(who.out.rfind("you are bob on " + url() + " (device 1)", 0), 0u) << who.out;
}

TEST_F(CliE2e, RealFailuresMapToTheirExitCodes) {
  REGISTER_OR_SKIP("alice");
  const CliResult nobody = run_hush(as("alice", {"send", "nobody", "hi"}, true));
  EXPECT_EQ(nobody.code, 2) << nobody.err;
  EXPECT_EQ(json_field(nobody.err, "error"), "not_found");
  const CliResult taken = run_hush(as("alice2", {"register", "--server", url(), "--username", "alice", "--ca",
                                                 hushd_->cert_file()}));
  EXPECT_EQ(taken.code, 8) << taken.err;
  const CliResult again = run_hush(as("alice", {"register", "--server", url(), "--username", "other", "--ca",
                                                hushd_->cert_file()}));
  EXPECT_EQ(again.code, 8) << again.err;
  // Another home's key file does not open this store.
  const CliResult wrong_key =
      run_hush({"--home", home("alice"), "--key-file", key("alice2"), "whoami"});
  EXPECT_EQ(wrong_key.code, 4) << wrong_key.err;
  // No --ca: the self-signed certificate is refused.
  const CliResult untrusted = run_hush(as("carol", {"register", "--server", url(), "--username", "carol"}));
  EXPECT_EQ(untrusted.code, 5) << untrusted.err;
  hushd_->stop();
  const CliResult down = run_hush(as("alice", {"devices"}));
  EXPECT_EQ(down.code, 5) << down.err;
}

TEST_F(CliE2e, PassphraseFromTheEnvironment) {
  const std::map<std::string, std::string> right = {{"HUSH_PASSPHRASE", "correct horse battery staple"}};
  const CliResult reg = run_hush({"--home", home("dora"), "register", "--server", url(), "--username", "dora", "--ca",
                                  hushd_->cert_file()},
                                 right);
  if (reg.code == 5 && reg.err.find("unavailable") != std::string::npos) GTEST_SKIP() << reg.err;
  ASSERT_EQ(reg.code, 0) << reg.err;
  EXPECT_EQ(run_hush({"--home", home("dora"), "whoami"}, right).code, 0);
  const CliResult wrong = run_hush({"--home", home("dora"), "whoami"}, {{"HUSH_PASSPHRASE", "wrong"}});
  EXPECT_EQ(wrong.code, 4) << wrong.err;
  EXPECT_NE(wrong.err.find("hint: wrong passphrase or key file"), std::string::npos) << wrong.err;
  const CliResult none = run_hush({"--home", home("dora"), "whoami"});
  EXPECT_EQ(none.code, 4) << none.err;
  EXPECT_NE(none.err.find("no passphrase"), std::string::npos);
  EXPECT_EQ(run_hush({"--home", home("dora"), "whoami"}, right).code, 0);  // nothing was damaged
}

TEST_F(CliE2e, ListenPrintsMessagesAsTheyArriveUntilSigterm) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  CliProcess listen(as("bob", {"listen"}, true));
  std::this_thread::sleep_for(500ms);
  for (const char* text : {"one", "two"}) ASSERT_EQ(run_hush(as("alice", {"send", "bob", text})).code, 0);
  for (const char* text : {"one", "two"}) {
    auto line = listen.read_line(15s);
    ASSERT_TRUE(line) << "no message from listen";
    EXPECT_EQ(json_field(*line, "text"), text);
  }
  listen.signal(SIGTERM);
  const CliResult end = listen.wait(15s);
  EXPECT_EQ(end.code, 0) << end.err;
}

TEST_F(CliE2e, LinkASecondDeviceAndReceiveOnBoth) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  // Alice knows bob and compared their safety number: the new device gets both (issue #16).
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "hi"})).code, 0);
  ASSERT_EQ(run_hush(as("alice", {"verify", "bob", "--yes"})).code, 0);
  // The new device waits on the server's relay while the old one approves:
  // two `hush` processes at once, nothing carried by hand.
  CliProcess link(as("alice-laptop", {"link", "--server", url(), "--ca", hushd_->cert_file()}, true));
  auto offer = link.read_line(20s);
  ASSERT_TRUE(offer) << link.wait(1s).err;
  ASSERT_EQ(json_field(*offer, "type"), "link_offer") << *offer;
  const std::string code = json_field(*offer, "code");
  EXPECT_EQ(json_field(*offer, "uri").rfind("hush-link:", 0), 0u) << *offer;
  EXPECT_FALSE(json_field(*offer, "expires_at_ms").empty()) << *offer;
  // Without a terminal and --yes nothing is handed over (issue #13).
  const CliResult unasked = run_hush(as("alice", {"devices", "approve", code}, true));
  EXPECT_EQ(unasked.code, 1) << unasked.err;
  EXPECT_NE(unasked.err.find("identity PRIVATE key"), std::string::npos) << unasked.err;
  const CliResult approved = run_hush(as("alice", {"devices", "approve", code, "--yes"}, true));
  ASSERT_EQ(approved.code, 0) << approved.err;
  EXPECT_EQ(json_field(approved.out, "type"), "approved") << approved.out;
  const CliResult linked = link.wait(30s);
  ASSERT_EQ(linked.code, 0) << linked.err;
  EXPECT_NE(linked.out.find("\"username\":\"alice\""), std::string::npos) << linked.out;
  EXPECT_EQ(json_field(lines_of(linked.out).back(), "device_id"), "2");
  // Both devices hold the same account identity key.
  EXPECT_EQ(json_field(lines_of(linked.out).back(), "identity_key"),
            json_field(run_hush(as("alice", {"whoami"}, true)).out, "identity_key"));

  const CliResult devices = run_hush(as("alice", {"devices"}, true));
  EXPECT_EQ(lines_of(devices.out).size(), 2u) << devices.out;
  // The laptop shows bob as alice's first device does: known and verified.
  const CliResult contacts = run_hush(as("alice-laptop", {"contacts"}, true));
  ASSERT_EQ(lines_of(contacts.out).size(), 1u) << contacts.out << contacts.err;
  EXPECT_EQ(json_field(contacts.out, "username"), "bob") << contacts.out;
  EXPECT_EQ(json_field(contacts.out, "verified"), "true") << contacts.out;
  const CliResult number = run_hush(as("alice-laptop", {"safety-number", "bob"}, true));
  EXPECT_EQ(json_field(number.out, "verified"), "true") << number.out << number.err;
  EXPECT_EQ(json_field(number.out, "digits"),
            json_field(run_hush(as("alice", {"safety-number", "bob"}, true)).out, "digits"));

  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "to both"})).code, 0);
  for (const char* device : {"alice", "alice-laptop"}) {
    const CliResult got = run_hush(as(device, {"receive", "--wait", "5"}, true));
    EXPECT_EQ(json_field(got.out, "text"), "to both") << device << ": " << got.out << got.err;
  }
  const CliResult removed = run_hush(as("alice", {"devices", "remove", "2"}));
  EXPECT_EQ(removed.code, 0) << removed.err;
  EXPECT_EQ(lines_of(run_hush(as("alice", {"devices"}, true)).out).size(), 1u);
  // The removed device's credential is gone at once.
  const CliResult revoked = run_hush(as("alice-laptop", {"receive"}));
  EXPECT_EQ(revoked.code, 4) << revoked.err;
}

TEST_F(CliE2e, LinkCodeMistakesReuseTimeoutAndRelayCloseExplainThemselves) {
  REGISTER_OR_SKIP("alice");
  // Human mode: the code, its QR code and the expiry; --wait gives up.
  CliProcess waiting(as("tablet", {"link", "--server", url(), "--ca", hushd_->cert_file(), "--wait", "2"}));
  const CliResult gave_up = waiting.wait(30s);
  EXPECT_EQ(gave_up.code, 5) << gave_up.err;
  EXPECT_NE(gave_up.out.find("hush devices approve "), std::string::npos) << gave_up.out;
  EXPECT_NE(gave_up.out.find("\u2580"), std::string::npos) << "no QR code:\n" << gave_up.out;
  EXPECT_NE(gave_up.err.find("hint: run `hush link` again"), std::string::npos) << gave_up.err;

  CliProcess link(as("laptop", {"link", "--server", url(), "--ca", hushd_->cert_file()}, true));
  auto offer = link.read_line(20s);
  ASSERT_TRUE(offer) << link.wait(1s).err;
  std::string code = json_field(*offer, "code");
  // A typing mistake: the checksum catches it (exit 9) and the new device keeps waiting.
  std::string typo = code;
  typo[0] = typo[0] == 'A' ? 'B' : 'A';
  const CliResult wrong = run_hush(as("alice", {"devices", "approve", typo, "--yes"}));
  EXPECT_EQ(wrong.code, 9) << wrong.err;
  EXPECT_NE(wrong.err.find("typing mistake"), std::string::npos) << wrong.err;
  // Lower case with spaces instead of dashes is the same code.
  std::string relaxed;
  for (char c : code) relaxed += c == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ASSERT_EQ(run_hush(as("alice", {"devices", "approve", relaxed, "--yes"})).code, 0);
  const CliResult linked = link.wait(30s);
  EXPECT_EQ(linked.code, 0) << linked.err;
  // The same code twice: nobody waits there any more (exit 2, and why).
  const CliResult reused = run_hush(as("alice", {"devices", "approve", code, "--yes"}));
  EXPECT_EQ(reused.code, 2) << reused.err;
  EXPECT_NE(reused.err.find("was used already"), std::string::npos) << reused.err;

  // The relay closes while a new device waits (hushd stops): exit 5, and why.
  CliProcess orphan(as("phone", {"link", "--server", url(), "--ca", hushd_->cert_file()}, true));
  ASSERT_TRUE(orphan.read_line(20s));
  hushd_->stop();
  const CliResult closed = orphan.wait(30s);
  EXPECT_EQ(closed.code, 5) << closed.err;
  EXPECT_NE(closed.err.find("closed the waiting connection"), std::string::npos) << closed.err;
}

TEST_F(CliE2e, ChangedKeyRefusesSendUntilTrustAndUndoesVerifyLoudly) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "hi"})).code, 0);
  ASSERT_EQ(run_hush(as("bob", {"receive", "--wait", "5"})).code, 0);
  ASSERT_EQ(run_hush(as("alice", {"verify", "bob", "--yes"})).code, 0);
  EXPECT_EQ(json_field(run_hush(as("alice", {"contacts"}, true)).out, "verified"), "true");

  // Bob's name moves to a new account with a new identity key (a reinstall,
  // or a lying server): simulated in hushd's database.
  ASSERT_NO_FATAL_FAILURE(free_username("bob"));
  ASSERT_TRUE(register_user("bob2", "bob"));

  const CliResult refused = run_hush(as("alice", {"send", "bob", "are you still you?"}));
  EXPECT_EQ(refused.code, 3) << refused.err;
  EXPECT_NE(refused.err.find("identity key has changed; the message was NOT sent"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("hush trust bob"), std::string::npos) << refused.err;
  // The change shows loudly wherever the contact does (the human list no
  // longer says "verified", and neither does the JSON: the verification was
  // of the key being replaced).
  const CliResult contacts = run_hush(as("alice", {"contacts"}));
  EXPECT_NE(contacts.out.find("IDENTITY KEY CHANGED"), std::string::npos) << contacts.out;
  EXPECT_EQ(contacts.out.find("verified"), std::string::npos) << contacts.out;
  const CliResult contacts_json = run_hush(as("alice", {"contacts"}, true));
  EXPECT_EQ(json_field(contacts_json.out, "identity_changed"), "true") << contacts_json.out;
  EXPECT_EQ(json_field(contacts_json.out, "verified"), "false") << contacts_json.out;
  const CliResult number = run_hush(as("alice", {"safety-number", "bob"}));
  EXPECT_NE(number.err.find("identity key has CHANGED"), std::string::npos) << number.err;
  // The pending NEW number is what it shows; the old one is never labelled
  // "verified" on its own (issue #13).
  EXPECT_NE(number.out.find("NEW identity key"), std::string::npos) << number.out;
  EXPECT_EQ(number.out.find("(verified)"), std::string::npos) << number.out;
  EXPECT_NE(number.out.find("The previous key was verified"), std::string::npos) << number.out;
  const CliResult number_json = run_hush(as("alice", {"safety-number", "bob"}, true));
  const std::string new_digits = json_field(number_json.out, "digits");
  EXPECT_EQ(new_digits, json_field(run_hush(as("bob2", {"safety-number", "alice"}, true)).out, "digits"));
  EXPECT_EQ(json_field(number_json.out, "verified"), "false") << number_json.out;
  EXPECT_EQ(json_field(number_json.out, "previous_verified"), "true") << number_json.out;
  EXPECT_NE(json_field(number_json.out, "previous_digits"), new_digits) << number_json.out;
  const std::string new_key = json_field(number_json.out, "new_identity_key");
  EXPECT_EQ(new_key, json_field(run_hush(as("bob2", {"whoami"}, true)).out, "identity_key"));
  // trust without a terminal: refused without --yes, but first it showed the
  // new number and the exact key it would accept.
  const CliResult unasked = run_hush(as("alice", {"trust", "bob"}));
  EXPECT_EQ(unasked.code, 1) << unasked.err;
  EXPECT_NE(unasked.err.find("add --yes"), std::string::npos) << unasked.err;
  EXPECT_NE(unasked.err.find(new_digits.substr(0, 5) + " " + new_digits.substr(5, 5)), std::string::npos)
      << unasked.err;
  EXPECT_NE(unasked.err.find("The key that will be accepted: " + new_key.substr(0, 4) + " " + new_key.substr(4, 4)),
            std::string::npos)
      << unasked.err;
  EXPECT_EQ(json_field(run_hush(as("alice", {"contacts"}, true)).out, "identity_changed"), "true");
  const CliResult reverify = run_hush(as("alice", {"verify", "bob", "--yes"}));
  EXPECT_NE(reverify.code, 0);
  EXPECT_NE(reverify.err.find("CHANGED"), std::string::npos) << reverify.err;

  // Accepting the new key (loudly), then sending works; not verified until verified again.
  const CliResult trusted = run_hush(as("alice", {"trust", "bob", "--yes"}));
  EXPECT_EQ(trusted.code, 0) << trusted.err;
  EXPECT_NE(trusted.err.find("IDENTITY KEY HAS CHANGED"), std::string::npos) << trusted.err;
  const CliResult after = run_hush(as("alice", {"safety-number", "bob"}, true));
  EXPECT_EQ(json_field(after.out, "digits"), new_digits) << after.out;  // the number shown is the one accepted
  EXPECT_EQ(run_hush(as("alice", {"send", "bob", "welcome back"})).code, 0);
  const CliResult got = run_hush(as("bob2", {"receive", "--wait", "5"}, true));
  EXPECT_EQ(json_field(got.out, "text"), "welcome back") << got.out << got.err;
  EXPECT_EQ(json_field(run_hush(as("alice", {"contacts"}, true)).out, "verified"), "false");
}

TEST_F(CliE2e, SafetyNumberQrDrawsTheScannableForm) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  const CliResult plain = run_hush(as("alice", {"safety-number", "bob"}, true));
  ASSERT_EQ(plain.code, 0) << plain.err;
  const CliResult qr = run_hush(as("alice", {"safety-number", "bob", "--qr"}));
  ASSERT_EQ(qr.code, 0) << qr.err;
  // The digits in groups of five, then the QR code in half blocks.
  EXPECT_NE(qr.out.find(json_field(plain.out, "grouped").substr(0, 23)), std::string::npos) << qr.out;
  EXPECT_NE(qr.out.find("\u2580"), std::string::npos) << qr.out;
  EXPECT_GT(lines_of(qr.out).size(), 15u) << qr.out;
}

TEST_F(CliE2e, HomeFolderIsOwnerOnlyAndAnExposedKeyFileIsRefused) {
  REGISTER_OR_SKIP("alice");
  EXPECT_EQ(mode_of(home("alice")), 0700u);
  EXPECT_EQ(mode_of(home("alice") / "hush.db"), 0600u);
  EXPECT_EQ(mode_of(key("alice")), 0600u);
  // A key file others can read is refused (exit 4), and the hint says why.
  ASSERT_EQ(::chmod(key("alice").c_str(), 0644), 0);
  const CliResult exposed = run_hush(as("alice", {"whoami"}));
  EXPECT_EQ(exposed.code, 4) << exposed.err;
  EXPECT_NE(exposed.err.find("permission"), std::string::npos) << exposed.err;
  ASSERT_EQ(::chmod(key("alice").c_str(), 0600), 0);
  EXPECT_EQ(run_hush(as("alice", {"whoami"})).code, 0);  // nothing was damaged
}

TEST_F(CliE2e, ChatInATerminalKeepsTheHalfTypedLine) {
  if (!TmuxServer::available()) GTEST_SKIP() << "tmux is not installed (scripts/install-deps.sh installs it)";
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  auto cmd = [&](const std::string& who, const std::string& peer) {
    std::vector<std::string> argv = {hush_cli_binary()};
    auto rest = as(who, {"chat", peer});
    argv.insert(argv.end(), rest.begin(), rest.end());
    return argv;
  };
  TmuxServer tmux;
  ASSERT_TRUE(tmux.start("alice", cmd("alice", "bob")));
  ASSERT_TRUE(tmux.start("bob", cmd("bob", "alice")));
  std::string screen;
  ASSERT_TRUE(tmux.wait_for("alice", "to bob>", 15s, &screen)) << screen;
  ASSERT_TRUE(tmux.wait_for("bob", "to alice>", 15s, &screen)) << screen;

  // Bob types half a line (with a correction); Alice sends meanwhile.
  tmux.type("bob", "I was just writi");
  tmux.key("bob", "BSpace");
  tmux.key("bob", "BSpace");
  tmux.type("bob", "ting");
  ASSERT_TRUE(tmux.wait_for("bob", "to alice> I was just writing", 5s, &screen)) << screen;
  tmux.type("alice", "are you there?");
  tmux.key("alice", "Enter");
  ASSERT_TRUE(tmux.wait_for("alice", "] me: are you there?", 15s, &screen)) << screen;
  ASSERT_TRUE(tmux.wait_for("bob", "] alice: are you there?", 15s, &screen)) << screen;
  // The message is above the prompt; the prompt and the half-typed line are intact, last.
  const auto bob_lines = lines_of(screen);
  ASSERT_GE(bob_lines.size(), 2u);
  EXPECT_EQ(bob_lines.back(), "to alice> I was just writing") << screen;
  EXPECT_NE(bob_lines[bob_lines.size() - 2].find("] alice: are you there?"), std::string::npos) << screen;

  // Bob finishes the line; Alice sees it; both leave (/quit and Ctrl-C).
  tmux.type("bob", " to you");
  tmux.key("bob", "Enter");
  ASSERT_TRUE(tmux.wait_for("alice", "] bob: I was just writing to you", 15s, &screen)) << screen;
  EXPECT_EQ(lines_of(screen).back(), "to bob>") << screen;
  tmux.type("bob", "/quit");
  tmux.key("bob", "Enter");
  tmux.key("alice", "C-c");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((tmux.alive("alice") || tmux.alive("bob")) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_FALSE(tmux.alive("alice"));
  EXPECT_FALSE(tmux.alive("bob"));

  // What was said is in both histories.
  const CliResult h = run_hush(as("bob", {"history", "alice"}, true));
  EXPECT_NE(h.out.find("\"text\":\"I was just writing to you\""), std::string::npos) << h.out;
}

}  // namespace
}  // namespace hush::testing
