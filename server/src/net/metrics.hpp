// Process counters exposed at /metrics in the Prometheus text format:
// connections, frames and messages in/out, outgoing queue depth and the
// latency of blocking service calls (which is storage latency in practice).
// Lock-free: every field is an atomic updated from I/O or pool threads.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace hush::server::net {

class Metrics {
 public:
  /// Upper bounds (seconds) of the service-call latency histogram buckets.
  static constexpr std::array<double, 10> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                             0.025,  0.05,  0.1,    0.25,  1.0};

  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> tls_handshake_failures{0};
  /// TLS handshakes after which Tls13Records took the records over from OpenSSL.
  std::atomic<std::uint64_t> tls_records_handed_off{0};
  std::atomic<std::int64_t> websockets_open{0};
  std::atomic<std::uint64_t> http_requests{0};
  std::atomic<std::uint64_t> auth_failures{0};
  std::atomic<std::uint64_t> frames_in{0};
  std::atomic<std::uint64_t> frames_out{0};
  std::atomic<std::uint64_t> bad_frames{0};
  std::atomic<std::uint64_t> messages_in{0};   ///< sends accepted
  std::atomic<std::uint64_t> messages_out{0};  ///< envelopes pushed
  std::atomic<std::int64_t> queued_frames{0};  ///< sum of outgoing queue depths
  std::atomic<std::uint64_t> push_pauses{0};   ///< times a full queue paused live pushes
  std::atomic<std::uint64_t> mailbox_polls{0};  ///< mailbox reads after a poll interval without a wake-up
  std::atomic<std::uint64_t> disconnects{0};   ///< sessions closed because their device was removed
  std::atomic<std::int64_t> provisioning_open{0};          ///< new devices waiting on /v1/provisioning
  std::atomic<std::uint64_t> provisioning_forwarded{0};    ///< provisioning messages handed over
  std::atomic<std::uint64_t> provisioning_refused{0};      ///< /v1/provisioning upgrades over the per-address cap
  std::atomic<std::uint64_t> bad_framing{0};  ///< requests refused for a Transfer-Encoding other than `chunked`
  std::atomic<std::uint64_t> address_connections_refused{0};  ///< closed at accept: per-address cap
  std::atomic<std::uint64_t> account_connections_refused{0};  ///< WebSocket upgrades refused: per-account cap
  std::atomic<std::uint64_t> partial_frame_timeouts{0};  ///< sessions closed: a frame not finished in time

  /// Records one blocking service call.
  void observe_service_call(std::chrono::steady_clock::duration elapsed);

  /// The Prometheus text exposition of every metric.
  [[nodiscard]] std::string render() const;

 private:
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> latency_buckets_{};
  std::atomic<std::uint64_t> latency_count_{0};
  std::atomic<std::uint64_t> latency_sum_us_{0};
};

}  // namespace hush::server::net
