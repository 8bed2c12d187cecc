// A token bucket per key (a client address), on an injected Clock. Used to
// slow account registration; memory is bounded by forgetting the keys whose
// buckets have refilled (they are indistinguishable from new ones).
#pragma once

#include "service/clock.hpp"

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hush::server {

/// The defaults fit registration: a family or office behind one NAT address
/// can sign up a few people at once, a script is slowed to one a minute.
struct RateLimit {
  double burst = 5;               ///< tokens a fresh key starts with
  double per_second = 1.0 / 60;   ///< refill rate
  /// Keys tracked at once (about 100 bytes each, so ~10 MB at most); beyond it
  /// new keys are refused, so a flood of addresses cannot exhaust memory.
  std::size_t max_keys = 100'000;
};

/// What try_acquire decided.
enum class Admission {
  granted,    ///< a token was taken from the key's bucket
  limited,    ///< the key's bucket is empty
  untracked,  ///< the table is full of keys still refilling: no bucket for this one
};

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, RateLimit limit) noexcept : clock_(clock), limit_(limit) {}

  /// Takes one token for `key`. rate_limited: the bucket is empty, or too
  /// many keys are tracked (fail closed). Thread-safe.
  [[nodiscard]] Status acquire(std::string_view key);

  /// As acquire, but tells a full table apart, so a caller can fall back to
  /// a coarser limit (fail open to rate-limited) instead of refusing
  /// everyone new. Thread-safe.
  [[nodiscard]] Admission try_acquire(std::string_view key);

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t updated_ms = 0;
  };
  void forget_full_buckets(std::int64_t now_ms);

  const Clock& clock_;
  RateLimit limit_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace hush::server
