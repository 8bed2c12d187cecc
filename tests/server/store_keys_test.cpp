// Conformance, pre-key directory: signature checks, identity conflicts,
// rotation, limits, and one-time pre-keys handed out exactly once under 50
// concurrent fetchers. Runs on SQLite and PostgreSQL.
#include "store_fixture.hpp"

#include <hush/crypto/xeddsa.hpp>

#include <set>
#include <thread>

namespace hush::server::testing {
namespace {

TEST_P(StoreConformance, BadSignedPreKeySignatureIsRefusedAndNothingStored) {
  auto alice = register_user("alice");
  Bytes identity = identity_of(alice.address.account).public_key.serialize();

  SignedPreKeyUpload flipped = signed_pre_key(alice.address.account, 1);
  flipped.signature[10] ^= 0x04;
  EXPECT_EQ(keys_->set_keys(alice.address, identity, flipped).code(), Errc::bad_signature);

  SignedPreKeyUpload other_key = signed_pre_key(alice.address.account, 1);
  other_key.public_key = crypto::KeyPair::generate(rng_).public_key.serialize();  // signature covers another key
  EXPECT_EQ(keys_->set_keys(alice.address, identity, other_key).code(), Errc::bad_signature);

  SignedPreKeyUpload good = signed_pre_key(alice.address.account, 1);
  Bytes wrong_identity = crypto::KeyPair::generate(rng_).public_key.serialize();
  EXPECT_EQ(keys_->set_keys(alice.address, wrong_identity, good).code(), Errc::bad_signature);

  SignedPreKeyUpload short_sig = good;
  short_sig.signature.pop_back();
  EXPECT_EQ(keys_->set_keys(alice.address, identity, short_sig).code(), Errc::bad_length);
  SignedPreKeyUpload bad_type = good;
  bad_type.public_key[0] = 0x06;
  EXPECT_NE(keys_->set_keys(alice.address, identity, bad_type).code(), Errc::ok);
  EXPECT_EQ(keys_->set_keys(alice.address, ByteView(identity).first(32), good).code(), Errc::bad_length);

  EXPECT_FALSE(store_->get_account(alice.address.account)->identity_key.has_value()) << "nothing stored";
  EXPECT_TRUE(keys_->fetch_bundles(alice.address.account)->empty());
  EXPECT_EQ(keys_->fetch_bundles(alice.address.account, DeviceId{1}).code(), Errc::not_found);

  ASSERT_TRUE(keys_->set_keys(alice.address, identity, good));
  auto bundles = keys_->fetch_bundles(alice.address.account);
  ASSERT_TRUE(bundles);
  ASSERT_EQ(bundles->size(), 1u);
  EXPECT_EQ((*bundles)[0].identity_key, identity_of(alice.address.account).public_key);
  EXPECT_EQ((*bundles)[0].signed_pre_key.public_key.serialize(), good.public_key);
  EXPECT_EQ((*bundles)[0].registration_id, RegistrationId{1001});
}

TEST_P(StoreConformance, IdentityKeyIsFixedByTheFirstUploadAndRotationVerifies) {
  auto alice = register_user("alice");
  auto alice2 = link_device(alice.address, RegistrationId{88});
  upload_keys(alice.address, 1);
  upload_keys(alice2.address, 1);  // same identity: fine

  // Another identity for the same account is a conflict.
  crypto::KeyPair intruder = crypto::KeyPair::generate(rng_);
  SignedPreKeyUpload spk;
  spk.id = 3;
  spk.public_key = crypto::KeyPair::generate(rng_).public_key.serialize();
  auto sig = crypto::xeddsa_sign(intruder.private_key, spk.public_key, rng_);
  spk.signature.assign(sig.begin(), sig.end());
  EXPECT_EQ(keys_->set_keys(alice2.address, intruder.public_key.serialize(), spk).code(), Errc::conflict);
  EXPECT_EQ(keys_->rotate_signed_pre_key(alice2.address, spk).code(), Errc::bad_signature);

  SignedPreKeyUpload next = signed_pre_key(alice.address.account, 2);
  ASSERT_TRUE(keys_->rotate_signed_pre_key(alice2.address, next));
  auto bundle = keys_->fetch_bundles(alice.address.account, alice2.address.device);
  ASSERT_TRUE(bundle);
  EXPECT_EQ((*bundle)[0].signed_pre_key.id, 2u);
  EXPECT_EQ((*bundle)[0].signed_pre_key.public_key.serialize(), next.public_key);

  auto bob = register_user("bob");
  EXPECT_EQ(keys_->rotate_signed_pre_key(bob.address, next).code(), Errc::not_found) << "no identity yet";
}

TEST_P(StoreConformance, OneTimePreKeyBatchesAreLimited) {
  auto alice = register_user("alice");
  upload_keys(alice.address);
  EXPECT_EQ(keys_->add_one_time_pre_keys(alice.address, {}).code(), Errc::invalid_argument);
  EXPECT_EQ(keys_->add_one_time_pre_keys(alice.address, one_time_pre_keys(1, kMaxOneTimePreKeysPerUpload + 1)).code(),
            Errc::invalid_argument);
  auto dup = one_time_pre_keys(1, 2);
  dup[1].id = 1;
  EXPECT_EQ(keys_->add_one_time_pre_keys(alice.address, dup).code(), Errc::invalid_argument);
  auto bad = one_time_pre_keys(1, 3);
  bad[2].public_key.resize(20);
  EXPECT_EQ(keys_->add_one_time_pre_keys(alice.address, bad).code(), Errc::bad_length);
  EXPECT_EQ(keys_->one_time_pre_key_count(alice.address).value(), 0u) << "a bad batch stores nothing";

  for (std::uint32_t batch = 0; batch < kMaxOneTimePreKeysHeld / kMaxOneTimePreKeysPerUpload; ++batch)
    ASSERT_TRUE(keys_->add_one_time_pre_keys(
        alice.address, one_time_pre_keys(1 + batch * kMaxOneTimePreKeysPerUpload, kMaxOneTimePreKeysPerUpload)));
  EXPECT_EQ(keys_->one_time_pre_key_count(alice.address).value(), kMaxOneTimePreKeysHeld);
  EXPECT_EQ(keys_->add_one_time_pre_keys(alice.address, one_time_pre_keys(5000, 1)).code(), Errc::quota_exceeded);
  ASSERT_TRUE(keys_->add_one_time_pre_keys(alice.address, one_time_pre_keys(1, 5))) << "replacing held ids is fine";
  EXPECT_EQ(keys_->one_time_pre_key_count(alice.address).value(), kMaxOneTimePreKeysHeld);
}

TEST_P(StoreConformance, OneTimePreKeysAreHandedOutExactlyOnceUnderFiftyConcurrentFetchers) {
  constexpr std::size_t kFetchers = 50;
  constexpr std::size_t kKeys = 40;
  auto alice = register_user("alice");
  auto alice2 = link_device(alice.address, RegistrationId{99});
  upload_keys(alice.address);
  upload_keys(alice2.address);
  ASSERT_TRUE(keys_->add_one_time_pre_keys(alice.address, one_time_pre_keys(1, kKeys)));
  ASSERT_TRUE(keys_->add_one_time_pre_keys(alice2.address, one_time_pre_keys(1, kKeys / 2)));

  std::vector<std::vector<PreKeyBundle>> results(kFetchers);
  std::vector<Errc> codes(kFetchers, Errc::ok);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < kFetchers; ++i) {
    threads.emplace_back([&, i] {
      auto r = keys_->fetch_bundles(alice.address.account);
      codes[i] = r.code();
      if (r) results[i] = std::move(*r);
    });
  }
  for (auto& t : threads) t.join();

  std::map<DeviceId, std::multiset<std::uint32_t>> handed;
  std::size_t without = 0;
  for (std::size_t i = 0; i < kFetchers; ++i) {
    ASSERT_EQ(codes[i], Errc::ok) << errc_name(codes[i]);
    ASSERT_EQ(results[i].size(), 2u);
    for (const PreKeyBundle& b : results[i]) {
      if (b.one_time_pre_key) handed[b.device].insert(b.one_time_pre_key->id);
      else ++without;
    }
  }
  for (const auto& [device, ids] : handed)
    EXPECT_EQ(std::set<std::uint32_t>(ids.begin(), ids.end()).size(), ids.size()) << "a key was handed out twice";
  EXPECT_EQ(handed[DeviceId{1}].size(), kKeys);
  EXPECT_EQ(handed[DeviceId{2}].size(), kKeys / 2);
  EXPECT_EQ(without, 2 * kFetchers - kKeys - kKeys / 2);
  EXPECT_EQ(keys_->one_time_pre_key_count(alice.address).value(), 0u);
  EXPECT_EQ(keys_->one_time_pre_key_count(alice2.address).value(), 0u);
  auto after = keys_->fetch_bundles(alice.address.account, DeviceId{1});
  ASSERT_TRUE(after);
  EXPECT_FALSE((*after)[0].one_time_pre_key.has_value()) << "none left: the bundle comes without one";
}

}  // namespace
}  // namespace hush::server::testing
