// The time source of the service layer. Rules that depend on time (rate
// limits, link-token expiry, retention) read an injected Clock so tests can
// move time by hand with FakeClock instead of sleeping.
#pragma once

#include "storage/types.hpp"

#include <atomic>
#include <chrono>

namespace hush::server {

class Clock {
 public:
  virtual ~Clock() = default;
  /// The current time, in milliseconds. Never fails; thread-safe.
  [[nodiscard]] virtual Timestamp now() const noexcept = 0;
};

/// Wall-clock time (std::chrono::system_clock).
class SystemClock final : public Clock {
 public:
  [[nodiscard]] Timestamp now() const noexcept override;
};

/// A clock that moves only when told: for tests. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = from_millis(1'700'000'000'000)) noexcept : ms_(to_millis(start)) {}
  [[nodiscard]] Timestamp now() const noexcept override { return from_millis(ms_.load()); }
  /// Moves time forward (or back, with a negative step).
  void advance(std::chrono::milliseconds step) noexcept { ms_ += step.count(); }
  void set(Timestamp t) noexcept { ms_ = to_millis(t); }

 private:
  std::atomic<std::int64_t> ms_;
};

}  // namespace hush::server
