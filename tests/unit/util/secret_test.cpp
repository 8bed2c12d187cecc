#include <hush/util/secret.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <type_traits>

namespace hush {
namespace {

static_assert(!std::is_copy_constructible_v<SecretBytes<32>>);
static_assert(!std::is_copy_assignable_v<SecretBytes<32>>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes<32>>);
static_assert(!std::is_copy_constructible_v<SecretBuffer>);

TEST(SecretBytes, MoveWipesTheSource) {
  std::array<std::uint8_t, 4> raw = {1, 2, 3, 4};
  SecretBytes<4> a(raw);
  SecretBytes<4> b(std::move(a));
  EXPECT_EQ(b.expose()[3], 4);
  for (auto byte : a.expose()) EXPECT_EQ(byte, 0);  // NOLINT(bugprone-use-after-move): checking the wipe
}

TEST(SecretBytes, CloneIsExplicitAndEqualInConstantTime) {
  std::array<std::uint8_t, 4> raw = {9, 8, 7, 6};
  SecretBytes<4> a(raw);
  SecretBytes<4> b = a.clone();
  EXPECT_TRUE(ct_equal(a, b));
  b.expose_mut()[0] ^= 1;
  EXPECT_FALSE(ct_equal(a, b));
}

TEST(SecretBytes, WipeZeroes) {
  std::array<std::uint8_t, 3> raw = {5, 5, 5};
  SecretBytes<3> a(raw);
  a.wipe();
  for (auto byte : a.expose()) EXPECT_EQ(byte, 0);
}

// A secret filled through expose_mut() is live: moving it away wipes it, even
// though the moves of a secret known to be zero skip the wipe.
TEST(SecretBytes, FilledThroughExposeMutIsWipedWhenMovedFrom) {
  SecretBytes<32> a;
  std::fill(a.expose_mut().begin(), a.expose_mut().end(), std::uint8_t{0x5a});
  SecretBytes<32> b(std::move(a));
  EXPECT_EQ(b.expose()[31], 0x5a);
  for (auto byte : a.expose()) EXPECT_EQ(byte, 0);  // NOLINT(bugprone-use-after-move): checking the wipe
  SecretBytes<32> c;
  c = std::move(b);
  EXPECT_EQ(c.expose()[0], 0x5a);
  for (auto byte : b.expose()) EXPECT_EQ(byte, 0);  // NOLINT(bugprone-use-after-move): checking the wipe
}

TEST(SecretBytes, LargeSecretWipeZeroes) {
  SecretBytes<2400> a;  // the size of an ML-KEM-768 decapsulation key
  std::fill(a.expose_mut().begin(), a.expose_mut().end(), std::uint8_t{0xa5});
  a.wipe();
  for (auto byte : a.expose()) EXPECT_EQ(byte, 0);
}

TEST(SecretBuffer, ForOverwriteHasTheSizeAskedAndCopiesAreExact) {
  SecretBuffer empty = SecretBuffer::for_overwrite(0);
  EXPECT_TRUE(empty.empty());
  SecretBuffer s = SecretBuffer::for_overwrite(4096);
  ASSERT_EQ(s.size(), 4096u);
  std::fill(s.expose_mut().begin(), s.expose_mut().end(), std::uint8_t{7});
  SecretBuffer copy(s.expose());  // the copying constructor no longer zeroes first
  EXPECT_TRUE(ct_equal(copy, s));
}

TEST(SecretBuffer, TruncateWipesTheTail) {
  Bytes raw = {1, 2, 3, 4, 5};
  SecretBuffer s(raw);
  const std::uint8_t* base = s.expose().data();
  s.truncate(2);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(base[2], 0);
  EXPECT_EQ(base[4], 0);
}

TEST(SecretBuffer, MoveLeavesTheSourceEmpty) {
  Bytes raw = {1, 2};
  SecretBuffer a(raw);
  SecretBuffer b(std::move(a));
  EXPECT_EQ(b.size(), 2u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(CtEqual, DifferentLengthsAreUnequal) {
  Bytes a = {1, 2, 3};
  Bytes b = {1, 2};
  EXPECT_FALSE(ct_equal(a, b));
  EXPECT_TRUE(ct_equal(ByteView{}, ByteView{}));
}

}  // namespace
}  // namespace hush
