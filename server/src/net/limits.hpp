// Every limit and timeout of the network layer, with the reason for its
// value. ServerOptions carries a copy so tests and the config file can lower
// them; these are the defaults.
#pragma once

#include <chrono>
#include <cstddef>

namespace hush::server::net {

struct Limits {
  /// Largest HTTP request body: a registration with 100 one-time pre-keys is
  /// about 4 KiB; 64 KiB leaves room without letting a client park memory.
  std::size_t max_http_body = 64 * 1024;
  /// Largest HTTP header block: we read one Authorization header, nothing more.
  std::size_t max_http_header = 8 * 1024;
  /// Largest WebSocket message: a group fan-out's largest body (256 KiB)
  /// with its largest recipient list (5,000 devices, ~170 KB), rounded up;
  /// a 1:1 send's six ciphertexts of ~80 KiB each fit as well. The read
  /// buffer shrinks back after a large frame, so idle connections stay small.
  std::size_t max_ws_frame = 512 * 1024;
  /// TLS handshake plus the first HTTP request must finish within this.
  std::chrono::seconds handshake_timeout{10};
  /// A keep-alive HTTP connection may idle this long between requests.
  std::chrono::seconds http_idle_timeout{30};
  /// A WebSocket with no traffic gets a ping at half of this and is closed
  /// after it: mobile NATs drop idle flows after about a minute.
  std::chrono::seconds ws_idle_timeout{60};
  /// Frames queued for one connection before live pushes pause; the mailbox
  /// keeps the rest and the push resumes once the client reads.
  std::size_t max_queued_frames = 64;
  /// Responses may exceed the push cap by this much; beyond it the connection
  /// stops reading requests until the client reads its answers.
  std::size_t response_slack = 16;
  /// Connections beyond this are closed at accept: the memory budget is
  /// about 16 KiB per idle connection.
  std::size_t max_connections = 120000;
  /// Connections at once from one client address (0: no cap). A household
  /// or office behind one NAT address holds a few dozen; a carrier-grade NAT
  /// more, hence the margin. Beyond it: closed at accept.
  std::size_t max_connections_per_address = 1000;
  /// WebSocket sessions at once per account (0: no cap): six devices, a
  /// couple of processes each (two `hush` runs on one home are normal).
  /// Beyond it the upgrade gets `429`.
  std::size_t max_connections_per_account = 32;
  /// Once the first part of a WebSocket message has arrived, the rest must
  /// arrive within this, pings or not: a client cannot park half a message
  /// (up to max_ws_frame of buffer) on a connection indefinitely. 512 KiB in
  /// 30 s is 140 kbit/s, slower than any link that can use hushd.
  std::chrono::seconds frame_read_timeout{30};
  /// A new device waits on /v1/provisioning at most this long for its
  /// provisioning message: as long as a link token lives.
  std::chrono::seconds provisioning_lifetime{600};
  /// Provisioning sockets open at once per client address: one links a
  /// device or two at a time; the bound keeps one address from parking sockets.
  std::size_t max_provisioning_per_address = 10;
  /// Largest frame read on a provisioning socket: the new device sends
  /// nothing there, so anything beyond a control frame closes it.
  std::size_t max_provisioning_frame = 1024;
  /// A WebSocket session with nothing to push reads its mailbox again after
  /// this long without a wake-up (0: never). Several hushd nodes on one
  /// PostgreSQL (issue #17) wake only their own sessions, so mail stored
  /// through another node is found by this poll while no cross-node bus
  /// (Redis) carries the wake-ups; it bounds that delivery's latency, at one
  /// mailbox read per idle session and interval. Set by hushd per backend.
  /// Each wait is spread by ±20 % (poll_jitter.hpp).
  std::chrono::milliseconds mailbox_poll_interval{0};
  /// The same poll while a cross-node bus delivers wake-ups
  /// (Server::set_wake_bus_up): a safety net for a wake-up Redis lost, not
  /// the way mail arrives; never shorter than mailbox_poll_interval. 30 s:
  /// 100,000 idle sessions then cost about 3,300 small mailbox reads a
  /// second across the nodes (docs/performance.md, issue #17), and a lost
  /// wake-up, which needs a Redis failure, delays one message by at most
  /// that. Spread by ±20 % like the other.
  std::chrono::milliseconds mailbox_poll_with_bus{30000};
  /// Graceful shutdown waits this long for queued writes before it cuts.
  std::chrono::seconds shutdown_grace{5};
};

}  // namespace hush::server::net
