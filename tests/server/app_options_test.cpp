// hushd's settings: --version, the TOML config refusing unknown keys and
// wrong types by name (a typo must not silently leave a default in force),
// and --cert-host / cert_hosts.
#include "app/options.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace hush::server::app {
namespace {

class AppOptions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hush-app-options-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// Parses `flags` after `--config FILE` holding `toml`.
  ParseOutcome parse_config(const std::string& toml, Options& out) {
    const auto path = (dir_ / "hushd.toml").string();
    std::ofstream(path) << toml;
    return parse_options({"--config", path}, out);
  }

  std::filesystem::path dir_;
};

TEST_F(AppOptions, VersionPrintsTheProjectVersionAndExitsZero) {
  Options o;
  const auto parsed = parse_options({"--version"}, o);
  EXPECT_FALSE(parsed.run);
  EXPECT_EQ(parsed.exit_code, 0);
  EXPECT_EQ(parsed.text, std::string("hushd ") + version() + "\n");
  EXPECT_NE(std::string(version()).find('.'), std::string::npos);
}

TEST_F(AppOptions, KnownKeysOfTheRightTypeApply) {
  Options o;
  const auto parsed = parse_config(
      "data = \"/srv/hush\"\nlisten = \"0.0.0.0:9443\"\nqueue_cap = 50\nplain_tcp = false\n"
      "cert_hosts = [\"chat.example.org\", \"192.0.2.7\"]\nregistration_burst = 7\nlookup_per_minute = 2.5\n",
      o);
  ASSERT_TRUE(parsed.run) << parsed.text;
  EXPECT_EQ(o.data_dir, "/srv/hush");
  EXPECT_EQ(o.port, 9443);
  EXPECT_EQ(o.queue_cap, 50u);
  EXPECT_EQ(o.cert_hosts, (std::vector<std::string>{"chat.example.org", "192.0.2.7"}));
  EXPECT_EQ(o.registration_burst, 7.0);  // a rate may be written as an integer
  EXPECT_EQ(o.lookup_per_minute, 2.5);
}

// Unset, the mailbox poll is chosen by backend at start (negative here);
// set, it is taken as given, 0 meaning never; negative is refused.
TEST_F(AppOptions, MailboxPollIntervalIsUnsetByDefaultAndCheckedWhenSet) {
  Options unset;
  ASSERT_TRUE(parse_config("queue_cap = 5\n", unset).run);
  EXPECT_LT(unset.mailbox_poll_interval.count(), 0);
  Options o;
  const auto parsed = parse_config("mailbox_poll_interval_ms = 250\n", o);
  ASSERT_TRUE(parsed.run) << parsed.text;
  EXPECT_EQ(o.mailbox_poll_interval, std::chrono::milliseconds(250));
  Options off;
  ASSERT_TRUE(parse_config("mailbox_poll_interval_ms = 0\n", off).run);
  EXPECT_EQ(off.mailbox_poll_interval.count(), 0);
  Options bad;
  const auto refused = parse_config("mailbox_poll_interval_ms = -1\n", bad);
  EXPECT_FALSE(refused.run);
  EXPECT_NE(refused.text.find("mailbox_poll_interval_ms"), std::string::npos) << refused.text;
}

// The safety-net poll while Redis carries wake-ups: 30 s unless set; it
// must be a positive integer, and a wrong type is named like any other key.
TEST_F(AppOptions, TheMailboxPollWithRedisIsASettingThatMustBePositive) {
  Options unset;
  ASSERT_TRUE(parse_config("queue_cap = 5\n", unset).run);
  EXPECT_EQ(unset.mailbox_poll_with_redis, std::chrono::seconds(30));
  Options o;
  const auto parsed = parse_config("mailbox_poll_with_redis_ms = 120000\n", o);
  ASSERT_TRUE(parsed.run) << parsed.text;
  EXPECT_EQ(o.mailbox_poll_with_redis, std::chrono::minutes(2));
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"mailbox_poll_with_redis_ms = 0\n", "mailbox_poll_with_redis_ms must be positive"},
      {"mailbox_poll_with_redis_ms = -5\n", "mailbox_poll_with_redis_ms must be positive"},
      {"mailbox_poll_with_redis_ms = \"30000\"\n", "mailbox_poll_with_redis_ms must be an integer"},
      {"mailbox_poll_with_redis_ms = 1.5\n", "mailbox_poll_with_redis_ms must be an integer"},
  };
  for (const auto& [toml, message] : refused) {
    Options bad;
    const auto outcome = parse_config(toml, bad);
    EXPECT_FALSE(outcome.run) << toml;
    EXPECT_EQ(outcome.exit_code, 2) << toml;
    EXPECT_NE(outcome.text.find(message), std::string::npos) << toml << " -> " << outcome.text;
    EXPECT_EQ(bad.mailbox_poll_with_redis, std::chrono::seconds(30)) << "left as it was: " << toml;
  }
}

TEST_F(AppOptions, TheSenderShareIsConfigurableAndZeroTurnsItOff) {
  Options o;
  EXPECT_EQ(o.sender_share, 1000u) << "a tenth of the queue cap by default";
  auto parsed = parse_config("sender_share = 250\n", o);
  ASSERT_TRUE(parsed.run) << parsed.text;
  EXPECT_EQ(o.sender_share, 250u);
  parsed = parse_config("sender_share = 0\n", o);
  ASSERT_TRUE(parsed.run) << parsed.text;
  EXPECT_EQ(o.sender_share, 0u);
  parsed = parse_config("sender_share = -1\n", o);
  EXPECT_FALSE(parsed.run);
  EXPECT_NE(parsed.text.find("sender_share must not be negative"), std::string::npos) << parsed.text;
}

TEST_F(AppOptions, AnUnknownKeyIsAnErrorThatNamesItAndItsLine) {
  Options o;
  const auto parsed = parse_config("data = \"/srv/hush\"\nqueue_capp = 50\n", o);
  EXPECT_FALSE(parsed.run);
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_NE(parsed.text.find("unknown key queue_capp"), std::string::npos) << parsed.text;
  EXPECT_NE(parsed.text.find("line 2"), std::string::npos) << parsed.text;
}

TEST_F(AppOptions, AnUnknownTableIsAnError) {
  Options o;
  const auto parsed = parse_config("[limits]\nqueue_cap = 5\n", o);
  EXPECT_FALSE(parsed.run);
  EXPECT_NE(parsed.text.find("unknown key limits"), std::string::npos) << parsed.text;
}

TEST_F(AppOptions, AWrongTypeIsAnErrorThatNamesTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"queue_cap = \"50\"\n", "queue_cap must be an integer"},
      {"queue_cap = 1.5\n", "queue_cap must be an integer"},
      {"plain_tcp = 1\n", "plain_tcp must be true or false"},
      {"data = 7\n", "data must be a string"},
      {"registration_burst = \"5\"\n", "registration_burst must be a number"},
      {"cert_hosts = \"chat.example.org\"\n", "cert_hosts must be an array of strings"},
      {"cert_hosts = [\"a.example\", 3]\n", "cert_hosts must be an array of strings"},
  };
  for (const auto& [toml, message] : cases) {
    Options o;
    const auto parsed = parse_config(toml, o);
    EXPECT_FALSE(parsed.run) << toml;
    EXPECT_NE(parsed.text.find(message), std::string::npos) << toml << " -> " << parsed.text;
  }
}

TEST_F(AppOptions, CertHostFlagsAccumulate) {
  Options o;
  const auto parsed = parse_options({"--cert-host", "a.example", "--cert-host", "10.1.2.3"}, o);
  ASSERT_TRUE(parsed.run) << parsed.text;
  EXPECT_EQ(o.cert_hosts, (std::vector<std::string>{"a.example", "10.1.2.3"}));
}

}  // namespace
}  // namespace hush::server::app
