// The accumulated pq-crystals test over 1,000,000 tests per parameter set
// (tests/vectors/ml-kem/README.md). Minutes long: ctest label "long", which
// scripts/test.sh (and so CI) excludes. Run: ctest -L long.
#include "kem_accumulated.hpp"

#include <gtest/gtest.h>

namespace hush::crypto {
namespace {

void check(int set, const char* expected) {
  std::size_t mismatches = 0;
  EXPECT_EQ(testing::accumulated_kem_hash(set, 1'000'000, &mismatches), expected);
  EXPECT_EQ(mismatches, 0u);
}

TEST(MlKemAccumulatedLong, Million512) {
  check(512, "578eeaa1156848cbf7a15bafef963b4ccabe3308ddfb7dbdd20ad965f634e81d");
}
TEST(MlKemAccumulatedLong, Million768) {
  check(768, "70090cc5842aad0ec43d5042c783fae9bc320c047b5dafcb6e134821db02384d");
}
TEST(MlKemAccumulatedLong, Million1024) {
  check(1024, "7ccc6d803739d3db3c5ce39c7130f459db32a199c6605e3be210e5a89d4c4b95");
}

}  // namespace
}  // namespace hush::crypto
