// Argument parsing: global options before the command, defaults of --home,
// per-command options in both spellings, positional counts, `--`.
#include "args.hpp"

#include <gtest/gtest.h>

#include <map>

namespace hush::cli {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ParseGlobal, OptionsBeforeTheCommand) {
  GlobalOptions g;
  std::string error;
  ASSERT_TRUE(parse_global({"--home", "/h", "--json", "--key-file=/k", "send", "bob", "--json"}, env_of({}), g, error));
  EXPECT_EQ(g.home, "/h");
  EXPECT_TRUE(g.json);
  ASSERT_TRUE(g.key_file);
  EXPECT_EQ(*g.key_file, "/k");
  EXPECT_EQ(g.command, "send");
  EXPECT_EQ(g.rest, (std::vector<std::string>{"bob", "--json"}));  // after the command: the command's
}

TEST(ParseGlobal, HomeDefaultsToHushHomeThenDotHush) {
  GlobalOptions a;
  std::string error;
  ASSERT_TRUE(parse_global({"whoami"}, env_of({{"HUSH_HOME", "/x"}, {"HOME", "/u"}}), a, error));
  EXPECT_EQ(a.home, "/x");
  GlobalOptions b;
  ASSERT_TRUE(parse_global({"whoami"}, env_of({{"HOME", "/u"}}), b, error));
  EXPECT_EQ(b.home, "/u/.hush");
  GlobalOptions c;
  ASSERT_TRUE(parse_global({"whoami"}, env_of({{"HUSH_HOME", ""}, {"HOME", "/u"}}), c, error));
  EXPECT_EQ(c.home, "/u/.hush");
}

TEST(ParseGlobal, RefusesUnknownAndValuelessOptions) {
  GlobalOptions g;
  std::string error;
  EXPECT_FALSE(parse_global({"--wat", "whoami"}, env_of({}), g, error));
  EXPECT_NE(error.find("--wat"), std::string::npos);
  GlobalOptions h;
  EXPECT_FALSE(parse_global({"--home"}, env_of({}), h, error));
  GlobalOptions k;
  EXPECT_FALSE(parse_global({"--key-file="}, env_of({}), k, error));
  GlobalOptions j;
  EXPECT_FALSE(parse_global({"--json=1", "whoami"}, env_of({}), j, error));
}

TEST(ParseGlobal, HelpAndNoCommand) {
  GlobalOptions g;
  std::string error;
  ASSERT_TRUE(parse_global({"--help"}, env_of({}), g, error));
  EXPECT_TRUE(g.help);
  EXPECT_TRUE(g.command.empty());
}

const std::vector<OptionSpec> kOptions = {{"--wait", "SECONDS", ""}, {"--qr", "", ""}};

TEST(ParseCommandArgs, ValuesFlagsAndPositionalsInAnyOrder) {
  ParsedArgs a;
  std::string error;
  ASSERT_TRUE(parse_command_args({"bob", "--wait", "5", "--qr"}, kOptions, {"USERNAME"}, 1, a, error)) << error;
  EXPECT_EQ(a.positionals, std::vector<std::string>{"bob"});
  EXPECT_EQ(a.value("--wait"), "5");
  EXPECT_TRUE(a.flag("--qr"));
  ParsedArgs b;
  ASSERT_TRUE(parse_command_args({"--wait=7", "bob"}, kOptions, {"USERNAME"}, 1, b, error));
  EXPECT_EQ(b.value("--wait"), "7");
  EXPECT_FALSE(b.flag("--qr"));
}

TEST(ParseCommandArgs, CountsAndErrorsNameTheMissingPart) {
  ParsedArgs a;
  std::string error;
  EXPECT_FALSE(parse_command_args({}, kOptions, {"USERNAME", "TEXT"}, 2, a, error));
  EXPECT_EQ(error, "missing USERNAME");
  ParsedArgs b;
  EXPECT_FALSE(parse_command_args({"bob"}, kOptions, {"USERNAME", "TEXT"}, 2, b, error));
  EXPECT_EQ(error, "missing TEXT");
  ParsedArgs c;
  EXPECT_FALSE(parse_command_args({"bob", "hi", "extra"}, kOptions, {"USERNAME", "TEXT"}, 2, c, error));
  EXPECT_NE(error.find("extra"), std::string::npos);
  ParsedArgs d;
  EXPECT_FALSE(parse_command_args({"--nope"}, kOptions, {}, 0, d, error));
  ParsedArgs e;
  EXPECT_FALSE(parse_command_args({"--wait"}, kOptions, {}, 0, e, error));
  EXPECT_EQ(error, "--wait needs SECONDS");
  ParsedArgs f;
  EXPECT_FALSE(parse_command_args({"--qr=1"}, kOptions, {}, 0, f, error));
}

TEST(ParseCommandArgs, DoubleDashAndLoneDashArePositional) {
  ParsedArgs a;
  std::string error;
  ASSERT_TRUE(parse_command_args({"bob", "--", "--qr"}, kOptions, {"USERNAME", "TEXT"}, 2, a, error));
  EXPECT_EQ(a.positionals, (std::vector<std::string>{"bob", "--qr"}));
  ParsedArgs b;
  ASSERT_TRUE(parse_command_args({"bob", "-"}, kOptions, {"USERNAME", "TEXT"}, 2, b, error));
  EXPECT_EQ(b.positionals[1], "-");
}

TEST(ParseCommandArgs, HelpSkipsTheCountChecks) {
  ParsedArgs a;
  std::string error;
  ASSERT_TRUE(parse_command_args({"-h"}, kOptions, {"USERNAME", "TEXT"}, 2, a, error));
  EXPECT_TRUE(a.help);
}

TEST(ParseCount, RangeAndJunk) {
  EXPECT_EQ(parse_count("0", 10), 0u);
  EXPECT_EQ(parse_count("10", 10), 10u);
  EXPECT_FALSE(parse_count("11", 10));
  EXPECT_FALSE(parse_count("-1", 10));
  EXPECT_FALSE(parse_count("5s", 10));
  EXPECT_FALSE(parse_count("", 10));
}

}  // namespace
}  // namespace hush::cli
