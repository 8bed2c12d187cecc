// hushd's network server: one io_context run by a thread per core, TLS (or,
// only when asked and only on loopback, plain TCP), HTTP routes, WebSocket
// and provisioning sessions, and a thread pool for blocking service calls.
// Beast and Asio stay behind this header (pimpl), so app/ compiles fast.
#pragma once

#include "net/application.hpp"
#include "net/limits.hpp"
#include "net/metrics.hpp"
#include "net/provisioning_registry.hpp"
#include "net/registry.hpp"

#include <hush/util/result.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace hush::server::net {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;  ///< 0: an ephemeral port (see local_address())
  /// Serve without TLS. Refused unless `host` is a loopback address.
  bool plain_tcp = false;
  std::string tls_cert_file;  ///< PEM chain; required unless plain_tcp
  std::string tls_key_file;   ///< PEM private key
  /// The metrics listener (plain HTTP, `GET /metrics` only): kept off the
  /// client port so the public never sees the counters. Empty host: none.
  std::string metrics_host = "127.0.0.1";
  std::uint16_t metrics_port = 0;  ///< 0: an ephemeral port (see metrics_address())
  unsigned io_threads = 0;       ///< 0: one per core
  unsigned service_threads = 0;  ///< 0: 32 per core (calls block on disk)
  Limits limits;
};

class Server {
 public:
  Server(ServerOptions options, Application& app);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Loads the TLS files, binds, listens and starts the threads.
  /// Errors: invalid_argument (plain TCP off loopback, bad address),
  /// bad_key (certificate or key unreadable), network_failure (bind/listen).
  [[nodiscard]] Status start();

  /// The bound address as "HOST:PORT" (the real port when 0 was asked).
  [[nodiscard]] std::string local_address() const;
  /// The metrics listener's bound address as "HOST:PORT" (empty: none).
  [[nodiscard]] std::string metrics_address() const;

  /// Wakes the sessions of `peer` (a Peer::id) to drain their mailbox.
  /// Thread-safe; cheap when the peer is not connected.
  /// Returns how many sessions were woken.
  std::size_t notify(const std::string& peer);

  /// Queues `frame` (a notice, not mail) on every live session of `peer`.
  /// Thread-safe; returns at once; nothing happens when it is not connected.
  void send_notice(const std::string& peer, const Bytes& frame);

  /// Closes every live session of `peer` at once (its device was removed):
  /// a request being handled still gets its answer, then the socket closes.
  /// A session of `peer` that authenticated just before is closed when it
  /// binds. Thread-safe; returns at once.
  void disconnect(const std::string& peer);
  /// Told of every peer that gains or loses a connection here (a cross-node
  /// bus subscribes to its devices); empty: nobody. See Registry.
  void set_bind_observer(Registry::BindObserver observer);
  /// Whether a cross-node bus is delivering wake-ups now: while it is, idle
  /// sessions poll their mailbox only every Limits::mailbox_poll_with_bus. When it goes
  /// down every session is woken at once: a wake-up may have been lost just
  /// before, and a session already waiting out the long interval would
  /// otherwise look only when that ends.
  void set_wake_bus_up(bool up);

  /// Hands `frame` to the provisioning socket waiting at `address`, which
  /// sends it and closes. False when none waits there (unknown, expired,
  /// closed or already used). Thread-safe; returns at once.
  bool forward_provisioning(const std::string& address, Bytes frame);
  /// Told of every provisioning address that starts or stops waiting here
  /// (the cross-node relay subscribes to it); empty: nobody. Set before
  /// start(). See ProvisioningRegistry::set_observer.
  void set_provisioning_observer(ProvisioningRegistry::Observer observer);

  /// Begins a graceful shutdown: stop accepting, let sessions finish queued
  /// writes and close, cut what remains after Limits::shutdown_grace.
  /// Thread-safe; returns at once.
  void stop();

  /// Blocks until every thread has finished (after stop()).
  void wait();

  [[nodiscard]] const Metrics& metrics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hush::server::net
