// The `hush` binary end to end against a real hushd (TLS, SQLite, ephemeral
// loopback port): register, send and `receive --json` as child processes,
// exit codes of real failures, the passphrase from the environment, listen
// until SIGTERM, linking a second device, and `chat` in a real terminal
// (tmux): a message arrives while a half-typed line stays intact.
// If the SDK answers `unavailable` (not implemented yet) the tests skip,
// saying which call.
#include "cli_runner.hpp"
#include "hushd_process.hpp"
#include "tmux_session.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>

namespace hush::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// The string value of `key` in a one-line JSON object (no escapes expected).
std::string json_field(const std::string& line, const std::string& key) {
  const std::string k = "\"" + key + "\":";
  auto at = line.find(k);
  if (at == std::string::npos) return {};
  at += k.size();
  if (line[at] == '"') {
    const auto end = line.find('"', at + 1);
    return line.substr(at + 1, end - at - 1);
  }
  const auto end = line.find_first_of(",}", at);
  return line.substr(at, end - at);
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < s.size()) {
    auto nl = s.find('\n', from);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(from, nl - from));
    from = nl + 1;
  }
  return out;
}

class CliE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hush-cli-e2e-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    HushdOptions o;
    o.data_dir = (root_ / "hushd").string();
    hushd_ = std::make_unique<HushdProcess>(o);
    ASSERT_TRUE(hushd_->start()) << hushd_->log();
  }
  void TearDown() override {
    if (hushd_) hushd_->stop();
    std::error_code ec;
    if (std::getenv("HUSH_KEEP_TEST_DATA") == nullptr) fs::remove_all(root_, ec);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(hushd_->port()); }
  std::string home(const std::string& who) const { return (root_ / who).string(); }
  std::string key(const std::string& who) const { return (root_ / (who + ".key")).string(); }
  /// Global options of `who` (a home folder and its key file).
  std::vector<std::string> as(const std::string& who, std::vector<std::string> args, bool json = false) const {
    std::vector<std::string> full = {"--home", home(who), "--key-file", key(who)};
    if (json) full.emplace_back("--json");
    full.insert(full.end(), args.begin(), args.end());
    return full;
  }
  /// Registers `who`; false (and a skip or failure recorded) if it did not work.
  bool register_user(const std::string& who, const std::string& username = {}) {
    const CliResult r =
        run_hush(as(who, {"register", "--server", url(), "--username", username.empty() ? who : username, "--ca",
                          hushd_->cert_file()},
                    true));
    if (r.code == 5 && r.err.find("\"unavailable\"") != std::string::npos) {
      skip_reason_ = "the SDK's register_account returns unavailable (not implemented yet): " + r.err;
      return false;
    }
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json_field(r.out, "type"), "identity") << r.out;
    EXPECT_EQ(json_field(r.out, "username"), username.empty() ? who : username);
    return r.code == 0;
  }

  fs::path root_;
  std::unique_ptr<HushdProcess> hushd_;
  std::string skip_reason_;
};

#define REGISTER_OR_SKIP(who)                                   \
  do {                                                          \
    if (!register_user(who)) {                                  \
      if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;  \
      return;                                                   \
    }                                                           \
  } while (0)

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
  EXPECT_EQ(run_hush(as("alice", {"verify", "bob"})).code, 0);
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
  CliProcess link(as("alice-laptop", {"link", "--server", url(), "--ca", hushd_->cert_file()}, true));
  auto offer = link.read_line(20s);
  ASSERT_TRUE(offer) << link.wait(1s).err;
  ASSERT_EQ(json_field(*offer, "type"), "link_offer") << *offer;
  const std::string code = json_field(*offer, "code");
  const CliResult approved = run_hush(as("alice", {"devices", "approve", code}, true));
  ASSERT_EQ(approved.code, 0) << approved.err;
  const std::string envelope = json_field(approved.out, "envelope");
  ASSERT_EQ(envelope.rfind("hush-provision:", 0), 0u) << approved.out;
  link.write(envelope + "\n");
  const CliResult linked = link.wait(30s);
  ASSERT_EQ(linked.code, 0) << linked.err;
  EXPECT_NE(linked.out.find("\"username\":\"alice\""), std::string::npos) << linked.out;
  EXPECT_EQ(json_field(lines_of(linked.out).back(), "device_id"), "2");

  const CliResult devices = run_hush(as("alice", {"devices"}, true));
  EXPECT_EQ(lines_of(devices.out).size(), 2u) << devices.out;

  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "to both"})).code, 0);
  for (const char* device : {"alice", "alice-laptop"}) {
    const CliResult got = run_hush(as(device, {"receive", "--wait", "5"}, true));
    EXPECT_EQ(json_field(got.out, "text"), "to both") << device << ": " << got.out << got.err;
  }
  const CliResult removed = run_hush(as("alice", {"devices", "remove", "2"}));
  EXPECT_EQ(removed.code, 0) << removed.err;
  EXPECT_EQ(lines_of(run_hush(as("alice", {"devices"}, true)).out).size(), 1u);
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
