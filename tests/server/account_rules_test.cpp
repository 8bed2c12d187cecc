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
    accounts_ = std::make_unique<AccountService>(*store_, clock_, rng_, config);
  }
  void TearDown() override {
    accounts_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
  FakeClock clock_;
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
  EXPECT_TRUE(accounts_->register_account("user9", RegistrationId{1}, "192.0.2.2"));
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

}  // namespace
}  // namespace hush::server
