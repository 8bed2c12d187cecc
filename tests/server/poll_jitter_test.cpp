// The spread of the mailbox poll (net/poll_jitter.hpp): every wait stays
// within ±20 % of the configured interval, the ends are reached, the draws
// differ from one wait to the next, and "never" (0) stays never.
#include "net/poll_jitter.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

namespace hush::server::net {
namespace {

using std::chrono::milliseconds;

TEST(PollJitter, TheUnitMapsOntoPlusOrMinusTwentyPercent) {
  EXPECT_EQ(jittered(milliseconds(30000), 0.0), milliseconds(24000));
  EXPECT_EQ(jittered(milliseconds(30000), 0.5), milliseconds(30000));
  EXPECT_EQ(jittered(milliseconds(30000), 1.0), milliseconds(36000));
  EXPECT_EQ(jittered(milliseconds(30000), -3.0), milliseconds(24000)) << "clamped";
  EXPECT_EQ(jittered(milliseconds(30000), 7.0), milliseconds(36000)) << "clamped";
}

TEST(PollJitter, ZeroStaysNeverAndTinyIntervalsStayPositive) {
  EXPECT_EQ(jittered(milliseconds(0)), milliseconds(0));
  EXPECT_EQ(jittered(milliseconds(0), 1.0), milliseconds(0));
  EXPECT_EQ(jittered(milliseconds(1), 0.0), milliseconds(1));
}

TEST(PollJitter, DrawsStayInRangeAndSpread) {
  std::set<milliseconds::rep> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto d = jittered(milliseconds(30000));
    ASSERT_GE(d, milliseconds(24000));
    ASSERT_LE(d, milliseconds(36000));
    seen.insert(d.count());
  }
  // 1,000 draws over 12,001 values: lockstep would be one value.
  EXPECT_GT(seen.size(), 500u);
}

}  // namespace
}  // namespace hush::server::net
