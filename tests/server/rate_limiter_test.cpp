// RateLimiter: token buckets per key on a FakeClock.
#include "service/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace hush::server {
namespace {

TEST(RateLimiter, AllowsTheBurstThenRefillsWithTime) {
  FakeClock clock;
  RateLimiter limiter(clock, RateLimit{3, 1.0 / 60, 100});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("10.0.0.1"));
  EXPECT_EQ(limiter.acquire("10.0.0.1").code(), Errc::rate_limited);
  EXPECT_TRUE(limiter.acquire("10.0.0.2")) << "buckets are per key";
  clock.advance(std::chrono::seconds(59));
  EXPECT_EQ(limiter.acquire("10.0.0.1").code(), Errc::rate_limited);
  clock.advance(std::chrono::seconds(1));
  EXPECT_TRUE(limiter.acquire("10.0.0.1"));
  EXPECT_EQ(limiter.acquire("10.0.0.1").code(), Errc::rate_limited);
  clock.advance(std::chrono::hours(10));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("10.0.0.1")) << "refill stops at the burst";
  EXPECT_EQ(limiter.acquire("10.0.0.1").code(), Errc::rate_limited);
}

TEST(RateLimiter, BoundsTheKeysItTracksAndFailsClosed) {
  FakeClock clock;
  RateLimiter limiter(clock, RateLimit{2, 1.0, 3});
  EXPECT_TRUE(limiter.acquire("a"));
  EXPECT_TRUE(limiter.acquire("b"));
  EXPECT_TRUE(limiter.acquire("c"));
  EXPECT_EQ(limiter.acquire("d").code(), Errc::rate_limited) << "table full of partly used buckets";
  clock.advance(std::chrono::seconds(2));  // a, b, c refill and can be forgotten
  EXPECT_TRUE(limiter.acquire("d"));
}

TEST(RateLimiter, ClockGoingBackwardsGrantsNothingExtra) {
  FakeClock clock;
  RateLimiter limiter(clock, RateLimit{1, 1.0, 10});
  EXPECT_TRUE(limiter.acquire("k"));
  clock.advance(std::chrono::seconds(-100));
  EXPECT_EQ(limiter.acquire("k").code(), Errc::rate_limited);
}

}  // namespace
}  // namespace hush::server
