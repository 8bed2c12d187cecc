// Argon2id wrapper: pinned outputs (computed with libsodium's crypto_pwhash
// called directly, so they catch a wrong algorithm id or swapped costs in the
// wrapper), determinism, sensitivity to every input, and refused parameters.
#include <hush/crypto/password_hash.hpp>
#include <hush/testing/hex.hpp>

#include <gtest/gtest.h>

namespace hush::crypto {
namespace {
using testing::hex;

Bytes salt_0_to_15() {
  Bytes s(16);
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i);
  return s;
}

TEST(Argon2id, PinnedOutputs) {
  auto pw = as_bytes("correct horse battery staple");
  auto a = argon2id(pw, salt_0_to_15(), {1, 8192});
  ASSERT_TRUE(a);
  EXPECT_EQ(to_hex(a->expose()), "d17ea6341ca93da6079ea2f64dc4aa31dd1aaf9caa67fb42ac4afd0714706f26");
  auto b = argon2id(pw, salt_0_to_15(), {2, 65536});
  ASSERT_TRUE(b);
  EXPECT_EQ(to_hex(b->expose()), "2df47ede6358ed17a9976d4fcedb897a10036d432a4acef17d263bfc98bd20ac");
}

TEST(Argon2id, DeterministicAndSensitiveToEveryInput) {
  auto cost = Argon2idCost::test_minimum();
  Bytes salt = salt_0_to_15();
  auto k1 = argon2id(as_bytes("pass"), salt, cost);
  auto k2 = argon2id(as_bytes("pass"), salt, cost);
  ASSERT_TRUE(k1 && k2);
  EXPECT_TRUE(ct_equal(*k1, *k2));
  auto other_pw = argon2id(as_bytes("pasS"), salt, cost);
  Bytes salt2 = salt;
  salt2[15] ^= 1;
  auto other_salt = argon2id(as_bytes("pass"), salt2, cost);
  auto other_cost = argon2id(as_bytes("pass"), salt, {cost.ops_limit + 1, cost.mem_limit});
  ASSERT_TRUE(other_pw && other_salt && other_cost);
  EXPECT_FALSE(ct_equal(*k1, *other_pw));
  EXPECT_FALSE(ct_equal(*k1, *other_salt));
  EXPECT_FALSE(ct_equal(*k1, *other_cost));
}

TEST(Argon2id, EmptyPasswordWorks) {
  EXPECT_TRUE(argon2id({}, salt_0_to_15(), Argon2idCost::test_minimum()));
}

TEST(Argon2id, RefusesBadSaltAndCosts) {
  Bytes short_salt(15);
  EXPECT_EQ(argon2id(as_bytes("p"), short_salt, Argon2idCost::test_minimum()).code(), Errc::bad_length);
  EXPECT_EQ(argon2id(as_bytes("p"), salt_0_to_15(), {0, 8192}).code(), Errc::invalid_argument);
  EXPECT_EQ(argon2id(as_bytes("p"), salt_0_to_15(), {1, 1024}).code(), Errc::invalid_argument);
  EXPECT_EQ(argon2id(as_bytes("p"), salt_0_to_15(), {1, kArgon2idMaxMemory + 1}).code(), Errc::invalid_argument);
  EXPECT_EQ(argon2id(as_bytes("p"), salt_0_to_15(), {kArgon2idMaxOps + 1, 8192}).code(), Errc::invalid_argument);
}

TEST(Argon2id, NamedCostsAreLibsodiums) {
  EXPECT_EQ(Argon2idCost::moderate(), (Argon2idCost{3, 256u << 20}));
  EXPECT_EQ(Argon2idCost::interactive(), (Argon2idCost{2, 64u << 20}));
  EXPECT_TRUE(Argon2idCost::moderate().valid());
  EXPECT_TRUE(Argon2idCost::test_minimum().valid());
}

}  // namespace
}  // namespace hush::crypto
