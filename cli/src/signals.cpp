// StopSignals: handlers installed without SA_RESTART, so a blocking read
// returns EINTR and the caller sees the flag at once.
#include "signals.hpp"

namespace hush::cli {

namespace {
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) { g_signal = sig; }
}  // namespace

StopSignals::StopSignals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  ::sigaction(SIGINT, &sa, &old_int_);
  ::sigaction(SIGTERM, &sa, &old_term_);
}

StopSignals::~StopSignals() {
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
}

int StopSignals::received() noexcept { return g_signal; }
void StopSignals::reset() noexcept { g_signal = 0; }

}  // namespace hush::cli
