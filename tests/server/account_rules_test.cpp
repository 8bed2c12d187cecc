// AccountService rules on a SQLite store with a FakeClock: username rules,
// registration ids, and the registration rate limit per client address.
#include "service/account_service.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <filesystem>

namespace hush::server {
namespace {

class AccountRules : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hush-acct-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = storage::open_store("sqlite:" + dir_ + "/hush.db", storage::StoreOptions{1, 16});
    ASSERT_TRUE(s);
    store_ = std::move(*s);
    AccountServiceConfig config;
    config.registration_limit = RateLimit{3, 1.0 / 60, 1000};
    accounts_ = std::make_unique<AccountService>(*store_, clock_, rng_, config, &metrics_);
  }
  void TearDown() override {
    accounts_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
  FakeClock clock_;
  AbuseMetrics metrics_;
  hush::testing::DeterministicRng rng_{7};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<AccountService> accounts_;
};

TEST(UsernameRules, AcceptsAndLowerCasesValidNames) {
  EXPECT_EQ(AccountService::normalize_username("Alice").value(), "alice");
  EXPECT_EQ(AccountService::normalize_username("bob_99.x-y").value(), "bob_99.x-y");
  EXPECT_EQ(AccountService::normalize_username("abc").value(), "abc");
  EXPECT_TRUE(AccountService::normalize_username(std::string(kMaxUsernameLength, 'z')));
}

TEST(UsernameRules, RefusesEverythingElse) {
  for (std::string_view bad : {"", "ab", "1abc", "_abc", ".abc", "-abc", "al ice", "alice!", "al\xc3\xa9", "a\0bc",
                               "alice@example", "ALICE/"}) {
    EXPECT_EQ(AccountService::normalize_username(bad).code(), Errc::invalid_argument) << bad;
  }
  EXPECT_EQ(AccountService::normalize_username(std::string(kMaxUsernameLength + 1, 'z')).code(),
            Errc::invalid_argument);
  EXPECT_EQ(AccountService::normalize_username(std::string_view("abc\0", 4)).code(), Errc::invalid_argument);
}

TEST_F(AccountRules, RegistrationIdsOutsideSignalsRangeAreRefused) {
  EXPECT_EQ(accounts_->register_account("alice", RegistrationId{0}, "a").code(), Errc::invalid_argument);
  EXPECT_EQ(accounts_->register_account("alice", RegistrationId{kMaxRegistrationId + 1}, "b").code(),
            Errc::invalid_argument);
  EXPECT_TRUE(accounts_->register_account("alice", RegistrationId{kMaxRegistrationId}, "c"));
}

TEST_F(AccountRules, RegistrationIsRateLimitedPerClientAddress) {
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(accounts_->register_account("user" + std::to_string(i), RegistrationId{1}, "192.0.2.1"));
  EXPECT_EQ(accounts_->register_account("user9", RegistrationId{1}, "192.0.2.1").code(), Errc::rate_limited);
  EXPECT_EQ(accounts_->find_by_username("user9").code(), Errc::not_found) << "nothing stored";
  EXPECT_TRUE(accounts_->register_account("user9", RegistrationId{1}, "192.0.3.2"));
  clock_.advance(std::chrono::minutes(1));
  EXPECT_TRUE(accounts_->register_account("user10", RegistrationId{1}, "192.0.2.1"));
  EXPECT_EQ(accounts_->register_account("user11", RegistrationId{1}, "192.0.2.1").code(), Errc::rate_limited);
}

TEST_F(AccountRules, FailedAttemptsCountAgainstTheLimitToo) {
  EXPECT_TRUE(accounts_->register_account("alice", RegistrationId{1}, "198.51.100.7"));
  EXPECT_EQ(accounts_->register_account("alice", RegistrationId{1}, "198.51.100.7").code(), Errc::conflict);
  EXPECT_EQ(accounts_->register_account("1bad", RegistrationId{1}, "198.51.100.7").code(), Errc::invalid_argument);
  EXPECT_EQ(accounts_->register_account("bob", RegistrationId{1}, "198.51.100.7").code(), Errc::rate_limited);
}

TEST_F(AccountRules, CredentialsAreRandomAndOnlyTheirHashIsStored) {
  auto a = accounts_->register_account("alice", RegistrationId{1}, "x");
  auto b = accounts_->register_account("bob", RegistrationId{1}, "x");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(ct_equal(a->credential, b->credential));
  EXPECT_NE(a->address.account, b->address.account);
  auto stored = store_->get_credential(a->address);
  ASSERT_TRUE(stored);
  EXPECT_FALSE(ct_equal(stored->credential_hash, a->credential.expose())) << "the server keeps a hash";
}

TEST(AddressPrefix, CountsIpv4Per24AndIpv6Per56) {
  EXPECT_EQ(address_prefix("192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(address_prefix("2001:db8:aa:bbcc:1::9"), "2001:db8:aa:bb00::/56");
  EXPECT_EQ(address_prefix("::ffff:198.51.100.9"), "198.51.100.0/24") << "v4-mapped counts as v4";
  EXPECT_EQ(address_prefix("10.1.2.3", 32, 128), "10.1.2.3/32");
  EXPECT_EQ(address_prefix("not an address"), "not an address");
}

// Attack: one host holding a /24 (or an IPv6 /56) used to get 5
// registrations per address, i.e. 1,280 at once from a /24.
TEST_F(AccountRules, RegistrationIsLimitedPerAddressPrefix) {
  for (int i = 0; i < 3; ++i) {
    const std::string address = "203.0.113." + std::to_string(10 + i);
    EXPECT_TRUE(accounts_->register_account("v4user" + std::to_string(i), RegistrationId{1}, address));
  }
  EXPECT_EQ(accounts_->register_account("v4user9", RegistrationId{1}, "203.0.113.200").code(), Errc::rate_limited);
  for (int i = 0; i < 3; ++i) {
    const std::string address = "2001:db8:0:" + std::to_string(10 + i) + "::1";  // one /56: 2001:db8:0:0..ff
    EXPECT_TRUE(accounts_->register_account("v6user" + std::to_string(i), RegistrationId{1}, address));
  }
  EXPECT_EQ(accounts_->register_account("v6user9", RegistrationId{1}, "2001:db8:0:ff::9").code(), Errc::rate_limited);
  EXPECT_TRUE(accounts_->register_account("v6user9", RegistrationId{1}, "2001:db8:0:100::9")) << "next /56";
  EXPECT_EQ(metrics_.registrations_prefix_limited.load(), 2u);
}

class RegistrationFlood : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hush-acct-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = storage::open_store("sqlite:" + dir_ + "/hush.db", storage::StoreOptions{1, 16});
    ASSERT_TRUE(s);
    store_ = std::move(*s);
    AccountServiceConfig config;
    config.registration_limit = RateLimit{1, 1.0 / 60, 4};  // a table of 4 prefixes
    config.registration_global = RateLimit{6, 1.0, 1};
    accounts_ = std::make_unique<AccountService>(*store_, clock_, rng_, config, &metrics_);
  }
  void TearDown() override {
    accounts_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
  FakeClock clock_;
  hush::testing::DeterministicRng rng_{9};
  AbuseMetrics metrics_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<AccountService> accounts_;
};

// Attack: filling the tracked-address table used to refuse every new
// address (fail closed). Now a prefix the table cannot track falls back to
// the global rate: new users still get in, at the global pace.
TEST_F(RegistrationFlood, AFullTableFallsBackToTheGlobalRateInsteadOfRefusingEveryone) {
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(accounts_->register_account("fill" + std::to_string(i), RegistrationId{1},
                                            "198.18." + std::to_string(i) + ".1"));
  }
  // The table is full of buckets still refilling; a new prefix is untracked.
  EXPECT_TRUE(accounts_->register_account("newcomer", RegistrationId{1}, "198.19.0.1"));
  EXPECT_TRUE(accounts_->register_account("newcomer2", RegistrationId{1}, "198.19.1.1"));
  EXPECT_EQ(metrics_.registrations_untracked.load(), 2u);
  // The global bucket (6) is now empty: everyone waits for it.
  EXPECT_EQ(accounts_->register_account("newcomer3", RegistrationId{1}, "198.19.2.1").code(), Errc::rate_limited);
  EXPECT_EQ(metrics_.registrations_global_limited.load(), 1u);
  clock_.advance(std::chrono::seconds(1));
  EXPECT_TRUE(accounts_->register_account("newcomer3", RegistrationId{1}, "198.19.2.1"));
}

// Attack: link registrations were not limited at all.
TEST_F(RegistrationFlood, LinksCountAgainstTheRegistrationLimits) {
  auto owner = accounts_->register_account("owner", RegistrationId{1}, "192.0.2.1");
  ASSERT_TRUE(owner);
  auto token = accounts_->create_link_token(owner->address);
  ASSERT_TRUE(token);
  EXPECT_EQ(accounts_->link_device(token->token.expose(), RegistrationId{2}, "192.0.2.9").code(), Errc::rate_limited)
      << "the /24 already registered once (burst 1)";
  EXPECT_TRUE(accounts_->link_device(token->token.expose(), RegistrationId{2}, "192.0.3.9"));
  EXPECT_EQ(metrics_.registrations_prefix_limited.load(), 1u);
}

// Attack: unlimited username lookups enumerate the directory.
TEST_F(AccountRules, UsernameLookupsAreLimitedPerAccount) {
  auto alice = accounts_->register_account("alice", RegistrationId{1}, "x");
  ASSERT_TRUE(alice);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(accounts_->lookup_username(alice->address, "nobody" + std::to_string(i)).code(), Errc::not_found);
  }
  EXPECT_EQ(accounts_->lookup_username(alice->address, "alice").code(), Errc::rate_limited);
  EXPECT_EQ(metrics_.lookups_limited.load(), 1u);
  clock_.advance(std::chrono::seconds(6));
  EXPECT_TRUE(accounts_->lookup_username(alice->address, "alice"));
}

}  // namespace
}  // namespace hush::server
