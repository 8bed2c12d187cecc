// Conformance, atomic registration: an account or a linked device is
// created together with its identity key, signed pre-key and one-time
// pre-keys, or not at all. A statement that fails midway (planted with a
// trigger) and a linked device bringing another identity key both leave
// nothing behind, and the link token stays usable. SQLite and PostgreSQL.
#include "raw_database.hpp"
#include "store_fixture.hpp"

#include <hush/crypto/sha.hpp>
#include <hush/crypto/xeddsa.hpp>

namespace hush::server::testing {
namespace {

/// Makes every insert into one_time_pre_keys fail until removed: a storage
/// failure after the account and device rows were written.
class PlantedKeyFailure {
 public:
  PlantedKeyFailure(Backend backend, const std::string& url)
      : backend_(backend), raw_(RawDatabase::open(backend, url)) {
    raw_->exec(backend_ == Backend::sqlite ? "CREATE TRIGGER hush_test_fail BEFORE INSERT ON one_time_pre_keys "
                                             "BEGIN SELECT RAISE(ABORT, 'planted failure'); END"
                                           : "CREATE FUNCTION hush_test_fail() RETURNS trigger LANGUAGE plpgsql AS "
                                             "$$ BEGIN RAISE EXCEPTION 'planted failure'; END $$; "
                                             "CREATE TRIGGER hush_test_fail BEFORE INSERT ON one_time_pre_keys "
                                             "FOR EACH ROW EXECUTE FUNCTION hush_test_fail()");
  }
  ~PlantedKeyFailure() {
    raw_->exec(backend_ == Backend::sqlite ? "DROP TRIGGER hush_test_fail"
                                           : "DROP TRIGGER hush_test_fail ON one_time_pre_keys; "
                                             "DROP FUNCTION hush_test_fail()");
  }
  PlantedKeyFailure(const PlantedKeyFailure&) = delete;
  PlantedKeyFailure& operator=(const PlantedKeyFailure&) = delete;

 private:
  Backend backend_;
  std::unique_ptr<RawDatabase> raw_;
};

class Registration : public StoreConformance {
 protected:
  /// A registering device's keys under `identity`, with `one_time` pre-keys.
  DeviceKeys keys_for(const crypto::KeyPair& identity, std::size_t one_time = 3) {
    SignedPreKeyUpload spk;
    spk.id = 7;
    spk.public_key = crypto::KeyPair::generate(rng_).public_key.serialize();
    auto sig = crypto::xeddsa_sign(identity.private_key, spk.public_key, rng_);
    spk.signature.assign(sig.begin(), sig.end());
    auto keys =
        KeyService::validate_device_keys(identity.public_key.serialize(), spk, one_time_pre_keys(300, one_time));
    EXPECT_TRUE(keys) << errc_name(keys.code());
    return keys ? std::move(*keys) : DeviceKeys{};
  }
  Result<DeviceEnrollment> register_with_keys(const std::string& name, const DeviceKeys& keys) {
    return accounts_->register_account(name, RegistrationId{1000 + ++registrations_}, "127.0.0.1", keys);
  }
  crypto::KeyPair alice_identity_ = crypto::KeyPair::generate(rng_);
};

TEST_P(Registration, StoresTheDeviceTogetherWithItsKeys) {
  auto alice = register_with_keys("alice", keys_for(alice_identity_, 3));
  ASSERT_TRUE(alice) << errc_name(alice.code());
  auto account = store_->get_account(alice->address.account);
  ASSERT_TRUE(account && account->identity_key);
  EXPECT_EQ(account->identity_key->serialize(), alice_identity_.public_key.serialize());
  EXPECT_EQ(keys_->one_time_pre_key_count(alice->address).value(), 3u);
  auto bundles = keys_->fetch_bundles(alice->address.account);
  ASSERT_TRUE(bundles);
  ASSERT_EQ(bundles->size(), 1u);
  EXPECT_EQ(bundles->front().signed_pre_key.id, 7u);
  EXPECT_TRUE(bundles->front().one_time_pre_key.has_value());

  auto grant = accounts_->create_link_token(alice->address);
  ASSERT_TRUE(grant);
  auto second =
      accounts_->link_device(grant->token.expose(), RegistrationId{55}, "192.0.2.1", keys_for(alice_identity_, 2));
  ASSERT_TRUE(second) << errc_name(second.code());
  EXPECT_EQ(keys_->one_time_pre_key_count(second->address).value(), 2u);
  EXPECT_EQ(keys_->fetch_bundles(alice->address.account)->size(), 2u) << "both devices publish bundles";
}

TEST_P(Registration, AFailureAfterTheAccountRowLeavesNoAccount) {
  {
    PlantedKeyFailure fail(GetParam(), url_);
    // (SQLite reports a trigger's RAISE as a constraint: conflict.)
    EXPECT_FALSE(register_with_keys("alice", keys_for(alice_identity_, 3)));
  }
  EXPECT_EQ(accounts_->find_by_username("alice").code(), Errc::not_found) << "no account without keys";
  auto alice = register_with_keys("alice", keys_for(alice_identity_, 3));
  ASSERT_TRUE(alice) << errc_name(alice.code());
  EXPECT_EQ(keys_->one_time_pre_key_count(alice->address).value(), 3u);
}

TEST_P(Registration, ALinkThatFailsMidwayAddsNoDeviceAndKeepsTheToken) {
  auto alice = register_with_keys("alice", keys_for(alice_identity_));
  ASSERT_TRUE(alice);
  auto bob = register_user("bob");
  ASSERT_TRUE(send(make_send(bob.address, alice->address.account, 1)));  // the writer caches alice's devices
  auto grant = accounts_->create_link_token(alice->address);
  ASSERT_TRUE(grant);
  {
    PlantedKeyFailure fail(GetParam(), url_);
    EXPECT_FALSE(accounts_->link_device(grant->token.expose(), RegistrationId{55}, "192.0.2.1", keys_for(alice_identity_)));
  }
  EXPECT_EQ(accounts_->devices(alice->address.account)->size(), 1u);
  ASSERT_TRUE(send(make_send(bob.address, alice->address.account, 2))) << "the writer still sees one device";

  auto linked = accounts_->link_device(grant->token.expose(), RegistrationId{55}, "192.0.2.1", keys_for(alice_identity_));
  ASSERT_TRUE(linked) << errc_name(linked.code()) << ": the token survived the failure";
  EXPECT_EQ(linked->address.device, DeviceId{2});
  EXPECT_EQ(keys_->one_time_pre_key_count(linked->address).value(), 3u);
  DeviceMismatch mismatch;
  SendRequest stale = make_send(bob.address, alice->address.account, 3);
  stale.copies.pop_back();  // leaves out the new device
  EXPECT_EQ(messages_->send(stale, mismatch).code(), Errc::stale_devices);
}

TEST_P(Registration, ALinkedDeviceWithAnotherIdentityKeyChangesNothing) {
  auto alice = register_with_keys("alice", keys_for(alice_identity_));
  ASSERT_TRUE(alice);
  auto grant = accounts_->create_link_token(alice->address);
  ASSERT_TRUE(grant);
  const auto intruder = crypto::KeyPair::generate(rng_);
  auto refused = accounts_->link_device(grant->token.expose(), RegistrationId{55}, "192.0.2.1", keys_for(intruder));
  EXPECT_EQ(refused.code(), Errc::conflict);
  EXPECT_EQ(accounts_->devices(alice->address.account)->size(), 1u);
  EXPECT_EQ(store_->get_account(alice->address.account)->identity_key->serialize(),
            alice_identity_.public_key.serialize());
  EXPECT_EQ(keys_->fetch_bundles(alice->address.account)->size(), 1u);

  auto linked = accounts_->link_device(grant->token.expose(), RegistrationId{55}, "192.0.2.1", keys_for(alice_identity_));
  ASSERT_TRUE(linked) << errc_name(linked.code()) << ": the refused link did not burn the token";
  EXPECT_EQ(linked->address.device, DeviceId{2});
}

// Account recovery (issue #16): the recovery code given at registration
// replaces every device of the account by one new device with a new identity
// key, once; the code is renewed.
class Recovery : public Registration {
 protected:
  /// The store-level recovery of `name` with `code`, bringing `identity`'s keys.
  Result<RecoveredAccount> recover(const std::string& name, ByteView code, ByteView renewed,
                                   const crypto::KeyPair& identity) {
    NewDevice device{RegistrationId{4242}, crypto::sha256(as_bytes("new credential")), clock_.now(),
                     keys_for(identity)};
    return store_->recover_account(name, crypto::sha256(code), crypto::sha256(renewed), device);
  }
  std::vector<DeviceId> device_ids(const AccountId& account) {
    std::vector<DeviceId> out;
    auto devices = accounts_->devices(account);
    EXPECT_TRUE(devices) << errc_name(devices.code());
    if (devices) {
      for (const auto& d : *devices) out.push_back(d.id);
    }
    return out;
  }
};

TEST_P(Recovery, ReplacesEveryDeviceWithOneUnderANewIdentityOnce) {
  auto alice = register_with_keys("alice", keys_for(alice_identity_));
  ASSERT_TRUE(alice);
  ASSERT_TRUE(alice->recovery_code) << "a new account gets a recovery code";
  auto laptop = link_device(alice->address, RegistrationId{55});
  auto bob = register_user("bob");
  ASSERT_TRUE(send(make_send(bob.address, alice->address.account, 1)));
  ASSERT_EQ(messages_->queue_depth(laptop.address).value(), 1u);
  auto pending_link = accounts_->create_link_token(alice->address);
  ASSERT_TRUE(pending_link);
  const Bytes code = to_bytes(alice->recovery_code->expose());
  const auto new_identity = crypto::KeyPair::generate(rng_);

  Bytes wrong = code;
  wrong[0] ^= 1;
  EXPECT_EQ(recover("alice", wrong, as_bytes("next"), new_identity).code(), Errc::not_found);
  EXPECT_EQ(recover("bob", code, as_bytes("next"), new_identity).code(), Errc::not_found) << "another account's name";
  EXPECT_EQ(device_ids(alice->address.account), (std::vector<DeviceId>{DeviceId{1}, DeviceId{2}}));
  EXPECT_TRUE(accounts_->authenticate(alice->address, alice->credential.expose()));

  auto recovered = recover("alice", code, as_bytes("next"), new_identity);
  ASSERT_TRUE(recovered) << errc_name(recovered.code());
  EXPECT_EQ(recovered->added, (DeviceAddress{alice->address.account, DeviceId{3}})) << "ids are never reused";
  EXPECT_EQ(recovered->removed, (std::vector<DeviceId>{DeviceId{1}, DeviceId{2}}));
  EXPECT_EQ(device_ids(alice->address.account), std::vector<DeviceId>{DeviceId{3}});
  EXPECT_EQ(store_->get_account(alice->address.account)->identity_key->serialize(),
            new_identity.public_key.serialize());
  EXPECT_EQ(accounts_->authenticate(alice->address, alice->credential.expose()).code(), Errc::unauthorized);
  EXPECT_EQ(accounts_->authenticate(laptop.address, laptop.credential.expose()).code(), Errc::unauthorized);
  EXPECT_EQ(messages_->queue_depth(laptop.address).value(), 0u) << "mail for the lost devices is gone";
  EXPECT_EQ(accounts_->link_device(pending_link->token.expose(), RegistrationId{56}, "192.0.2.1").code(),
            Errc::unauthorized)
      << "a link token of the old devices no longer works";
  auto bundles = keys_->fetch_bundles(alice->address.account);
  ASSERT_TRUE(bundles);
  ASSERT_EQ(bundles->size(), 1u);
  EXPECT_EQ(bundles->front().device, DeviceId{3});
  EXPECT_EQ(accounts_->find_by_username("alice")->id, alice->address.account) << "same account, same name";

  EXPECT_EQ(recover("alice", code, as_bytes("again"), new_identity).code(), Errc::not_found) << "a code works once";
  auto second = recover("alice", as_bytes("next"), as_bytes("third"), alice_identity_);
  ASSERT_TRUE(second) << "the renewed code works";
  EXPECT_EQ(second->removed, std::vector<DeviceId>{DeviceId{3}});
}

TEST_P(Recovery, AFailureMidwayChangesNothing) {
  auto alice = register_with_keys("alice", keys_for(alice_identity_));
  ASSERT_TRUE(alice && alice->recovery_code);
  const Bytes code = to_bytes(alice->recovery_code->expose());
  const auto new_identity = crypto::KeyPair::generate(rng_);
  {
    PlantedKeyFailure fail(GetParam(), url_);
    EXPECT_FALSE(recover("alice", code, as_bytes("next"), new_identity));
  }
  EXPECT_EQ(device_ids(alice->address.account), std::vector<DeviceId>{DeviceId{1}});
  EXPECT_TRUE(accounts_->authenticate(alice->address, alice->credential.expose()));
  EXPECT_EQ(store_->get_account(alice->address.account)->identity_key->serialize(),
            alice_identity_.public_key.serialize());
  auto recovered = recover("alice", code, as_bytes("next"), new_identity);
  ASSERT_TRUE(recovered) << errc_name(recovered.code()) << ": the code survived the failure";
}

TEST(DeviceKeyValidation, RefusesBadKeysBeforeAnythingIsStored) {
  hush::testing::DeterministicRng rng(5);
  const auto identity = crypto::KeyPair::generate(rng);
  SignedPreKeyUpload spk;
  spk.id = 1;
  spk.public_key = crypto::KeyPair::generate(rng).public_key.serialize();
  auto sig = crypto::xeddsa_sign(identity.private_key, spk.public_key, rng);
  spk.signature.assign(sig.begin(), sig.end());
  const Bytes id = identity.public_key.serialize();
  EXPECT_TRUE(KeyService::validate_device_keys(id, spk, {}));

  SignedPreKeyUpload forged = spk;
  forged.signature[3] ^= 1;
  EXPECT_EQ(KeyService::validate_device_keys(id, forged, {}).code(), Errc::bad_signature);
  EXPECT_EQ(KeyService::validate_device_keys(ByteView(id).first(20), spk, {}).code(), Errc::bad_length);
  std::vector<OneTimePreKeyUpload> twice(2,
                                         OneTimePreKeyUpload{9, crypto::KeyPair::generate(rng).public_key.serialize()});
  EXPECT_EQ(KeyService::validate_device_keys(id, spk, twice).code(), Errc::invalid_argument);
  std::vector<OneTimePreKeyUpload> too_many;
  for (std::uint32_t i = 0; i <= kMaxOneTimePreKeysPerUpload; ++i)
    too_many.push_back({i, crypto::KeyPair::generate(rng).public_key.serialize()});
  EXPECT_EQ(KeyService::validate_device_keys(id, spk, too_many).code(), Errc::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Backends, Registration, ::testing::Values(Backend::sqlite, Backend::postgres), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, Recovery, ::testing::Values(Backend::sqlite, Backend::postgres), backend_name);

}  // namespace
}  // namespace hush::server::testing
