// Renders Metrics as Prometheus text (format version 0.0.4).
#include "net/metrics.hpp"

#include <fmt/format.h>

namespace hush::server::net {

void Metrics::observe_service_call(std::chrono::steady_clock::duration elapsed) {
  const double secs = std::chrono::duration<double>(elapsed).count();
  std::size_t i = 0;
  while (i < kLatencyBuckets.size() && secs > kLatencyBuckets[i]) ++i;
  latency_buckets_[i].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()),
      std::memory_order_relaxed);
}

namespace {

template <class T>
void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            const std::atomic<T>& value) {
  out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type,
                     value.load(std::memory_order_relaxed));
}

}  // namespace

std::string Metrics::render() const {
  std::string out;
  metric(out, "hushd_connections_open", "gauge", "TCP connections currently open.", connections_open);
  metric(out, "hushd_connections_total", "counter", "TCP connections accepted.", connections_total);
  metric(out, "hushd_connections_refused_total", "counter", "Connections closed at accept (limit).",
         connections_refused);
  metric(out, "hushd_tls_handshake_failures_total", "counter", "TLS handshakes that failed.",
         tls_handshake_failures);
  metric(out, "hushd_tls_records_handed_off_total", "counter",
         "TLS handshakes after which hushd carried the records itself (OpenSSL's SSL freed).",
         tls_records_handed_off);
  metric(out, "hushd_websockets_open", "gauge", "Authenticated WebSocket sessions.", websockets_open);
  metric(out, "hushd_http_requests_total", "counter", "HTTP requests served.", http_requests);
  metric(out, "hushd_auth_failures_total", "counter", "WebSocket upgrades refused (credentials).",
         auth_failures);
  metric(out, "hushd_frames_in_total", "counter", "WebSocket frames received.", frames_in);
  metric(out, "hushd_frames_out_total", "counter", "WebSocket frames sent.", frames_out);
  metric(out, "hushd_bad_frames_total", "counter", "Frames answered with a 4xx status.", bad_frames);
  metric(out, "hushd_messages_in_total", "counter", "Sends accepted (durably stored).", messages_in);
  metric(out, "hushd_messages_out_total", "counter", "Envelopes pushed to devices.", messages_out);
  metric(out, "hushd_outgoing_queue_depth", "gauge", "Frames queued for writing, all connections.",
         queued_frames);
  metric(out, "hushd_push_pauses_total", "counter", "Times a full outgoing queue paused live pushes.",
         push_pauses);
  metric(out, "hushd_mailbox_polls_total", "counter",
         "Mailbox reads of idle sessions after a poll interval without a wake-up (mail stored on other nodes).",
         mailbox_polls);
  metric(out, "hushd_disconnects_total", "counter", "Sessions closed because their device was removed.",
         disconnects);
  metric(out, "hushd_provisioning_open", "gauge", "New devices waiting on /v1/provisioning.", provisioning_open);
  metric(out, "hushd_provisioning_forwarded_total", "counter", "Provisioning messages handed to a new device.",
         provisioning_forwarded);
  metric(out, "hushd_provisioning_refused_total", "counter", "Provisioning sockets refused (per-address cap).",
         provisioning_refused);
  metric(out, "hushd_bad_framing_total", "counter", "HTTP requests refused for a Transfer-Encoding other than chunked.",
         bad_framing);
  metric(out, "hushd_address_connections_refused_total", "counter",
         "Connections closed at accept because their address holds max_connections_per_address.",
         address_connections_refused);
  metric(out, "hushd_account_connections_refused_total", "counter",
         "WebSocket upgrades refused because the account holds max_connections_per_account.",
         account_connections_refused);
  metric(out, "hushd_partial_frame_timeouts_total", "counter",
         "WebSocket sessions closed because a frame was not finished within frame_read_timeout.",
         partial_frame_timeouts);

  out += "# HELP hushd_service_call_seconds Latency of blocking service (storage) calls.\n";
  out += "# TYPE hushd_service_call_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
    out += fmt::format("hushd_service_call_seconds_bucket{{le=\"{}\"}} {}\n", kLatencyBuckets[i], cumulative);
  }
  cumulative += latency_buckets_.back().load(std::memory_order_relaxed);
  out += fmt::format("hushd_service_call_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("hushd_service_call_seconds_sum {:.6f}\n",
                     static_cast<double>(latency_sum_us_.load(std::memory_order_relaxed)) / 1e6);
  out += fmt::format("hushd_service_call_seconds_count {}\n", latency_count_.load(std::memory_order_relaxed));
  return out;
}

}  // namespace hush::server::net
