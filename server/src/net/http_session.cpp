// One accepted connection until it closes or upgrades: the TLS handshake
// (plain TCP only when the server was started so, on loopback), then HTTP
// requests with header/body limits and timeouts: /healthz,
// POST /v1/register, the authenticated WebSocket upgrade at /v1/ws and the
// unauthenticated one at /v1/provisioning (bounded per client address).
// Malformed input ends in a 4xx answer or a closed connection, never more.
// An upgrade hands the stream to a session coroutine of its own and ends here.
#include "net/log.hpp"
#include "net/provisioning_session.hpp"
#include "net/session_context.hpp"
#include "net/ws_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <memory>
#include <optional>

namespace hush::server::net {
namespace {

namespace http = beast::http;
using tcp = asio::ip::tcp;

/// How long a TLS close_notify exchange may take before we just drop the socket.
constexpr std::chrono::seconds kTlsShutdownTimeout{2};

constexpr unsigned kHttp11 = 11;

/// Lets Registry::shutdown_all() interrupt an idle keep-alive connection.
/// The stream pointer is touched only on the connection's strand. `Lowest`
/// is the stream's lowest layer (beast::tcp_stream or TlsSocketStream).
template <class Lowest>
class HttpConnection final : public Connection, public std::enable_shared_from_this<HttpConnection<Lowest>> {
 public:
  HttpConnection(asio::any_io_executor ex, Lowest* stream) : ex_(std::move(ex)), stream_(stream) {}
  void wake() override {}
  void shutdown() override {
    asio::post(ex_, [self = this->shared_from_this()] {
      if (self->stream_ != nullptr) self->stream_->cancel();
    });
  }
  void detach() { stream_ = nullptr; }

 private:
  asio::any_io_executor ex_;
  Lowest* stream_;
};

struct Upgrade {
  HttpRequest request;
  Peer peer;                  ///< empty for a provisioning socket
  bool provisioning = false;  ///< /v1/provisioning (a slot for the remote is reserved)
  /// The connection's places under the per-address and per-account caps,
  /// held for as long as the session lives.
  ConnectionCounter::Slot address_slot;
  ConnectionCounter::Slot account_slot;
};

/// The account part of a peer id ("account_hex.device").
std::string account_of(const std::string& peer_id) { return peer_id.substr(0, peer_id.find('.')); }

std::string_view path_of(std::string_view target) {
  const auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

template <class Stream>
asio::awaitable<bool> reply(Stream& stream, unsigned version, unsigned status, std::string_view content_type,
                            std::string_view body, bool keep_alive) {
  // Only trivially destructible parameters: see offload() on g++ 12.
  http::response<http::string_body> res{static_cast<http::status>(status), version};
  res.set(http::field::server, "hushd");
  res.set(http::field::content_type, content_type);
  if (status == 401) res.set(http::field::www_authenticate, "Basic realm=\"hush\"");
  res.keep_alive(keep_alive);
  res.body() = std::string(body);
  res.prepare_payload();
  auto [ec, n] = co_await http::async_write(stream, res, kAsTuple);
  co_return !ec;
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

/// Serves HTTP requests until the connection closes (nullopt) or a valid,
/// authenticated WebSocket upgrade arrives.
/// Whether a request's framing is one we trust: no Transfer-Encoding, or
/// exactly one that is exactly `chunked`. Anything else ("gzip", "chunked,
/// gzip", two headers) is how requests are smuggled past a proxy that reads
/// the framing differently, so it is refused rather than read as "no body".
bool plain_framing(const HttpRequest& req) {
  const auto n = req.count(http::field::transfer_encoding);
  if (n == 0) return true;
  return n == 1 && beast::iequals(req[http::field::transfer_encoding], "chunked");
}

/// Serves HTTP requests until the connection closes (nullopt) or a valid,
/// authenticated WebSocket upgrade arrives. The first request must be read
/// by `first_deadline` (the connection's one deadline for the TLS handshake
/// plus the first request); later ones each get the keep-alive idle time.
template <class Stream>
asio::awaitable<std::optional<Upgrade>> serve_http(Stream& stream, const std::string& remote, SessionContext& ctx,
                                                   std::chrono::steady_clock::time_point first_deadline) {
  beast::flat_buffer buffer;
  bool first = true;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(ctx.limits.max_http_header));
    parser.body_limit(ctx.limits.max_http_body);
    if (first) {
      const auto left = first_deadline - std::chrono::steady_clock::now();
      beast::get_lowest_layer(stream).expires_after(std::max(left, std::chrono::steady_clock::duration::zero()));
    } else {
      beast::get_lowest_layer(stream).expires_after(ctx.limits.http_idle_timeout);
    }
    first = false;
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kAsTuple);
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        co_await reply(stream, kHttp11, 413, "text/plain", "too large\n", false);
      } else if (is_parse_error(ec)) {
        co_await reply(stream, kHttp11, 400, "text/plain", "bad request\n", false);
      }
      co_return std::nullopt;
    }
    ctx.metrics.http_requests.fetch_add(1, std::memory_order_relaxed);
    const HttpRequest& req = parser.get();
    if (!plain_framing(req)) {
      ctx.metrics.bad_framing.fetch_add(1, std::memory_order_relaxed);
      co_await reply(stream, kHttp11, 400, "text/plain", "bad request\n", false);
      co_return std::nullopt;
    }
    const std::string_view path = path_of(req.target());
    const bool keep_alive = req.keep_alive() && !ctx.stopping.load();

    if (beast::websocket::is_upgrade(req) && path == "/v1/provisioning") {
      if (!ctx.provisioning.reserve(remote)) {
        ctx.metrics.provisioning_refused.fetch_add(1, std::memory_order_relaxed);
        co_await reply(stream, req.version(), 429, "text/plain", "too many provisioning sockets\n", false);
        co_return std::nullopt;
      }
      co_return Upgrade{parser.release(), Peer{}, true, {}, {}};
    }
    if (beast::websocket::is_upgrade(req)) {
      if (path != "/v1/ws") {
        co_await reply(stream, req.version(), 404, "text/plain", "not found\n", false);
        co_return std::nullopt;
      }
      std::string authorization(req[http::field::authorization]);
      auto authenticate = [&ctx, &authorization] { return ctx.app.authenticate(authorization); };
      auto peer = co_await offload(ctx, authenticate);
      if (!peer) {
        ctx.metrics.auth_failures.fetch_add(1, std::memory_order_relaxed);
        log_event(LogLevel::info, "auth_refused", {kv("remote", remote)});
        co_await reply(stream, req.version(), 401, "text/plain", "unauthorized\n", false);
        co_return std::nullopt;
      }
      auto account_slot = ctx.per_account.try_acquire(account_of(peer->id), ctx.limits.max_connections_per_account);
      if (!account_slot) {
        ctx.metrics.account_connections_refused.fetch_add(1, std::memory_order_relaxed);
        log_event(LogLevel::info, "account_connections_refused", {kv("peer", peer->id)});
        co_await reply(stream, req.version(), 429, "text/plain", "too many connections for this account\n", false);
        co_return std::nullopt;
      }
      Upgrade up{parser.release(), std::move(*peer), false, {}, {}};
      up.account_slot = std::move(account_slot);
      co_return up;
    }

    unsigned status = 200;
    std::string content_type = "text/plain";
    std::string body;
    if (path == "/healthz" && req.method() == http::verb::get) {
      body = "ok\n";
    } else if (path == "/v1/register" && req.method() == http::verb::post) {
      auto register_device = [&ctx, &req, &remote] { return ctx.app.register_device(hush::as_bytes(req.body()), remote); };
      auto r = co_await offload(ctx, register_device);
      status = r.status;
      content_type = std::move(r.content_type);
      body = std::move(r.body);
      log_event(LogLevel::info, "register", {kv("remote", remote), kv("status", status)});
    } else if (path == "/v1/register/challenge" && req.method() == http::verb::post) {
      auto r = ctx.app.register_challenge();
      status = r.status;
      content_type = std::move(r.content_type);
      body = std::move(r.body);
    } else if (path == "/healthz" || path == "/v1/register" || path == "/v1/register/challenge" || path == "/v1/ws" ||
               path == "/v1/provisioning") {
      status = 405;
      body = "method not allowed\n";
    } else {
      status = 404;
      body = "not found\n";
    }
    if (!co_await reply(stream, req.version(), status, content_type, body, keep_alive) || !keep_alive) {
      co_return std::nullopt;
    }
  }
}

asio::awaitable<void> close_stream(PlainStream& stream) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  co_return;
}

asio::awaitable<void> close_stream(TlsStream& stream) {
  beast::get_lowest_layer(stream).expires_after(kTlsShutdownTimeout);
  co_await stream.async_shutdown(kAsTuple);
}

/// Starts the upgraded connection's session as a coroutine of its own on the
/// connection's strand (the stream's executor) and returns at once. The
/// accept, TLS and HTTP coroutines that led here then end instead of staying
/// suspended under a session that may live for days: their frames were
/// ~2.7 KiB of every idle connection (docs/performance.md, "Idle
/// connections"). The session counts as an open connection until it ends,
/// so a graceful shutdown still waits for it. Not a coroutine: nothing here
/// lives across a suspension.
template <class Stream>
void spawn_session(Stream& stream, Upgrade& upgrade, const std::string& remote, SessionContext& ctx) {
  const auto ex = stream.get_executor();
  ctx.metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
  auto done = [&metrics = ctx.metrics, slots = std::make_pair(std::move(upgrade.address_slot),
                                                              std::move(upgrade.account_slot))](
                  const std::exception_ptr& e) {
    metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
    log_session_exception(e);
  };
  // The session coroutine takes its arguments into its own frame here.
  if (upgrade.provisioning) {
    asio::co_spawn(ex, run_provisioning<Stream>(std::move(stream), std::move(upgrade.request), remote, ctx),
                   std::move(done));
  } else {
    asio::co_spawn(ex,
                   run_websocket<Stream>(std::move(stream), std::move(upgrade.request), std::move(upgrade.peer),
                                         remote, ctx),
                   std::move(done));
  }
}

template <class Stream, class Handle>
asio::awaitable<void> serve(Stream& stream, const std::string& remote, SessionContext& ctx,
                            const std::shared_ptr<Handle>& handle, std::chrono::steady_clock::time_point deadline,
                            ConnectionCounter::Slot& address_slot) {
  auto upgrade = co_await serve_http(stream, remote, ctx, deadline);
  handle->detach();
  if (!upgrade) {
    co_await close_stream(stream);
    co_return;
  }
  upgrade->address_slot = std::move(address_slot);
  beast::get_lowest_layer(stream).expires_never();
  spawn_session(stream, *upgrade, remote, ctx);
}

/// Keeps the open-connection gauge and the registry entry right on every exit.
template <class Handle>
struct ConnectionScope {
  SessionContext& ctx;
  Registry::Token token;
  std::shared_ptr<Handle> handle;
  ~ConnectionScope() {
    handle->detach();
    ctx.registry.remove(token);
    ctx.metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
  }
};

asio::awaitable<void> serve_plain(tcp::socket socket, const std::string& remote, SessionContext& ctx,
                                  ConnectionCounter::Slot& address_slot) {
  PlainStream stream(std::move(socket));
  auto handle = std::make_shared<HttpConnection<PlainStream>>(stream.get_executor(), &stream);
  ConnectionScope<HttpConnection<PlainStream>> scope{ctx, ctx.registry.add(handle), handle};
  co_await serve(stream, remote, ctx, handle, std::chrono::steady_clock::now() + ctx.limits.handshake_timeout,
                 address_slot);
}

asio::awaitable<void> serve_tls(TlsStream& stream, const std::string& remote, SessionContext& ctx,
                                ConnectionCounter::Slot& address_slot) {
  auto handle = std::make_shared<HttpConnection<TlsStream>>(stream.get_executor(), &stream);
  ConnectionScope<HttpConnection<TlsStream>> scope{ctx, ctx.registry.add(handle), handle};
  // One deadline for the handshake and the first request together: a client
  // that takes its time over both holds a connection no longer than this.
  const auto deadline = std::chrono::steady_clock::now() + ctx.limits.handshake_timeout;
  stream.expires_after(ctx.limits.handshake_timeout);
  auto [hs] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAsTuple);
  if (hs) {
    ctx.metrics.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
    log_event(LogLevel::debug, "tls_handshake_failed", {kv("remote", remote), kv("error", hs.message())});
    co_return;
  }
  if (stream.records_handed_off()) ctx.metrics.tls_records_handed_off.fetch_add(1, std::memory_order_relaxed);
  co_await serve(stream, remote, ctx, handle, deadline, address_slot);
}

}  // namespace

asio::awaitable<void> run_metrics_connection(tcp::socket socket, SessionContext& ctx) {
  PlainStream stream(std::move(socket));
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(ctx.limits.max_http_header));
  parser.body_limit(0);
  stream.expires_after(ctx.limits.handshake_timeout);
  auto [ec, n] = co_await http::async_read(stream, buffer, parser, kAsTuple);
  if (ec) {
    co_await close_stream(stream);
    co_return;
  }
  const HttpRequest& req = parser.get();
  if (path_of(req.target()) == "/metrics" && req.method() == http::verb::get) {
    auto extra_metrics = [&ctx] { return ctx.app.extra_metrics(); };
    std::string extra = co_await offload(ctx, extra_metrics);
    std::string body = ctx.metrics.render() + extra;
    co_await reply(stream, req.version(), 200, "text/plain; version=0.0.4", body, false);
  } else {
    co_await reply(stream, req.version(), 404, "text/plain", "not found\n", false);
  }
  co_await close_stream(stream);
}

asio::awaitable<void> run_connection(tcp::socket socket, SessionContext& ctx, ConnectionCounter::Slot address_slot) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  const std::string remote = ec ? std::string("unknown") : endpoint.address().to_string();
  ctx.metrics.connections_total.fetch_add(1, std::memory_order_relaxed);

  if (ctx.tls == nullptr) {
    ctx.metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
    co_await serve_plain(std::move(socket), remote, ctx, address_slot);
    co_return;
  }
  std::optional<TlsStream> stream;
  try {
    stream.emplace(std::move(socket), *ctx.tls);
  } catch (const std::exception& e) {
    log_event(LogLevel::warn, "tls_stream_failed", {kv("remote", remote), kv("what", e.what())});
    co_return;  // the socket closes with the stream's remains
  }
  ctx.metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
  co_await serve_tls(*stream, remote, ctx, address_slot);
}

}  // namespace hush::server::net
