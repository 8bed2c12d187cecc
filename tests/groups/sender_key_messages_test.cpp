// SenderKeyMessage and SenderKeyDistributionMessage: layout, round trips and
// the strict parser's typed refusals.
#include <hush/crypto/xeddsa.hpp>
#include <hush/signal/constants.hpp>
#include <hush/signal/sender_key_messages.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {

struct Fixture {
  testing::DeterministicRng rng{7};
  crypto::KeyPair signing = crypto::KeyPair::generate(rng);
  crypto::XeddsaSigner signer{signing.private_key};
};

TEST(SenderKeyMessage, LayoutIsVersionProtobufSignatureAndRoundTrips) {
  Fixture f;
  auto m = SenderKeyMessage::create(SenderChainId{42}, 7, Bytes(32, 0xab), f.signer, f.rng);
  const Bytes& s = m.serialized();
  ASSERT_GT(s.size(), 1 + crypto::kSignatureSize);
  EXPECT_EQ(s[0], 0x33);
  // protobuf: id = 42 (08 2a), iteration = 7 (10 07), ciphertext (1a 20 ...)
  EXPECT_EQ(s[1], 0x08);
  EXPECT_EQ(s[2], 42);
  EXPECT_EQ(s[3], 0x10);
  EXPECT_EQ(s[4], 7);
  EXPECT_EQ(s[5], 0x1a);
  EXPECT_EQ(s.size(), 1u + 6 + 32 + 64);
  auto parsed = SenderKeyMessage::deserialize(s);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->chain_id(), SenderChainId{42});
  EXPECT_EQ(parsed->iteration(), 7u);
  EXPECT_EQ(to_bytes(parsed->ciphertext()), Bytes(32, 0xab));
  EXPECT_TRUE(parsed->verify_signature(f.signing.public_key));
  testing::DeterministicRng other_rng(8);
  EXPECT_FALSE(parsed->verify_signature(crypto::KeyPair::generate(other_rng).public_key));
}

TEST(SenderKeyMessage, EveryFlippedBitBreaksTheSignature) {
  Fixture f;
  auto m = SenderKeyMessage::create(SenderChainId{1}, 0, Bytes(16, 1), f.signer, f.rng);
  for (std::size_t i = 0; i < m.serialized().size(); ++i) {
    Bytes t = m.serialized();
    t[i] ^= 0x01;
    auto parsed = SenderKeyMessage::deserialize(t);
    if (parsed) {
      EXPECT_FALSE(parsed->verify_signature(f.signing.public_key)) << "byte " << i;
    }
  }
}

TEST(SenderKeyMessage, ParserRefusesWithTypedErrors) {
  Fixture f;
  auto m = SenderKeyMessage::create(SenderChainId{1}, 0, Bytes(16, 1), f.signer, f.rng);
  EXPECT_EQ(SenderKeyMessage::deserialize({}).code(), Errc::bad_length);
  EXPECT_EQ(SenderKeyMessage::deserialize(Bytes(65, 0x33)).code(), Errc::bad_length);
  Bytes legacy = m.serialized();
  legacy[0] = 0x22;
  EXPECT_EQ(SenderKeyMessage::deserialize(legacy).code(), Errc::unsupported_version);
  Bytes future = m.serialized();
  future[0] = 0x43;
  EXPECT_EQ(SenderKeyMessage::deserialize(future).code(), Errc::unsupported_version);
  // Version ‖ (no ciphertext field) ‖ signature.
  Bytes missing{0x33, 0x08, 0x01, 0x10, 0x00};
  missing.resize(missing.size() + 64, 0);
  EXPECT_EQ(SenderKeyMessage::deserialize(missing).code(), Errc::decode_error);
  Bytes garbage{0x33, 0xff, 0xff, 0xff};
  garbage.resize(garbage.size() + 64, 0);
  EXPECT_EQ(SenderKeyMessage::deserialize(garbage).code(), Errc::decode_error);
}

TEST(SenderKeyDistributionMessage, RoundTripsAndKeepsItsSecretsInASecretBuffer) {
  Fixture f;
  SecretBytes<32> ck;
  f.rng.fill(ck.expose_mut());
  SenderChainKey chain(std::move(ck), 9);
  auto m = SenderKeyDistributionMessage::create(SenderChainId{1234}, chain, f.signing.public_key);
  EXPECT_EQ(m.serialized().expose()[0], 0x33);
  auto parsed = SenderKeyDistributionMessage::deserialize(m.serialized().expose());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->chain_id(), SenderChainId{1234});
  EXPECT_EQ(parsed->iteration(), 9u);
  EXPECT_TRUE(ct_equal(parsed->chain_key().key(), chain.key()));
  EXPECT_EQ(parsed->signing_key(), f.signing.public_key);
}

TEST(SenderKeyDistributionMessage, ParserRefusesWithTypedErrors) {
  Fixture f;
  SenderChainKey chain(SecretBytes<32>(), 0);
  auto m = SenderKeyDistributionMessage::create(SenderChainId{1}, chain, f.signing.public_key);
  const Bytes good = to_bytes(m.serialized().expose());
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize({}).code(), Errc::bad_length);
  Bytes legacy = good;
  legacy[0] = 0x23;
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(legacy).code(), Errc::unsupported_version);
  // Missing signing key: 08 01 10 00 1a 20 <32>.
  Bytes missing{0x33, 0x08, 0x01, 0x10, 0x00, 0x1a, 0x20};
  missing.resize(missing.size() + 32, 0);
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(missing).code(), Errc::decode_error);
  // A 31-byte chain key.
  Bytes short_key{0x33, 0x08, 0x01, 0x10, 0x00, 0x1a, 0x1f};
  short_key.resize(short_key.size() + 31, 0);
  Bytes key = f.signing.public_key.serialize();
  short_key.push_back(0x22);
  short_key.push_back(0x21);
  short_key.insert(short_key.end(), key.begin(), key.end());
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(short_key).code(), Errc::bad_length);
  // A small-order signing key (u = 0) is refused.
  Bytes zero_key = good;
  std::fill(zero_key.end() - 32, zero_key.end(), 0);
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(zero_key).code(), Errc::bad_key);
  Bytes truncated(good.begin(), good.end() - 5);
  EXPECT_FALSE(SenderKeyDistributionMessage::deserialize(truncated));
}

}  // namespace
}  // namespace hush::signal
