// SIGINT and SIGTERM as a flag: while a StopSignals lives, either signal
// sets a flag (and restores a terminal left in raw or no-echo mode) instead
// of killing the process; long-running commands poll it and stop cleanly.
#pragma once

#include <csignal>

namespace hush::cli {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// The signal received so far (SIGINT or SIGTERM), or 0.
  [[nodiscard]] static int received() noexcept;
  /// Forgets a received signal.
  static void reset() noexcept;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace hush::cli
