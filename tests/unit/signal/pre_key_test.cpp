// Pre-key records and bundles.
#include <hush/signal/constants.hpp>
#include <hush/signal/pre_key.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {

TEST(PreKeys, IdsWrapAndSkipZero) {
  testing::DeterministicRng rng(1);
  auto keys = generate_pre_keys(kPreKeyIdModulus - 1, 3, rng);
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].id.value, kPreKeyIdModulus - 1);
  EXPECT_EQ(keys[1].id.value, kPreKeyIdModulus);
  EXPECT_EQ(keys[2].id.value, 1u);
}

TEST(PreKeyRecord, RoundTripsAndRefusesCorruption) {
  testing::DeterministicRng rng(2);
  auto rec = std::move(generate_pre_keys(5, 1, rng)[0]);
  auto bytes = rec.serialize();
  auto back = PreKeyRecord::deserialize(bytes.expose());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, rec.id);
  EXPECT_EQ(back->key_pair.public_key, rec.key_pair.public_key);
  Bytes corrupt = to_bytes(bytes.expose());
  corrupt[corrupt.size() - 1] ^= 1;  // the private key no longer matches
  EXPECT_EQ(PreKeyRecord::deserialize(corrupt).code(), Errc::bad_key);
  EXPECT_FALSE(PreKeyRecord::deserialize(Bytes{0xff, 0xff}));
}

TEST(SignedPreKeyRecord, SignatureVerifiesUnderTheIdentity) {
  testing::DeterministicRng rng(3);
  auto identity = IdentityKeyPair::generate(rng);
  auto spk = generate_signed_pre_key(identity, SignedPreKeyId{9}, 1234, rng);
  EXPECT_TRUE(crypto::xeddsa_verify(identity.public_key, spk.key_pair.public_key.serialize(), spk.signature));
  auto back = SignedPreKeyRecord::deserialize(spk.serialize().expose());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->timestamp_ms, 1234u);
  EXPECT_EQ(back->signature, spk.signature);
}

// Format 2 records carry a digest over every field: no single-bit change of a
// stored record loads (it would otherwise hand out a damaged key).
template <class Record>
void expect_every_bit_flip_refused(const Bytes& bytes) {
  ASSERT_TRUE(Record::deserialize(bytes));
  for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    Bytes flipped = bytes;
    flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(Record::deserialize(flipped)) << "bit " << bit;
  }
}

TEST(PreKeyRecord, EverySingleBitFlipIsRefused) {
  testing::DeterministicRng rng(5);
  auto rec = std::move(generate_pre_keys(40, 1, rng)[0]);
  expect_every_bit_flip_refused<PreKeyRecord>(to_bytes(rec.serialize().expose()));
}

TEST(SignedPreKeyRecord, EverySingleBitFlipIsRefused) {
  testing::DeterministicRng rng(6);
  auto identity = IdentityKeyPair::generate(rng);
  auto spk = generate_signed_pre_key(identity, SignedPreKeyId{3}, 1700000000123, rng);
  expect_every_bit_flip_refused<SignedPreKeyRecord>(to_bytes(spk.serialize().expose()));
}

TEST(RegistrationId, InRange) {
  testing::DeterministicRng rng(4);
  for (int i = 0; i < 1000; ++i) {
    auto id = generate_registration_id(rng);
    EXPECT_GE(id.value, 1u);
    EXPECT_LE(id.value, kMaxRegistrationId);
  }
}

}  // namespace
}  // namespace hush::signal
