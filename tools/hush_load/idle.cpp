// Idle runs (see idle.hpp): hushd's VmRSS before and after opening the
// connections (after a short settle), the difference per connection, and the
// generator's own memory. Frames pushed to idle connections (mail left by an
// earlier run) are counted, not acknowledged, so they stay where they are.
#include "idle.hpp"

#include "fleet.hpp"
#include "proc_stats.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

namespace hush::load {
namespace {

/// Lets hushd finish the last sessions' setup (mailbox drain at connect).
constexpr std::chrono::seconds kSettle{3};

class IdleListener final : public ConnectionListener {
 public:
  void on_frame(WsConnection&, const std::uint8_t*, std::size_t) override { ++frames; }
  void on_closed(WsConnection&) override { ++closed; }
  std::size_t frames = 0;
  std::size_t closed = 0;
};

double mib(long long bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

}  // namespace

int run_idle(const Options& o, const std::vector<Account>& accounts, asio::ssl::context& tls,
             const std::vector<ConnectTarget>& targets) {
  const auto rss0 = o.server_pid ? resident_bytes(o.server_pid) : std::nullopt;
  const auto self0 = resident_bytes(0);
  const std::string load_before = load_average();
  const auto started = std::chrono::steady_clock::now();

  Fleet fleet(o, accounts, tls, targets);
  std::vector<IdleListener> listeners(o.threads);
  const std::size_t opened =
      fleet.open(o.idle_connections, [&](unsigned w) -> ConnectionListener& { return listeners[w]; });
  const double open_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::this_thread::sleep_for(kSettle);

  const auto rss1 = o.server_pid ? resident_bytes(o.server_pid) : std::nullopt;
  const auto self1 = resident_bytes(0);
  const std::string load_after = load_average();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.hold_seconds));
  const auto rss2 = o.server_pid ? resident_bytes(o.server_pid) : std::nullopt;
  fleet.stop();

  std::size_t closed = 0;
  for (auto& l : listeners) closed += l.closed;
  std::printf("hush-load idle: %zu of %zu connections opened in %.1f s over %u source addresses, %zu closed by the "
              "server while held (%.0f s)\n",
              opened, o.idle_connections, open_seconds, o.sources, closed, o.hold_seconds);
  std::printf("  load average before %s, after opening %s\n", load_before.c_str(), load_after.c_str());
  double per = 0;
  if (rss0 && rss1 && rss2 && opened > 0) {
    per = static_cast<double>(*rss1 - *rss0) / static_cast<double>(opened);
    std::printf("  hushd RSS %.1f MiB before, %.1f MiB with the connections, %.1f MiB after holding: "
                "%.0f bytes (%.1f KiB) per connection\n",
                mib(*rss0), mib(*rss1), mib(*rss2), per, per / 1024);
  } else {
    std::printf("  hushd RSS: not measured (give --server-pid)\n");
  }
  if (self0 && self1 && opened > 0) {
    std::printf("  hush-load RSS %.1f MiB -> %.1f MiB (%.0f bytes per connection on the client side)\n", mib(*self0),
                mib(*self1), static_cast<double>(*self1 - *self0) / static_cast<double>(opened));
  }
  std::printf("RESULT mode=idle connections=%zu hushd_bytes_per_connection=%.0f hushd_rss_mib=%.1f loadavg=\"%s\"\n",
              opened, per, rss1 ? mib(*rss1) : 0.0, load_after.c_str());
  return opened == o.idle_connections ? 0 : 1;
}

}  // namespace hush::load
