// A minimal hushd client for integration tests: HTTPS requests and one
// WebSocket over TLS (trusting the server's self-signed certificate, host
// checked) speaking service.proto frames. Single-threaded: the io_context
// runs only inside calls, with a deadline on each. Raw TCP helpers feed it
// garbage.
#pragma once

#include "service.pb.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace hush::testing {

namespace pb = ::hush::service::v1;
using namespace std::chrono_literals;

struct HttpResult {
  unsigned status = 0;  ///< 0: no answer (connection failed or closed)
  std::string body;
};

class TestClient {
 public:
  /// `ca_file` empty: plain TCP (a hushd started with --plain-tcp).
  TestClient(std::string host, std::uint16_t port, std::string ca_file);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  /// Connects from this local address from now on (e.g. "127.0.0.7"), so
  /// that tests registering many accounts stay under hushd's per-address
  /// registration limit. Empty: the kernel's choice.
  void set_source_address(std::string address);

  /// One request on a new connection.
  HttpResult http(const std::string& method, const std::string& target, const std::string& body = {},
                  const std::string& authorization = {});

  /// Opens the WebSocket at `path` (/v1/ws; /v1/provisioning takes no
  /// authorization). False when refused; `status` then holds the HTTP status
  /// of the refusal (0 if none).
  bool connect(const std::string& authorization, unsigned* status = nullptr, const std::string& path = "/v1/ws");
  /// Sends one binary frame as is.
  bool send_raw(const std::string& bytes);
  /// The next frame's bytes as received, or nullopt on timeout or once the
  /// connection closed (and nothing is left to read).
  std::optional<std::string> read_raw(std::chrono::milliseconds timeout = 5s);
  /// The next frame, or nullopt on timeout or once the connection closed.
  /// QueueEmpty frames (one per connection, after the first mailbox drain)
  /// are skipped and counted: read_raw() sees them in place.
  std::optional<pb::ServerFrame> read_frame(std::chrono::milliseconds timeout = 5s);
  /// QueueEmpty frames read_frame() skipped so far.
  [[nodiscard]] std::size_t queue_empty_frames() const;
  /// Sends `frame` with a fresh id and returns the Response with that id;
  /// envelopes read meanwhile are kept for next_envelope().
  std::optional<pb::Response> call(pb::ClientFrame frame, std::chrono::milliseconds timeout = 10s);
  /// The next pushed envelope (kept or new), or nullopt on timeout/close.
  std::optional<pb::Envelope> next_envelope(std::chrono::milliseconds timeout = 5s);
  /// Whether the server closed the WebSocket (or the connection failed).
  [[nodiscard]] bool closed() const;
  /// Reads until the connection closes or `timeout`; true if it closed.
  bool wait_closed(std::chrono::milliseconds timeout = 5s);
  /// Closes the WebSocket politely.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Connects by plain TCP, writes `bytes`, reads until EOF or `timeout`;
/// returns what came back and whether the peer closed.
struct RawExchange {
  std::string received;
  bool peer_closed = false;
};
RawExchange raw_tcp_exchange(const std::string& host, std::uint16_t port, const std::string& bytes,
                             std::chrono::milliseconds timeout = 5s);

}  // namespace hush::testing
