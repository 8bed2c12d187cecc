// SystemClock: the wall clock, truncated to milliseconds.
#include "service/clock.hpp"

namespace hush::server {

Timestamp SystemClock::now() const noexcept {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace hush::server
