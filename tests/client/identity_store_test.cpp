// Trust rules of the SQLite identity store: first use trusted, a changed key
// refused in both directions until accepted, verification undone by a change,
// a history of changes, and our own identity.
#include "store_fixture.hpp"

#include <hush/client/store/identity_store.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::client::fixture {
namespace {

using signal::Direction;

class IdentityStoreTest : public ::testing::Test {
 protected:
  IdentityStoreTest() : rng_(11) {
    auto made = store::LocalStore::create(home_.home(), test_passphrase("pw"), crypto::system_rng(),
                                          [this] { return now_; });
    HUSH_CHECK(made.has_value());
    store_ = std::move(made).value();
    ids_ = std::make_unique<store::SqliteIdentityKeyStore>(*store_);
  }
  signal::IdentityKey new_key() { return signal::IdentityKeyPair::generate(rng_).public_key; }

  TempHome home_;
  std::uint64_t now_ = 100;
  hush::testing::DeterministicRng rng_;
  std::unique_ptr<store::LocalStore> store_;
  std::unique_ptr<store::SqliteIdentityKeyStore> ids_;
  signal::ProtocolAddress bob_{"bob", signal::DeviceId{1}};
  signal::ProtocolAddress bob2_{"bob", signal::DeviceId{2}};
};

TEST_F(IdentityStoreTest, FirstUseIsTrustedAndRecorded) {
  auto k = new_key();
  EXPECT_TRUE(*ids_->is_trusted_identity(bob_, k, Direction::sending));
  EXPECT_FALSE(ids_->identity(bob_)->has_value());
  EXPECT_FALSE(*ids_->save_identity(bob_, k));
  EXPECT_EQ(**ids_->identity(bob_), k);
  EXPECT_EQ(**ids_->identity(bob2_), k);  // per account, not per device
  EXPECT_TRUE(*ids_->is_trusted_identity(bob2_, k, Direction::receiving));
  auto c = ids_->contact("bob");
  ASSERT_TRUE(c && c->has_value());
  EXPECT_FALSE((*c)->verified);
  EXPECT_EQ((*c)->first_seen_ms, 100u);
  EXPECT_TRUE((*c)->history.empty());
  EXPECT_EQ(*ids_->contact_names(), (std::vector<std::string>{"bob"}));
}

TEST_F(IdentityStoreTest, ChangedKeyIsRefusedUntilAcceptedAndUndoesVerification) {
  auto k1 = new_key();
  auto k2 = new_key();
  ASSERT_TRUE(ids_->save_identity(bob_, k1));
  ASSERT_TRUE(ids_->mark_verified("bob", k1));
  EXPECT_TRUE((*ids_->contact("bob"))->verified);

  EXPECT_FALSE(*ids_->is_trusted_identity(bob_, k2, Direction::sending));
  EXPECT_FALSE(*ids_->is_trusted_identity(bob_, k2, Direction::receiving));
  now_ = 200;
  ASSERT_TRUE(ids_->record_untrusted("bob", k2));
  auto c = *ids_->contact("bob");
  ASSERT_TRUE(c->pending_key.has_value());
  EXPECT_EQ(*c->pending_key, k2);
  EXPECT_EQ(c->pending_since_ms, 200u);
  EXPECT_EQ(c->key, k1);
  EXPECT_TRUE(c->verified);  // nothing accepted yet
  // Seeing the old key again does not clear the warning.
  EXPECT_FALSE(*ids_->save_identity(bob_, k1));
  EXPECT_TRUE((*ids_->contact("bob"))->pending_key.has_value());

  now_ = 300;
  EXPECT_TRUE(*ids_->accept_pending("bob"));
  c = *ids_->contact("bob");
  EXPECT_EQ(c->key, k2);
  EXPECT_FALSE(c->verified);
  EXPECT_FALSE(c->pending_key.has_value());
  ASSERT_EQ(c->history.size(), 1u);
  EXPECT_EQ(c->history[0].old_key, k1);
  EXPECT_EQ(c->history[0].new_key, k2);
  EXPECT_EQ(c->history[0].accepted_ms, 300u);
  EXPECT_TRUE(*ids_->is_trusted_identity(bob_, k2, Direction::sending));
  EXPECT_FALSE(*ids_->is_trusted_identity(bob_, k1, Direction::sending));
  EXPECT_FALSE(*ids_->accept_pending("bob"));  // nothing pending now
}

TEST_F(IdentityStoreTest, SaveIdentityWithANewKeyIsAnAcceptance) {
  auto k1 = new_key();
  auto k2 = new_key();
  ASSERT_TRUE(ids_->save_identity(bob_, k1));
  EXPECT_TRUE(*ids_->save_identity(bob_, k2));
  EXPECT_EQ((*ids_->contact("bob"))->history.size(), 1u);
}

TEST_F(IdentityStoreTest, VerifyingNeedsTheAcceptedKey) {
  auto k1 = new_key();
  EXPECT_EQ(ids_->mark_verified("bob", k1).code(), Errc::not_found);
  ASSERT_TRUE(ids_->save_identity(bob_, k1));
  EXPECT_EQ(ids_->mark_verified("bob", new_key()).code(), Errc::conflict);
  EXPECT_FALSE((*ids_->contact("bob"))->verified);
}

TEST_F(IdentityStoreTest, HistoryIsBounded) {
  ASSERT_TRUE(ids_->save_identity(bob_, new_key()));
  for (std::size_t i = 0; i < store::kMaxKeyHistory + 5; ++i) ASSERT_TRUE(ids_->save_identity(bob_, new_key()));
  EXPECT_EQ((*ids_->contact("bob"))->history.size(), store::kMaxKeyHistory);
}

TEST_F(IdentityStoreTest, LocalIdentityRoundTrips) {
  EXPECT_EQ(ids_->identity_key_pair().code(), Errc::not_found);
  EXPECT_EQ(ids_->local_registration_id().code(), Errc::not_found);
  auto pair = signal::IdentityKeyPair::generate(rng_);
  ASSERT_TRUE(ids_->set_local_identity(pair, signal::RegistrationId{1234}));
  auto loaded = ids_->identity_key_pair();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->public_key, pair.public_key);
  EXPECT_TRUE(ct_equal(loaded->private_key.secret(), pair.private_key.secret()));
  EXPECT_EQ(*ids_->local_registration_id(), signal::RegistrationId{1234});
}

}  // namespace
}  // namespace hush::client::fixture
