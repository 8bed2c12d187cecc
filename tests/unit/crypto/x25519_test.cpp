// RFC 7748 §5.2 and §6.1 vectors, and strict public-key validation.
#include <hush/crypto/x25519.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/hex.hpp>
#include <hush/testing/weak_keys.hpp>

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>

namespace hush::crypto {
namespace {
using testing::hex;

std::array<std::uint8_t, 32> raw32(std::string_view h) {
  auto b = hex(h);
  std::array<std::uint8_t, 32> a{};
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}

PrivateKey priv(std::string_view h) { return *PrivateKey::from_bytes(hex(h)); }

TEST(X25519, Rfc7748Section52SingleIterations) {
  // Inputs used as given (the second has its high bit set; X25519 masks it), so
  // they go through from_trusted: the strict parser rightly refuses them.
  auto out1 = x25519(priv("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                     PublicKey::from_trusted(raw32("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")));
  ASSERT_TRUE(out1);
  EXPECT_EQ(to_hex(out1->expose()), "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  auto out2 = x25519(priv("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                     PublicKey::from_trusted(raw32("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")));
  ASSERT_TRUE(out2);
  EXPECT_EQ(to_hex(out2->expose()), "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

TEST(X25519, Rfc7748Section52IteratedOnce) {
  auto nine = raw32("0900000000000000000000000000000000000000000000000000000000000000");
  auto k = PrivateKey::from_bytes(nine);
  auto out = x25519(*k, PublicKey::from_trusted(nine));
  ASSERT_TRUE(out);
  EXPECT_EQ(to_hex(out->expose()), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
}

TEST(X25519, Rfc7748Section61DiffieHellman) {
  auto alice = KeyPair::from_private(priv("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = KeyPair::from_private(priv("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  EXPECT_EQ(to_hex(alice.public_key.raw()), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(to_hex(bob.public_key.raw()), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  // The real public keys pass strict validation.
  ASSERT_TRUE(PublicKey::from_raw(alice.public_key.raw()));
  ASSERT_TRUE(PublicKey::from_raw(bob.public_key.raw()));
  auto k1 = x25519(alice.private_key, bob.public_key);
  auto k2 = x25519(bob.private_key, alice.public_key);
  ASSERT_TRUE(k1 && k2);
  EXPECT_EQ(to_hex(k1->expose()), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_TRUE(ct_equal(*k1, *k2));
}

TEST(PublicKey, SerializesWithTheDjbTypeByte) {
  testing::DeterministicRng rng(1);
  auto kp = KeyPair::generate(rng);
  Bytes s = kp.public_key.serialize();
  ASSERT_EQ(s.size(), 33u);
  EXPECT_EQ(s[0], 0x05);
  auto back = PublicKey::deserialize(s);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, kp.public_key);
  s[0] = 0x06;
  EXPECT_EQ(PublicKey::deserialize(s).code(), Errc::bad_key);
  EXPECT_EQ(PublicKey::deserialize(ByteView(s).first(32)).code(), Errc::bad_length);
}

TEST(PublicKey, RefusesSmallOrderPoints) {
  // The small-order u-coordinates of Curve25519 (0, 1, the two of order 8, and p-1).
  const char* small_order[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0100000000000000000000000000000000000000000000000000000000000000",
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };
  for (const char* u : small_order) {
    EXPECT_EQ(PublicKey::from_raw(hex(u)).code(), Errc::bad_key) << u;
  }
}

TEST(PublicKey, RefusesHighBitAndOutOfRange) {
  testing::DeterministicRng rng(2);
  auto kp = KeyPair::generate(rng);
  auto raw = kp.public_key.raw();
  raw[31] |= 0x80;
  EXPECT_EQ(PublicKey::from_raw(raw).code(), Errc::bad_key);
  // p itself and p+1 are non-canonical encodings of 0 and 1.
  EXPECT_EQ(PublicKey::from_raw(hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")).code(), Errc::bad_key);
  EXPECT_EQ(PublicKey::from_raw(hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")).code(), Errc::bad_key);
}

TEST(PublicKey, RefusesTorsionShiftedPoints) {
  // P + T, with P a genuine public key and T a point of order 8. X25519 with a
  // clamped scalar would silently ignore T; we refuse such keys outright.
  testing::DeterministicRng rng(3);
  auto kp = KeyPair::generate(rng);
  unsigned char ed_p[32];
  ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(ed_p, kp.private_key.secret().expose().data()), 0);
  ASSERT_EQ(testing::edwards_to_montgomery(ed_p), kp.public_key.raw()) << "the map itself is right";
  auto shifted = testing::torsion_shifted_public_key(kp.private_key);
  EXPECT_EQ(PublicKey::from_raw(shifted).code(), Errc::bad_key);
  // The shifted key gives the same X25519 result as the genuine one: the reason to refuse it.
  auto other = KeyPair::generate(rng);
  auto a = x25519(other.private_key, PublicKey::from_trusted(shifted));
  auto b = x25519(other.private_key, kp.public_key);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(ct_equal(*a, *b));
}

TEST(X25519, AllZeroOutputIsNeverReturned) {
  testing::DeterministicRng rng(4);
  auto kp = KeyPair::generate(rng);
  auto zero = PublicKey::from_trusted({});
  EXPECT_EQ(x25519(kp.private_key, zero).code(), Errc::bad_key);
}

TEST(KeyPair, GenerationIsClampedAndDeterministicUnderASeed) {
  testing::DeterministicRng a(7);
  testing::DeterministicRng b(7);
  auto k1 = KeyPair::generate(a);
  auto k2 = KeyPair::generate(b);
  EXPECT_EQ(k1.public_key, k2.public_key);
  auto s = k1.private_key.secret().expose();
  EXPECT_EQ(s[0] & 7, 0);
  EXPECT_EQ(s[31] & 0x80, 0);
  EXPECT_EQ(s[31] & 0x40, 0x40);
}

}  // namespace
}  // namespace hush::crypto
