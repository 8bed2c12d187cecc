#include <hush/crypto/random.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::crypto {
namespace {

TEST(SystemRng, ProducesDistinctOutputs) {
  Bytes a(32);
  Bytes b(32);
  system_rng().fill(a);
  system_rng().fill(b);
  EXPECT_NE(a, b);
}

TEST(DeterministicRng, ReproducesUnderTheSameSeed) {
  testing::DeterministicRng r1(5);
  testing::DeterministicRng r2(5);
  testing::DeterministicRng r3(6);
  Bytes a(100), b(100), c(100);
  r1.fill(a);
  r2.fill(b);
  r3.fill(c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Rng, UniformStaysInRange) {
  testing::DeterministicRng rng(8);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(rng.uniform(7), 7u);
}

}  // namespace
}  // namespace hush::crypto
