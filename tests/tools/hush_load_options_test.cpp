// hush-load's flags: several nodes (--node, --connect), the pairing across
// them, the processes whose CPU is reported (--cpu, --server-pid), and the
// refusals that keep a run on loopback and its flags meaningful.
#include "options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hush::load {
namespace {

/// Parses `flags` after the two every run needs (--ca and a mode).
ParseOutcome parse(std::vector<std::string> flags, Options& out) {
  flags.insert(flags.begin(), {"--ca", "cert.pem", "--max"});
  return parse_options(flags, out);
}

TEST(HushLoadOptions, OneNodeOnTheDefaultPortWhenNoneIsGiven) {
  Options o;
  const auto parsed = parse({}, o);
  ASSERT_TRUE(parsed.run) << parsed.text;
  ASSERT_EQ(o.nodes.size(), 1u);
  EXPECT_EQ(o.nodes[0].host, "127.0.0.1");
  EXPECT_EQ(o.nodes[0].port, 8443);
  EXPECT_EQ(o.pairing, Pairing::same_node);
  EXPECT_TRUE(o.cpu_watches.empty());
}

TEST(HushLoadOptions, NodesAreKeptInOrderAndConnectIsOneOfThem) {
  Options o;
  const auto parsed =
      parse({"--connect", "127.0.0.1:58441", "--node", "127.0.0.2:58442", "--node", "[::1]:58443"}, o);
  ASSERT_TRUE(parsed.run) << parsed.text;
  ASSERT_EQ(o.nodes.size(), 3u);
  EXPECT_EQ(o.nodes[0].port, 58441);
  EXPECT_EQ(o.nodes[1].host, "127.0.0.2");
  EXPECT_EQ(o.nodes[1].port, 58442);
  EXPECT_EQ(o.nodes[2].host, "::1");
  EXPECT_EQ(o.nodes[2].port, 58443);
}

TEST(HushLoadOptions, EveryPairingParses) {
  const std::vector<std::pair<std::string, Pairing>> cases = {
      {"same-node", Pairing::same_node}, {"cross-node", Pairing::cross_node}, {"any", Pairing::any}};
  for (const auto& [name, pairing] : cases) {
    Options o;
    const auto parsed = parse({"--node", "127.0.0.1:1", "--node", "127.0.0.1:2", "--pairing", name}, o);
    ASSERT_TRUE(parsed.run) << name << ": " << parsed.text;
    EXPECT_EQ(o.pairing, pairing) << name;
  }
}

TEST(HushLoadOptions, CrossNodeNeedsTwoNodes) {
  Options o;
  const auto parsed = parse({"--node", "127.0.0.1:58441", "--pairing", "cross-node"}, o);
  EXPECT_FALSE(parsed.run);
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_NE(parsed.text.find("cross-node needs two nodes"), std::string::npos) << parsed.text;
}

TEST(HushLoadOptions, CpuWatchesAreNamedAndServerPidIsHushd) {
  Options o;
  const auto parsed = parse({"--server-pid", "100", "--cpu", "hushd=101", "--cpu", "postgres=200", "--cpu",
                             "redis_server-7=300"},
                            o);
  ASSERT_TRUE(parsed.run) << parsed.text;
  EXPECT_EQ(o.server_pid, 100);
  ASSERT_EQ(o.cpu_watches.size(), 4u);
  EXPECT_EQ(o.cpu_watches[0].component, "hushd");
  EXPECT_EQ(o.cpu_watches[0].pid, 100);
  EXPECT_EQ(o.cpu_watches[1].component, "hushd");
  EXPECT_EQ(o.cpu_watches[1].pid, 101);
  EXPECT_EQ(o.cpu_watches[2].component, "postgres");
  EXPECT_EQ(o.cpu_watches[3].component, "redis_server-7");
  EXPECT_EQ(o.cpu_watches[3].pid, 300);
}

TEST(HushLoadOptions, BadValuesAreRefusedByName) {
  const std::vector<std::vector<std::string>> cases = {
      {"--pairing", "sideways"},      {"--pairing", "same_node"}, {"--cpu", "hushd"},
      {"--cpu", "=5"},                {"--cpu", "hushd=0"},       {"--cpu", "hushd=-3"},
      {"--cpu", "a b=5"},             {"--cpu", "x=5y"},          {"--node", "127.0.0.1"},
      {"--node", "127.0.0.1:0"},      {"--node", "127.0.0.1:70000"},
      {"--server-pid", "0"},
  };
  for (const auto& flags : cases) {
    Options o;
    const auto parsed = parse(flags, o);
    EXPECT_FALSE(parsed.run) << flags[0] << " " << flags[1];
    EXPECT_EQ(parsed.exit_code, 2);
    EXPECT_NE(parsed.text.find("bad value for " + flags[0]), std::string::npos) << parsed.text;
  }
}

TEST(HushLoadOptions, EveryNodeMustBeLoopback) {
  Options o;
  const auto parsed = parse({"--node", "127.0.0.1:58441", "--node", "192.0.2.7:58442"}, o);
  EXPECT_FALSE(parsed.run);
  EXPECT_NE(parsed.text.find("only loopback targets"), std::string::npos) << parsed.text;
}

TEST(HushLoadOptions, AFlagWithoutItsValueIsRefused) {
  Options o;
  const auto parsed = parse({"--node"}, o);
  EXPECT_FALSE(parsed.run);
  EXPECT_NE(parsed.text.find("missing value: --node"), std::string::npos) << parsed.text;
}

}  // namespace
}  // namespace hush::load
