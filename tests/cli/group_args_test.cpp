// `hush group` without a server: every subcommand's arguments, the usage
// errors (exit 1), and a home folder without a store (exit 2, nothing asked).
#include "app.hpp"
#include "cmd/group_request.hpp"
#include "command.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace hush::cli {
namespace {

std::optional<GroupRequest> parse(std::vector<std::string> args, std::string& error) {
  const CommandSpec* spec = find_command("group");
  EXPECT_NE(spec, nullptr);
  ParsedArgs parsed;
  if (!parse_command_args(args, spec->options, spec->positionals, spec->min_positionals, parsed, error)) {
    return std::nullopt;
  }
  return parse_group_request(parsed, error);
}

TEST(GroupArgs, EverySubcommand) {
  std::string error;
  auto create = parse({"create", "friends", "--members", "bob, carol,,dave"}, error);
  ASSERT_TRUE(create) << error;
  EXPECT_EQ(create->verb, GroupRequest::Verb::create);
  EXPECT_EQ(create->name, "friends");
  EXPECT_EQ(create->members, (std::vector<std::string>{"bob", "carol", "dave"}));
  auto create2 = parse({"create", "--members=bob", "x"}, error);
  ASSERT_TRUE(create2) << error;
  EXPECT_EQ(create2->members, (std::vector<std::string>{"bob"}));

  auto send = parse({"send", "friends", "hello all"}, error);
  ASSERT_TRUE(send);
  EXPECT_EQ(send->verb, GroupRequest::Verb::send);
  EXPECT_EQ(send->group, "friends");
  EXPECT_EQ(send->argument, "hello all");
  auto add = parse({"add", "friends", "erin"}, error);
  ASSERT_TRUE(add);
  EXPECT_EQ(add->verb, GroupRequest::Verb::add);
  EXPECT_EQ(add->argument, "erin");
  EXPECT_EQ(parse({"remove", "friends", "erin"}, error)->verb, GroupRequest::Verb::remove);
  EXPECT_EQ(parse({"leave", "friends"}, error)->verb, GroupRequest::Verb::leave);
  auto rename = parse({"rename", "friends", "pals"}, error);
  ASSERT_TRUE(rename);
  EXPECT_EQ(rename->group, "friends");
  EXPECT_EQ(rename->name, "pals");
  EXPECT_EQ(parse({"info", "friends"}, error)->verb, GroupRequest::Verb::info);
  EXPECT_EQ(parse({"list"}, error)->verb, GroupRequest::Verb::list);
  EXPECT_EQ(parse({}, error)->verb, GroupRequest::Verb::list);
  auto history = parse({"history", "friends", "--limit", "7"}, error);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->limit, 7u);
  EXPECT_EQ(parse({"history", "friends"}, error)->limit, 50u);
  EXPECT_EQ(parse({"send", "friends", "--", "--not-an-option"}, error)->argument, "--not-an-option");
}

TEST(GroupArgs, UsageErrors) {
  std::string error;
  EXPECT_FALSE(parse({"frobnicate", "x"}, error));
  EXPECT_NE(error.find("unknown subcommand"), std::string::npos);
  EXPECT_FALSE(parse({"create", "friends"}, error));
  EXPECT_NE(error.find("--members is required"), std::string::npos);
  EXPECT_FALSE(parse({"create", "friends", "--members", ", ,"}, error));
  EXPECT_FALSE(parse({"send", "friends"}, error));
  EXPECT_NE(error.find("usage: hush group send GROUP TEXT"), std::string::npos);
  EXPECT_FALSE(parse({"add", "friends"}, error));
  EXPECT_FALSE(parse({"leave"}, error));
  EXPECT_FALSE(parse({"list", "extra"}, error));
  EXPECT_FALSE(parse({"info", "friends", "--members", "bob"}, error));
  EXPECT_NE(error.find("--members goes with create"), std::string::npos);
  EXPECT_FALSE(parse({"history", "friends", "--limit", "0"}, error));
  EXPECT_FALSE(parse({"send", "friends", "--limit", "3", "hi"}, error));
  EXPECT_FALSE(parse({"rename", "friends", ""}, error));
  EXPECT_FALSE(parse({"info", "a", "b", "c"}, error));  // more positionals than the spec allows
}

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

Run hush(std::vector<std::string> args) {
  std::istringstream in;
  Io io{in, -1, [](const char*) -> std::optional<std::string> { return std::nullopt; }};
  std::ostringstream out;
  std::ostringstream err;
  Run r;
  r.code = run(args, out, err, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(GroupCli, UsageExitsOneAndNoStoreExitsTwo) {
  auto bad = hush({"group", "send", "friends"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("usage: hush group send GROUP TEXT"), std::string::npos) << bad.err;
  auto json = hush({"--json", "group", "create", "x"});
  EXPECT_EQ(json.code, 1);
  EXPECT_EQ(json.err.rfind("{\"type\":\"error\",\"error\":\"usage\"", 0), 0u) << json.err;

  char tmpl[] = "/tmp/hush-group-cli-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  for (auto args : {std::vector<std::string>{"group", "list"}, {"group", "info", "x"}, {"group", "send", "x", "hi"},
                    {"group", "create", "x", "--members", "bob"}}) {
    std::vector<std::string> full = {"--home", tmpl};
    full.insert(full.end(), args.begin(), args.end());
    auto r = hush(full);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(r.err.find("assphrase:"), std::string::npos);
  }
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace hush::cli
