// Conformance, accounts and devices: migrations, usernames, credentials,
// link tokens, device removal. Runs on SQLite and PostgreSQL.
#include "store_fixture.hpp"

#include "storage/migrations.hpp"

namespace hush::server::testing {
namespace {

int latest_migration(Backend b) {
  auto list = b == Backend::sqlite ? storage::sqlite_migrations() : storage::postgres_migrations();
  return list.back().version;
}

TEST_P(StoreConformance, MigrationsRunOnceAndReopenIsIdempotent) {
  ASSERT_EQ(store_->schema_version().value(), latest_migration(GetParam()));
  auto alice = register_user("alice");
  reopen();
  reopen();
  EXPECT_EQ(store_->schema_version().value(), latest_migration(GetParam()));
  auto found = accounts_->find_by_username("alice");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, alice.address.account);
}

// The key every node of one database shares: the first candidate stored
// wins, later callers (and a reopened store) get it, never their own.
TEST_P(StoreConformance, SharedSecretIsStoredOnceAndReturnedToEveryCaller) {
  SecretBytes<32> first;
  first.expose_mut()[0] = 1;
  SecretBytes<32> second;
  second.expose_mut()[0] = 2;
  auto a = store_->shared_secret("registration_challenges", first);
  ASSERT_TRUE(a) << errc_name(a.code());
  EXPECT_TRUE(ct_equal(*a, first));
  auto b = store_->shared_secret("registration_challenges", second);
  ASSERT_TRUE(b);
  EXPECT_TRUE(ct_equal(*b, first));
  auto other = store_->shared_secret("another", second);
  ASSERT_TRUE(other);
  EXPECT_TRUE(ct_equal(*other, second));
  reopen();
  auto c = store_->shared_secret("registration_challenges", second);
  ASSERT_TRUE(c);
  EXPECT_TRUE(ct_equal(*c, first));
}

TEST_P(StoreConformance, UsernamesAreUniqueCaseInsensitively) {
  auto alice = register_user("Alice");
  for (const char* name : {"alice", "ALICE", "aLiCe"}) {
    auto again = accounts_->register_account(name, RegistrationId{7}, "127.0.0.1");
    EXPECT_EQ(again.code(), Errc::conflict) << name;
  }
  auto found = accounts_->find_by_username("ALICE");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, alice.address.account);
  EXPECT_EQ(found->username, "alice");
  EXPECT_EQ(accounts_->find_by_username("bob").code(), Errc::not_found);
}

TEST_P(StoreConformance, CredentialsCheckInConstantTimeAndOnlyForTheirDevice) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  EXPECT_TRUE(accounts_->authenticate(alice.address, alice.credential.expose()));

  Bytes wrong = to_bytes(alice.credential.expose());
  wrong[31] ^= 1;
  EXPECT_EQ(accounts_->authenticate(alice.address, wrong).code(), Errc::unauthorized);
  EXPECT_EQ(accounts_->authenticate(alice.address, ByteView(wrong).first(16)).code(), Errc::unauthorized);
  EXPECT_EQ(accounts_->authenticate(alice.address, bob.credential.expose()).code(), Errc::unauthorized);
  EXPECT_EQ(accounts_->authenticate(DeviceAddress{alice.address.account, DeviceId{2}}, alice.credential.expose()).code(),
            Errc::unauthorized);
  AccountId stranger;
  stranger.bytes.fill(0xAB);
  EXPECT_EQ(accounts_->authenticate(DeviceAddress{stranger, DeviceId{1}}, alice.credential.expose()).code(),
            Errc::unauthorized);
}

TEST_P(StoreConformance, LinkTokensWorkOnceAndExpire) {
  auto alice = register_user("alice");
  auto grant = accounts_->create_link_token(alice.address);
  ASSERT_TRUE(grant);
  auto second = accounts_->link_device(grant->token.expose(), RegistrationId{55}, "192.0.2.1");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->address.account, alice.address.account);
  EXPECT_EQ(second->address.device, DeviceId{2});
  EXPECT_TRUE(accounts_->authenticate(second->address, second->credential.expose()));
  EXPECT_EQ(accounts_->link_device(grant->token.expose(), RegistrationId{56}, "192.0.2.1").code(), Errc::unauthorized)
      << "a token works once";

  auto late = accounts_->create_link_token(alice.address);
  ASSERT_TRUE(late);
  clock_.advance(kLinkTokenLifetime + std::chrono::seconds(1));
  EXPECT_EQ(accounts_->link_device(late->token.expose(), RegistrationId{57}, "192.0.2.1").code(), Errc::unauthorized);
  EXPECT_EQ(accounts_->devices(alice.address.account)->size(), 2u);
  EXPECT_EQ(accounts_->link_device(ByteView(late->token.expose()).first(5), RegistrationId{57}, "192.0.2.1").code(),
            Errc::unauthorized);
}

TEST_P(StoreConformance, DeviceCountIsCappedAndIdsAreNeverReused) {
  auto alice = register_user("alice");
  for (std::uint32_t i = 2; i <= kMaxDevicesPerAccount; ++i) link_device(alice.address, RegistrationId{100 + i});
  auto grant = accounts_->create_link_token(alice.address);
  ASSERT_TRUE(grant);
  EXPECT_EQ(accounts_->link_device(grant->token.expose(), RegistrationId{9}, "192.0.2.1").code(), Errc::quota_exceeded);
  ASSERT_TRUE(accounts_->remove_device(alice.address, DeviceId{3}));
  // The refused link left the token usable.
  auto again = accounts_->link_device(grant->token.expose(), RegistrationId{9}, "192.0.2.1");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->address.device, DeviceId{kMaxDevicesPerAccount + 1}) << "removed id 3 is not reused";
}

TEST_P(StoreConformance, DeviceRemovalDropsItsQueueAndCredential) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto bob2 = link_device(bob.address, RegistrationId{77});
  for (std::uint8_t i = 0; i < 3; ++i) ASSERT_TRUE(send(make_send(alice.address, bob.address.account, i)));
  ASSERT_EQ(messages_->queue_depth(bob2.address).value(), 3u);

  ASSERT_TRUE(accounts_->remove_device(bob.address, bob2.address.device));
  EXPECT_EQ(messages_->queue_depth(bob2.address).value(), 0u);
  EXPECT_TRUE(messages_->pending(bob2.address)->empty());
  EXPECT_EQ(accounts_->authenticate(bob2.address, bob2.credential.expose()).code(), Errc::unauthorized);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 3u) << "the other device keeps its mail";
  EXPECT_EQ(accounts_->remove_device(bob.address, bob2.address.device).code(), Errc::not_found);
  EXPECT_EQ(accounts_->remove_device(bob.address, bob.address.device).code(), Errc::invalid_argument)
      << "the last device stays";

  // A sender with the old list is told device 2 is gone.
  SendRequest stale = make_send(alice.address, bob.address.account, 9);
  stale.copies.push_back(OutgoingCopy{DeviceId{2}, RegistrationId{77}, 1, to_bytes("x")});
  DeviceMismatch mismatch;
  EXPECT_EQ(messages_->send(stale, mismatch).code(), Errc::stale_devices);
  EXPECT_EQ(mismatch.extra, std::vector<DeviceId>{DeviceId{2}});
}

}  // namespace
}  // namespace hush::server::testing
