// XEdDSA round trips, rejection of altered messages and signatures, and
// acceptance of libsignal-style signatures that carry sign bit 1.
#include <hush/crypto/xeddsa.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::crypto {
namespace {

TEST(Xeddsa, SignThenVerify) {
  testing::DeterministicRng rng(10);
  for (int i = 0; i < 20; ++i) {
    auto kp = KeyPair::generate(rng);
    Bytes msg = to_bytes("signed pre-key " + std::to_string(i));
    auto sig = xeddsa_sign(kp.private_key, msg, rng);
    EXPECT_EQ(sig[63] & 0x80, 0) << "the specification's signatures have sign bit 0";
    EXPECT_TRUE(xeddsa_verify(kp.public_key, msg, sig));
  }
}

TEST(Xeddsa, RefusesAlteredMessages) {
  testing::DeterministicRng rng(11);
  auto kp = KeyPair::generate(rng);
  Bytes msg = kp.public_key.serialize();
  auto sig = xeddsa_sign(kp.private_key, msg, rng);
  for (std::size_t bit = 0; bit < msg.size() * 8; ++bit) {
    Bytes altered = msg;
    altered[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(xeddsa_verify(kp.public_key, altered, sig)) << "bit " << bit;
  }
  EXPECT_FALSE(xeddsa_verify(kp.public_key, ByteView(msg).first(32), sig));
}

TEST(Xeddsa, RefusesEverySingleBitFlipOfTheSignature) {
  testing::DeterministicRng rng(12);
  auto kp = KeyPair::generate(rng);
  Bytes msg = to_bytes("message");
  auto sig = xeddsa_sign(kp.private_key, msg, rng);
  for (std::size_t bit = 0; bit < 512; ++bit) {
    auto flipped = sig;
    flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(xeddsa_verify(kp.public_key, msg, flipped)) << "bit " << bit;
  }
}

TEST(Xeddsa, RefusesWrongKeyAndWrongLength) {
  testing::DeterministicRng rng(13);
  auto kp = KeyPair::generate(rng);
  auto other = KeyPair::generate(rng);
  Bytes msg = to_bytes("m");
  auto sig = xeddsa_sign(kp.private_key, msg, rng);
  EXPECT_FALSE(xeddsa_verify(other.public_key, msg, sig));
  EXPECT_FALSE(xeddsa_verify(kp.public_key, msg, ByteView(sig).first(63)));
}

TEST(Xeddsa, CachedSignerMatchesOneOff) {
  testing::DeterministicRng r1(14);
  testing::DeterministicRng r2(14);
  testing::DeterministicRng keys(15);
  auto kp = KeyPair::generate(keys);
  XeddsaSigner signer(kp.private_key);
  Bytes msg = to_bytes("sender key message");
  EXPECT_EQ(signer.sign(msg, r1), xeddsa_sign(kp.private_key, msg, r2));
}

}  // namespace
}  // namespace hush::crypto
