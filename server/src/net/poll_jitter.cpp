// jittered (see poll_jitter.hpp). The generator is per thread and seeded
// once from std::random_device: I/O threads draw without a lock.
#include "net/poll_jitter.hpp"

#include <algorithm>
#include <random>

namespace hush::server::net {

std::chrono::milliseconds jittered(std::chrono::milliseconds interval, double unit) {
  if (interval.count() <= 0) return interval;
  const double factor = 1.0 - kPollJitter + 2.0 * kPollJitter * std::clamp(unit, 0.0, 1.0);
  const auto ms = static_cast<std::chrono::milliseconds::rep>(static_cast<double>(interval.count()) * factor);
  return std::chrono::milliseconds(std::max<std::chrono::milliseconds::rep>(1, ms));
}

std::chrono::milliseconds jittered(std::chrono::milliseconds interval) {
  thread_local std::minstd_rand generator{std::random_device{}()};
  return jittered(interval, std::uniform_real_distribution<double>(0.0, 1.0)(generator));
}

}  // namespace hush::server::net
