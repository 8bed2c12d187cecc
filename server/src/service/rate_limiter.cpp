// Token buckets keyed by client address, refilled lazily from the Clock.
#include "service/rate_limiter.hpp"

#include <algorithm>

namespace hush::server {

Status RateLimiter::acquire(std::string_view key) {
  switch (try_acquire(key)) {
    case Admission::granted:
      return ok();
    case Admission::limited:
      return make_error(Errc::rate_limited, "rate");
    case Admission::untracked:
      break;
  }
  return make_error(Errc::rate_limited, "too many clients");
}

Admission RateLimiter::try_acquire(std::string_view key) {
  const std::int64_t now_ms = to_millis(clock_.now());
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= limit_.max_keys) forget_full_buckets(now_ms);
    if (buckets_.size() >= limit_.max_keys) return Admission::untracked;
    it = buckets_.emplace(std::string(key), Bucket{limit_.burst, now_ms}).first;
  }
  Bucket& b = it->second;
  double elapsed_s = static_cast<double>(std::max<std::int64_t>(0, now_ms - b.updated_ms)) / 1000.0;
  b.tokens = std::min(limit_.burst, b.tokens + elapsed_s * limit_.per_second);
  b.updated_ms = std::max(b.updated_ms, now_ms);
  if (b.tokens < 1.0) return Admission::limited;
  b.tokens -= 1.0;
  return Admission::granted;
}

// A bucket that has refilled to the burst is the same as no bucket at all.
void RateLimiter::forget_full_buckets(std::int64_t now_ms) {
  std::erase_if(buckets_, [&](const auto& entry) {
    const Bucket& b = entry.second;
    double elapsed_s = static_cast<double>(std::max<std::int64_t>(0, now_ms - b.updated_ms)) / 1000.0;
    return b.tokens + elapsed_s * limit_.per_second >= limit_.burst;
  });
}

}  // namespace hush::server
