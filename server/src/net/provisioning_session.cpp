// A provisioning socket: the new device's only channel before it has an
// account. The first frame names its random address; the socket then waits
// for one forwarded frame (sent, then the socket closes), or closes when the
// client leaves or speaks, the lifetime ends or the server stops. Two
// coroutines on the strand: the reader (control frames, close) and run().
#include "net/provisioning_session.hpp"

#include "net/log.hpp"
#include "net/provisioning_registry.hpp"

#include <hush/crypto/random.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <array>
#include <memory>
#include <optional>

namespace hush::server::net {
namespace {

namespace websocket = beast::websocket;

/// 128 random bits: unguessable even with many sockets waiting at once.
constexpr std::size_t kAddressBytes = 16;

std::string random_address() {
  std::array<std::uint8_t, kAddressBytes> bytes{};
  crypto::system_rng().fill(bytes);
  return to_hex(bytes);
}

template <class Stream>
class ProvisioningSession final : public Connection,
                                  public ProvisioningSink,
                                  public std::enable_shared_from_this<ProvisioningSession<Stream>> {
 public:
  ProvisioningSession(Stream&& stream, std::string remote, SessionContext& ctx)
      : ws_(std::move(stream)), remote_(std::move(remote)), ctx_(ctx), wake_(ws_.get_executor()) {}

  ~ProvisioningSession() override { ctx_.provisioning.release(remote_); }

  asio::awaitable<void> run(HttpRequest request) {
    auto self = this->shared_from_this();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = ctx_.limits.handshake_timeout;
    timeouts.idle_timeout = ctx_.limits.ws_idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "hushd"); }));
    ws_.read_message_max(ctx_.limits.max_provisioning_frame);
    ws_.binary(true);
    auto [ec] = co_await ws_.async_accept(request, kAsTuple);
    if (ec) co_return;

    const auto token = ctx_.registry.add(this->weak_from_this());
    ctx_.metrics.provisioning_open.fetch_add(1, std::memory_order_relaxed);
    const std::string address = random_address();
    const auto expires_at = std::chrono::system_clock::now() + ctx_.limits.provisioning_lifetime;
    const auto deadline = std::chrono::steady_clock::now() + ctx_.limits.provisioning_lifetime;
    const auto expires_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(expires_at.time_since_epoch()).count();
    Bytes hello = ctx_.app.provisioning_address_frame(address, expires_ms);
    log_event(LogLevel::info, "provisioning_open", {kv("remote", remote_)});  // never the address

    const char* reason = "write_error";
    auto [wec, written] = co_await ws_.async_write(asio::buffer(hello), kAsTuple);
    if (!wec) {
      ctx_.provisioning.add(address, std::weak_ptr<ProvisioningSink>(self));
      asio::co_spawn(ws_.get_executor(), reader(self), asio::detached);
      wake_.expires_at(deadline);
      while (!message_ && !closing_ && std::chrono::steady_clock::now() < deadline) {
        co_await wake_.async_wait(kAsTuple);
      }
      ctx_.provisioning.remove(address);
      reason = message_ ? "delivered" : closing_ ? close_reason_ : "expired";
      if (message_ && ws_.is_open()) {
        auto [mec, n] = co_await ws_.async_write(asio::buffer(*message_), kAsTuple);
        if (!mec) ctx_.metrics.frames_out.fetch_add(1, std::memory_order_relaxed);
      }
      if (ws_.is_open()) {
        auto [cec] = co_await ws_.async_close(
            message_ ? websocket::close_code::normal : websocket::close_code::going_away, kAsTuple);
        (void)cec;  // the peer may be gone already
      }
    }
    ctx_.registry.remove(token);
    ctx_.metrics.provisioning_open.fetch_sub(1, std::memory_order_relaxed);
    log_event(LogLevel::info, "provisioning_close", {kv("remote", remote_), kv("reason", reason)});
  }

  void deliver(Bytes frame) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), frame = std::move(frame)]() mutable {
      if (self->closing_ || self->message_) return;
      self->message_ = std::move(frame);
      self->wake_.cancel();
    });
  }

  void wake() override {}

  void shutdown() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->stop("shutdown"); });
  }

 private:
  void stop(const char* reason) {
    if (closing_) return;
    closing_ = true;
    close_reason_ = reason;
    wake_.cancel();
  }

  /// Keeps control frames flowing; any data frame from the client (it has
  /// nothing to say here), an error or its close ends the session.
  asio::awaitable<void> reader(std::shared_ptr<ProvisioningSession> /*keep alive*/) {
    beast::flat_buffer buffer;
    auto [ec, n] = co_await ws_.async_read(buffer, kAsTuple);
    if (!ec) {
      ctx_.metrics.bad_frames.fetch_add(1, std::memory_order_relaxed);
      stop("client_spoke");
    } else if (ec == websocket::error::closed) {
      stop("client_close");
    } else if (ec == websocket::error::message_too_big) {
      stop("frame_too_big");
    } else if (ec == beast::error::timeout) {
      stop("idle_timeout");
    } else {
      stop("read_error");
    }
  }

  websocket::stream<Stream> ws_;
  std::string remote_;
  SessionContext& ctx_;
  asio::steady_timer wake_;  ///< expires at the deadline; cancelled to wake run()
  std::optional<Bytes> message_;
  bool closing_ = false;
  const char* close_reason_ = "closed";
};

}  // namespace

template <class Stream>
asio::awaitable<void> run_provisioning(Stream stream, HttpRequest request, std::string remote, SessionContext& ctx) {
  auto session = std::make_shared<ProvisioningSession<Stream>>(std::move(stream), std::move(remote), ctx);
  co_await session->run(std::move(request));
}

template asio::awaitable<void> run_provisioning<PlainStream>(PlainStream, HttpRequest, std::string, SessionContext&);
template asio::awaitable<void> run_provisioning<TlsStream>(TlsStream, HttpRequest, std::string, SessionContext&);

}  // namespace hush::server::net
