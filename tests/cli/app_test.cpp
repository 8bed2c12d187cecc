// The command line in-process, no server: `--help` of every command (and
// `help COMMAND`), usage errors exit 1 with a hint, commands in a home
// folder without a store exit 2 without asking for a passphrase, and the
// JSON error object's shape.
#include "app.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

namespace hush::cli {
namespace {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun hush(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  std::istringstream in;
  Io io{in, -1, [env](const char* name) -> std::optional<std::string> {
          auto it = env.find(name);
          if (it == env.end()) return std::nullopt;
          return it->second;
        }};
  std::ostringstream out;
  std::ostringstream err;
  CliRun r;
  r.code = run(args, out, err, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

class EmptyHome : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hush-cli-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    home_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(home_, ec);
  }
  std::string home_;
};

TEST(CliHelp, GlobalHelpListsEveryCommand) {
  for (auto args : {std::vector<std::string>{"--help"}, {"-h"}, {"help"}}) {
    const CliRun r = hush(args);
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("Usage: hush [--home DIR] [--json] [--key-file FILE] COMMAND"), std::string::npos);
    for (const CommandSpec* c : all_commands()) {
      EXPECT_NE(r.out.find("  " + std::string(c->name) + " "), std::string::npos) << c->name;
    }
  }
}

TEST(CliHelp, EveryCommandHasHelpInEveryForm) {
  ASSERT_EQ(all_commands().size(), 15u);  // 13 of issue #6, `group` of #7, `daemon` of #16
  for (const CommandSpec* c : all_commands()) {
    const std::string name(c->name);
    const std::string usage = "Usage: hush [GLOBAL OPTIONS] " + name;
    for (auto args : {std::vector<std::string>{name, "--help"}, {name, "-h"}, {"help", name}, {"--help", name},
                      {"--json", name, "extra", "--help"}}) {
      const CliRun r = hush(args);
      EXPECT_EQ(r.code, 0) << name;
      EXPECT_EQ(r.out.rfind(usage, 0), 0u) << name << ": " << r.out;
      EXPECT_NE(r.out.find("--help"), std::string::npos);
      for (const auto& o : c->options) EXPECT_NE(r.out.find(std::string(o.name)), std::string::npos) << name;
      EXPECT_TRUE(r.err.empty());
    }
  }
}

TEST(CliHelp, VersionAndNoCommand) {
  EXPECT_EQ(hush({"--version"}).out, "hush 0.1.0\n");
  const CliRun none = hush({});
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("Commands:"), std::string::npos);
}

TEST(CliUsage, BadArgumentsExitOneWithAHint) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"send"}, "send: missing USERNAME"},
      {{"send", "bob"}, "send: missing TEXT"},
      {{"send", "bob", "hi", "there"}, "unexpected argument 'there'"},
      {{"receive", "--wait"}, "--wait needs SECONDS"},
      {{"receive", "--wait", "soon"}, "--wait takes whole seconds"},
      {{"history", "bob", "--limit", "0"}, "--limit takes a number"},
      {{"register", "--username", "alice"}, "--server URL is required"},
      {{"register", "--server", "https://x:1"}, "--username NAME is required"},
      {{"link"}, "--server URL is required"},
      {{"devices", "frob", "1"}, "unknown subcommand 'frob'"},
      {{"devices", "approve"}, "devices approve: missing CODE"},
      {{"safety-number", "bob", "--qr=yes"}, "--qr takes no value"},
      {{"whoami", "bob"}, "unexpected argument 'bob'"},
      {{"--bogus", "whoami"}, "unknown global option '--bogus'"},
      {{"whoami", "--home", "/x"}, "unknown option '--home'"},
  };
  for (const auto& c : cases) {
    const CliRun r = hush(c.args);
    EXPECT_EQ(r.code, 1) << c.args[0];
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--help'"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST(CliUsage, JsonUsageErrorIsOneObject) {
  const CliRun r = hush({"--json", "send"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "{\"type\":\"error\",\"error\":\"usage\",\"exit_code\":1,\"message\":\"send: missing USERNAME\"}\n");
}

TEST_F(EmptyHome, CommandsWithoutAStoreExitTwoWithoutAskingForAPassphrase) {
  for (auto args : {std::vector<std::string>{"whoami"}, {"send", "bob", "hi"}, {"receive"}, {"listen"},
                    {"chat", "bob"}, {"history", "bob"}, {"safety-number", "bob"}, {"verify", "bob"},
                    {"trust", "bob"}, {"contacts"}, {"devices"}, {"devices", "remove", "2"}}) {
    std::vector<std::string> full = {"--home", home_};
    full.insert(full.end(), args.begin(), args.end());
    const CliRun r = hush(full);
    EXPECT_EQ(r.code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("hush: not found (no store in the home folder)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("hint: no account here"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("assphrase:"), std::string::npos);
  }
}

TEST_F(EmptyHome, JsonErrorObjectShape) {
  const CliRun r = hush({"--home", home_, "--json", "whoami"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err.rfind("{\"type\":\"error\",\"error\":\"not_found\",\"exit_code\":2,\"message\":\"not found\","
                        "\"context\":\"no store in the home folder\",\"hint\":\"no account here",
                        0),
            0u)
      << r.err;
  EXPECT_EQ(r.err.back(), '\n');
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1);  // one line
}

TEST_F(EmptyHome, RegisterWithoutAPassphraseSourceExitsFour) {
  const CliRun r = hush({"--home", home_ + "/new", "register", "--server", "https://127.0.0.1:1", "--username", "a"});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("no passphrase: set HUSH_PASSPHRASE, pass --key-file, or run on a terminal"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(home_ + "/new/hush.db"));
}

TEST_F(EmptyHome, RegisterRefusesAMissingCaFile) {
  const CliRun r = hush({"--home", home_, "register", "--server", "https://127.0.0.1:1", "--username", "a", "--ca",
                      home_ + "/nope.pem"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("CA certificate file"), std::string::npos);
}

}  // namespace
}  // namespace hush::cli
