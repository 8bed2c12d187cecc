// Kyber pre-key records (issue #15): storage round trip, damage detection,
// the signature over the typed key, and the store's use semantics.
#include <hush/signal/in_memory_stores.hpp>
#include <hush/signal/kyber_pre_key.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {

struct Fixture {
  testing::DeterministicRng rng{41};
  IdentityKeyPair identity = IdentityKeyPair::generate(rng);
};

TEST(KyberPreKeyRecord, RoundTripsWithEveryField) {
  Fixture f;
  auto record = generate_kyber_pre_key(f.identity, KyberPreKeyId{77}, 1234567, true, f.rng);
  auto bytes = record.serialize();
  auto parsed = KyberPreKeyRecord::deserialize(bytes.expose());
  ASSERT_TRUE(parsed) << errc_name(parsed.code());
  EXPECT_EQ(parsed->id, KyberPreKeyId{77});
  EXPECT_EQ(parsed->timestamp_ms, 1234567u);
  EXPECT_TRUE(parsed->last_resort);
  EXPECT_EQ(parsed->signature, record.signature);
  EXPECT_TRUE(ct_equal(parsed->secret_key.secret(), record.secret_key.secret()));
  EXPECT_EQ(parsed->public_key(), record.public_key());
}

TEST(KyberPreKeyRecord, SignatureCoversTheKeyWithItsTypeByte) {
  Fixture f;
  auto record = generate_kyber_pre_key(f.identity, KyberPreKeyId{1}, 0, false, f.rng);
  const Bytes typed = serialize_kyber_public_key(record.public_key());
  ASSERT_EQ(typed.size(), kSerializedKyberPublicKeySize);
  EXPECT_EQ(typed[0], 0x08);
  EXPECT_TRUE(crypto::xeddsa_verify(f.identity.public_key, typed, record.signature));
  EXPECT_FALSE(crypto::xeddsa_verify(f.identity.public_key, ByteView(typed).subspan(1), record.signature));
  EXPECT_TRUE(kyber_signature_valid(f.identity.public_key, record.public_key(), record.signature));
  auto other = IdentityKeyPair::generate(f.rng);
  EXPECT_FALSE(kyber_signature_valid(other.public_key, record.public_key(), record.signature));
}

TEST(KyberPreKeyRecord, DamageAnywhereIsRefused) {
  Fixture f;
  auto record = generate_kyber_pre_key(f.identity, KyberPreKeyId{5}, 99, false, f.rng);
  Bytes bytes = to_bytes(record.serialize().expose());
  // Every 13th bit (about 2,000 records, each parse checks the digest first).
  for (std::size_t bit = 0; bit < bytes.size() * 8; bit += 13) {
    Bytes damaged = bytes;
    damaged[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(KyberPreKeyRecord::deserialize(damaged)) << "bit " << bit;
  }
  for (std::size_t cut = 0; cut < bytes.size(); cut += 97) {
    EXPECT_FALSE(KyberPreKeyRecord::deserialize(ByteView(bytes).first(cut))) << "cut " << cut;
  }
}

TEST(KyberWireForms, TypeByteAndLengthAreChecked) {
  Fixture f;
  auto record = generate_kyber_pre_key(f.identity, KyberPreKeyId{5}, 0, false, f.rng);
  Bytes typed = serialize_kyber_public_key(record.public_key());
  ASSERT_TRUE(deserialize_kyber_public_key(typed));
  EXPECT_EQ(deserialize_kyber_public_key(ByteView(typed).subspan(1)).code(), Errc::bad_length);
  Bytes wrong_type = typed;
  wrong_type[0] = 0x0A;  // ML-KEM-1024's type: not what PQXDH pre-keys use
  EXPECT_EQ(deserialize_kyber_public_key(wrong_type).code(), Errc::bad_key);
  Bytes ct(kSerializedKyberCiphertextSize, 0x11);
  ct[0] = 0x08;
  EXPECT_TRUE(deserialize_kyber_ciphertext(ct));
  ct[0] = 0x05;
  EXPECT_EQ(deserialize_kyber_ciphertext(ct).code(), Errc::bad_key);
  EXPECT_EQ(deserialize_kyber_ciphertext(ByteView(ct).first(100)).code(), Errc::bad_length);
}

// libsignal's mark_kyber_pre_key_used: one-time keys go, last-resort keys
// stay, and a last-resort key seen again with the same base key is refused.
TEST(InMemoryKyberPreKeyStore, OneTimeKeysGoLastResortKeysStay) {
  Fixture f;
  InMemoryKyberPreKeyStore store;
  auto one_time = generate_kyber_pre_key(f.identity, KyberPreKeyId{1}, 0, false, f.rng);
  auto last_resort = generate_kyber_pre_key(f.identity, KyberPreKeyId{2}, 0, true, f.rng);
  ASSERT_TRUE(store.store_kyber_pre_key(one_time));
  ASSERT_TRUE(store.store_kyber_pre_key(last_resort));
  auto base = crypto::KeyPair::generate(f.rng).public_key;
  auto other_base = crypto::KeyPair::generate(f.rng).public_key;
  ASSERT_TRUE(store.mark_kyber_pre_key_used(KyberPreKeyId{1}, SignedPreKeyId{1}, base));
  EXPECT_EQ(store.load_kyber_pre_key(KyberPreKeyId{1}).code(), Errc::not_found);
  ASSERT_TRUE(store.mark_kyber_pre_key_used(KyberPreKeyId{2}, SignedPreKeyId{1}, base));
  EXPECT_TRUE(store.load_kyber_pre_key(KyberPreKeyId{2}));
  ASSERT_TRUE(store.mark_kyber_pre_key_used(KyberPreKeyId{2}, SignedPreKeyId{1}, other_base));
  ASSERT_TRUE(store.mark_kyber_pre_key_used(KyberPreKeyId{2}, SignedPreKeyId{2}, base));
  EXPECT_EQ(store.mark_kyber_pre_key_used(KyberPreKeyId{2}, SignedPreKeyId{1}, base).code(), Errc::duplicate_message);
}

}  // namespace
}  // namespace hush::signal
