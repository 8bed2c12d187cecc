// WsConnection (see ws_connection.hpp). Opening is a coroutine (a bounded
// sequence of steps); the steady state is plain completion handlers, which
// keep an idle connection to its buffers and the stream.
#include "ws_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>

namespace hush::load {
namespace {

namespace websocket = beast::websocket;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
/// Connect + TLS handshake, then the upgrade: each bounded so a stuck server
/// cannot hold the generator.
constexpr std::chrono::seconds kOpenStepTimeout{15};
/// hushd's frames are at most 256 KiB of ciphertext plus a little framing.
constexpr std::size_t kMaxFrame = 512 * 1024;

}  // namespace

WsConnection::WsConnection(asio::io_context& ioc, asio::ssl::context& tls, std::size_t index)
    : ws_(ioc, tls), index_(index) {}

asio::awaitable<bool> WsConnection::open(const ConnectTarget& target, asio::ip::address source,
                                         std::string authorization) {
  auto self = shared_from_this();
  auto& tcp = beast::get_lowest_layer(ws_);
  boost::system::error_code ec;
  tcp.socket().open(target.server.protocol(), ec);
  if (!ec) tcp.socket().bind(asio::ip::tcp::endpoint(source, 0), ec);
  if (ec) {
    error_ = "bind " + source.to_string() + ": " + ec.message();
    co_return false;
  }
  tcp.expires_after(kOpenStepTimeout);
  if (auto [e] = co_await tcp.async_connect(target.server, kAsTuple); e) {
    error_ = "connect: " + e.message();
    co_return false;
  }
  ws_.next_layer().set_verify_mode(asio::ssl::verify_peer);
  ws_.next_layer().set_verify_callback(asio::ssl::host_name_verification(target.host_name));
  if (auto [e] = co_await ws_.next_layer().async_handshake(asio::ssl::stream_base::client, kAsTuple); e) {
    error_ = "tls: " + e.message();
    co_return false;
  }
  tcp.expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kOpenStepTimeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [auth = std::move(authorization)](websocket::request_type& req) { req.set(beast::http::field::authorization, auth); }));
  ws_.read_message_max(kMaxFrame);
  ws_.binary(true);
  ws_.auto_fragment(false);
  if (auto [e] = co_await ws_.async_handshake(target.host_name, "/v1/ws", kAsTuple); e) {
    error_ = "upgrade: " + e.message();
    co_return false;
  }
  // The decorator held the credential; drop it.
  ws_.set_option(websocket::stream_base::decorator([](websocket::request_type&) {}));
  open_ = true;
  co_return true;
}

void WsConnection::start_reading(ConnectionListener& listener) {
  listener_ = &listener;
  read_next();
}

void WsConnection::read_next() {
  ws_.async_read(buffer_, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
    if (ec) {
      self->fail("read");
      return;
    }
    const auto data = self->buffer_.cdata();
    self->listener_->on_frame(*self, static_cast<const std::uint8_t*>(data.data()), n);
    self->buffer_.consume(n);
    if (self->open_) self->read_next();
  });
}

void WsConnection::send(std::string frame) {
  if (!open_) return;
  out_.push_back(std::move(frame));
  if (!writing_) write_next();
}

void WsConnection::write_next() {
  writing_ = true;
  ws_.async_write(asio::buffer(out_.front()), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
    if (ec || !self->open_) {
      // The buffers may be freed only now that no write refers to them.
      self->writing_ = false;
      self->out_.clear();
      self->fail("write");
      return;
    }
    self->out_.pop_front();
    if (self->out_.empty()) {
      self->writing_ = false;
    } else {
      self->write_next();
    }
  });
}

void WsConnection::fail(const char* what) {
  if (!open_) return;
  open_ = false;
  if (error_.empty()) error_ = what;
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  if (!writing_) out_.clear();
  if (listener_ != nullptr) listener_->on_closed(*this);
}

void WsConnection::close() {
  open_ = false;
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

}  // namespace hush::load
