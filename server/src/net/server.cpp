// Server: owns the io_context and its threads (one per core), the service
// thread pool, the TLS context, the acceptor and the registry; runs the
// accept loop and the graceful shutdown. Each accepted socket gets its own
// strand; exceptions a session lets escape are caught and logged here.
#include "net/server.hpp"

#include "net/log.hpp"
#include "net/session_context.hpp"
#include "net/tls_socket_stream.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

namespace hush::server::net {
namespace {

using tcp = asio::ip::tcp;

/// After an accept error such as EMFILE, wait this long before retrying so a
/// descriptor shortage does not spin a core.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
/// How often shutdown checks whether every connection has closed.
constexpr std::chrono::milliseconds kShutdownPoll{20};
/// Blocking calls mostly wait on the disk (group commit), and a commit can
/// only batch the requests whose threads are waiting: with 4 per core
/// hush-load's relay ran 2.8x slower (median) than with 32 (docs/performance.md).
constexpr unsigned kServiceThreadsPerCore = 32;

/// Every TLS 1.3 suite OpenSSL enables by default, smallest per-connection
/// state first (see load_tls()).
constexpr const char* kTls13Ciphersuites = "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384";

unsigned cores() { return std::max(1U, std::thread::hardware_concurrency()); }

}  // namespace

struct Server::Impl {
  Impl(ServerOptions opts, Application& application)
      : options(std::move(opts)),
        app(application),
        pool(options.service_threads ? options.service_threads : cores() * kServiceThreadsPerCore) {}

  // Declaration order is destruction order in reverse: the io_context (and the
  // coroutine frames it may still hold) goes before the registry and metrics
  // those frames refer to; the pool before the io_context its work guards count on.
  ServerOptions options;
  Application& app;
  Metrics metrics;
  Registry registry;
  ProvisioningRegistry provisioning{options.limits.max_provisioning_per_address};
  std::atomic<bool> stopping{false};
  std::atomic<bool> wake_bus_up{false};
  std::optional<asio::ssl::context> tls;
  asio::io_context ioc;
  asio::thread_pool pool;
  std::optional<tcp::acceptor> acceptor;
  std::optional<tcp::acceptor> metrics_acceptor;
  std::shared_ptr<ConnectionCounter> per_address = std::make_shared<ConnectionCounter>();
  std::shared_ptr<ConnectionCounter> per_account = std::make_shared<ConnectionCounter>();
  std::string metrics_bound;
  std::optional<SessionContext> ctx;
  std::vector<std::thread> threads;
  std::string bound;

  Status load_tls() {
    tls.emplace(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                     asio::ssl::context::single_dh_use);
    // Idle connections then hold no TLS record buffers (tens of KiB each).
    SSL_CTX_set_mode(tls->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    // No resumption: our clients never resume, so session tickets would only
    // cost a ticket encryption per connection, and a server-side cache
    // (20,480 sessions by default, for TLS 1.2 clients) only memory.
    SSL_CTX_set_num_tickets(tls->native_handle(), 0);
    SSL_CTX_set_session_cache_mode(tls->native_handle(), SSL_SESS_CACHE_OFF);
    // TLS 1.3: ChaCha20-Poly1305 first, chosen by us whatever the client's
    // order: the suite whose records TlsSocketStream can carry itself (below;
    // docs/performance.md, "Idle connections"). Record encryption is a few
    // percent of hushd's CPU with either suite.
    SSL_CTX_set_options(tls->native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_ciphersuites(tls->native_handle(), kTls13Ciphersuites) != 1) {
      return make_error(Errc::crypto_failure, "cannot set the TLS 1.3 cipher suites");
    }
    // ChaCha20-Poly1305 connections then drop OpenSSL's SSL object after the
    // handshake (~13.5 KiB each) and TlsSocketStream seals their records.
    TlsSocketStream::hand_off_records(*tls);
    boost::system::error_code ec;
    tls->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) return make_error(Errc::bad_key, "cannot load the TLS certificate");
    tls->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return make_error(Errc::bad_key, "cannot load the TLS private key");
    return ok();
  }

  static Status listen_on(tcp::acceptor& a, const asio::ip::address& address, std::uint16_t port,
                          std::string& bound_to) {
    boost::system::error_code ec;
    const tcp::endpoint endpoint(address, port);
    a.open(endpoint.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return make_error(Errc::network_failure, "cannot listen on the address");
    const auto local = a.local_endpoint(ec);
    if (ec) return make_error(Errc::network_failure, "cannot read the bound address");
    bound_to = local.address().is_v6() ? "[" + local.address().to_string() + "]:" + std::to_string(local.port())
                                       : local.address().to_string() + ":" + std::to_string(local.port());
    return ok();
  }

  Status bind() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options.host, ec);
    if (ec) return make_error(Errc::invalid_argument, "listen address is not an IP address");
    if (options.plain_tcp && !address.is_loopback()) {
      return make_error(Errc::invalid_argument, "plain TCP is allowed only on a loopback address");
    }
    acceptor.emplace(ioc);
    HUSH_TRY(listen_on(*acceptor, address, options.port, bound));
    if (options.metrics_host.empty()) return ok();
    const auto metrics_address = asio::ip::make_address(options.metrics_host, ec);
    if (ec) return make_error(Errc::invalid_argument, "metrics address is not an IP address");
    metrics_acceptor.emplace(ioc);
    return listen_on(*metrics_acceptor, metrics_address, options.metrics_port, metrics_bound);
  }

  asio::awaitable<void> metrics_accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await metrics_acceptor->async_accept(asio::make_strand(ioc), kAsTuple);
      if (stopping.load() || !metrics_acceptor->is_open()) co_return;
      if (ec) {
        asio::steady_timer backoff(ioc, kAcceptBackoff);
        co_await backoff.async_wait(kAsTuple);
        continue;
      }
      const auto ex = socket.get_executor();
      asio::co_spawn(ex, run_metrics_connection(std::move(socket), *ctx),
                     [](const std::exception_ptr& e) { log_session_exception(e); });
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(asio::make_strand(ioc), kAsTuple);
      if (stopping.load() || !acceptor->is_open()) co_return;
      if (ec) {
        log_event(LogLevel::warn, "accept_failed", {kv("error", ec.message())});
        asio::steady_timer backoff(ioc, kAcceptBackoff);
        co_await backoff.async_wait(kAsTuple);
        continue;
      }
      if (static_cast<std::size_t>(metrics.connections_open.load()) >= options.limits.max_connections) {
        metrics.connections_refused.fetch_add(1, std::memory_order_relaxed);
        continue;  // the socket closes as it goes out of scope
      }
      boost::system::error_code peer_ec;
      const auto peer = socket.remote_endpoint(peer_ec);
      auto slot = per_address->try_acquire(peer_ec ? std::string() : peer.address().to_string(),
                                           options.limits.max_connections_per_address);
      if (!slot) {
        metrics.address_connections_refused.fetch_add(1, std::memory_order_relaxed);
        continue;  // one address may not take every slot
      }
      const auto ex = socket.get_executor();
      asio::co_spawn(ex, run_connection(std::move(socket), *ctx, std::move(slot)),
                     [](const std::exception_ptr& e) { log_session_exception(e); });
    }
  }

  asio::awaitable<void> drain_then_stop() {
    const auto deadline = std::chrono::steady_clock::now() + options.limits.shutdown_grace;
    asio::steady_timer timer(ioc);
    while (metrics.connections_open.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(kShutdownPoll);
      co_await timer.async_wait(kAsTuple);
    }
    log_event(LogLevel::info, "shutdown_done", {kv("connections_left", metrics.connections_open.load())});
    ioc.stop();
  }
};

Server::Server(ServerOptions options, Application& app) : impl_(std::make_unique<Impl>(std::move(options), app)) {}

Server::~Server() {
  if (!impl_->threads.empty()) {
    stop();
    wait();
  }
}

Status Server::start() {
  if (!impl_->options.plain_tcp) HUSH_TRY(impl_->load_tls());
  HUSH_TRY(impl_->bind());
  impl_->ctx.emplace(SessionContext{impl_->app, impl_->pool, impl_->registry, impl_->provisioning, impl_->metrics,
                                    impl_->options.limits, impl_->tls ? &*impl_->tls : nullptr, impl_->stopping,
                                    *impl_->per_account, impl_->wake_bus_up});
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  if (impl_->metrics_acceptor) asio::co_spawn(impl_->ioc, impl_->metrics_accept_loop(), asio::detached);
  const unsigned n = impl_->options.io_threads ? impl_->options.io_threads : cores();
  for (unsigned i = 0; i < n; ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return ok();
}

std::string Server::local_address() const { return impl_->bound; }

std::string Server::metrics_address() const { return impl_->metrics_bound; }

std::size_t Server::notify(const std::string& peer) { return impl_->registry.notify(peer); }

void Server::set_bind_observer(Registry::BindObserver observer) {
  impl_->registry.set_bind_observer(std::move(observer));
}

void Server::set_wake_bus_up(bool up) {
  const bool was_up = impl_->wake_bus_up.exchange(up, std::memory_order_relaxed);
  if (was_up && !up) impl_->registry.notify_all();
}

void Server::send_notice(const std::string& peer, const Bytes& frame) { impl_->registry.send_notice(peer, frame); }

void Server::disconnect(const std::string& peer) {
  const std::size_t n = impl_->registry.disconnect(peer);
  impl_->metrics.disconnects.fetch_add(n, std::memory_order_relaxed);
  log_event(LogLevel::info, "disconnect", {kv("peer", peer), kv("sessions", n)});
}

bool Server::forward_provisioning(const std::string& address, Bytes frame) {
  const bool delivered = impl_->provisioning.deliver(address, std::move(frame));
  if (delivered) impl_->metrics.provisioning_forwarded.fetch_add(1, std::memory_order_relaxed);
  return delivered;
}

void Server::set_provisioning_observer(ProvisioningRegistry::Observer observer) {
  impl_->provisioning.set_observer(std::move(observer));
}

void Server::stop() {
  if (impl_->stopping.exchange(true)) return;
  asio::post(impl_->ioc, [impl = impl_.get()] {
    boost::system::error_code ignored;
    if (impl->acceptor) impl->acceptor->close(ignored);
    if (impl->metrics_acceptor) impl->metrics_acceptor->close(ignored);
    impl->registry.shutdown_all();
    asio::co_spawn(impl->ioc, impl->drain_then_stop(), asio::detached);
  });
}

void Server::wait() {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
  impl_->pool.join();
}

const Metrics& Server::metrics() const { return impl_->metrics; }

}  // namespace hush::server::net
