// TestClient (see test_client.hpp) on Boost.Beast. A read is kept pending
// on the WebSocket at all times; every call runs the io_context until its own
// operation finished or its deadline passed, and frames that arrive meanwhile
// are queued.
#include "test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>
#include <variant>

namespace hush::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using TlsWs = websocket::stream<TlsStream>;
using PlainWs = websocket::stream<beast::tcp_stream>;

}  // namespace

struct TestClient::Impl {
  std::string host;
  std::uint16_t port;
  std::string ca_file;
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::variant<std::monostate, std::unique_ptr<TlsWs>, std::unique_ptr<PlainWs>> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> frames;
  std::deque<pb::Envelope> envelopes;
  std::size_t queue_empty_frames = 0;
  bool is_closed = true;
  std::uint64_t next_id = 0;
  std::string source_address;  ///< empty: any

  Impl(std::string h, std::uint16_t p, std::string ca) : host(std::move(h)), port(p), ca_file(std::move(ca)) {
    if (!ca_file.empty()) {
      tls.set_verify_mode(asio::ssl::verify_peer);
      tls.load_verify_file(ca_file);
    }
  }

  /// Runs the io_context until `done()` or the deadline; true if done.
  template <class Pred>
  bool run_until(Pred done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      if (ioc.stopped()) ioc.restart();
      if (ioc.run_one_for(deadline - now) == 0 && ioc.stopped()) {
        // Out of work: nothing more can happen.
        if (!done()) return false;
      }
    }
    return true;
  }

  /// Connects TCP (+ TLS with certificate and host checks).
  template <class Stream>
  bool open(Stream& stream, std::chrono::milliseconds timeout) {
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) return false;
    bool done = false;
    if (source_address.empty()) {
      beast::get_lowest_layer(stream).async_connect(results, [&](beast::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
      });
    } else {
      // Bind first, then connect to one endpoint (a range connect would
      // reopen the socket and lose the binding).
      const tcp::endpoint server = results.begin()->endpoint();
      auto& socket = beast::get_lowest_layer(stream).socket();
      socket.open(server.protocol(), ec);
      if (!ec) socket.bind(tcp::endpoint(asio::ip::make_address(source_address), 0), ec);
      if (ec) return false;
      beast::get_lowest_layer(stream).async_connect(server, [&](beast::error_code e) {
        ec = e;
        done = true;
      });
    }
    if (!run_until([&] { return done; }, timeout) || ec) return false;
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      stream.set_verify_callback(asio::ssl::host_name_verification(host));
      done = false;
      stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) {
        ec = e;
        done = true;
      });
      if (!run_until([&] { return done; }, timeout) || ec) return false;
    }
    return true;
  }

  template <class Stream>
  HttpResult do_http(Stream& stream, const std::string& method, const std::string& target, const std::string& body,
                     const std::string& authorization) {
    HttpResult out;
    if (!open(stream, 10s)) return out;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    req.body() = body;
    req.prepare_payload();
    bool done = false;
    beast::error_code ec;
    http::async_write(stream, req, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!run_until([&] { return done; }, 10s) || ec) return out;
    http::response<http::string_body> res;
    beast::flat_buffer buf;
    done = false;
    http::async_read(stream, buf, res, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!run_until([&] { return done; }, 10s) || ec) return out;
    out.status = res.result_int();
    out.body = res.body();
    return out;
  }

  template <class Ws>
  void start_read(Ws& w) {
    w.async_read(buffer, [this, &w](beast::error_code ec, std::size_t n) {
      if (ec) {
        is_closed = true;
        return;
      }
      frames.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(n);
      start_read(w);
    });
  }

  template <class Ws>
  bool ws_connect(Ws& w, const std::string& authorization, unsigned* status, const std::string& path) {
    if (!open(w.next_layer(), 10s)) return false;
    websocket::response_type res;
    w.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& req) {
      if (!authorization.empty()) req.set(http::field::authorization, authorization);
    }));
    w.read_message_max(64 * 1024 * 1024);
    w.binary(true);
    bool done = false;
    beast::error_code ec;
    w.async_handshake(res, host, path, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    const bool finished = run_until([&] { return done; }, 10s);
    if (status != nullptr) *status = res.result_int();
    if (!finished || ec) return false;
    is_closed = false;
    start_read(w);
    return true;
  }

  template <class Ws>
  bool ws_write(Ws& w, const std::string& bytes) {
    bool done = false;
    beast::error_code ec;
    w.async_write(asio::buffer(bytes), [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    return run_until([&] { return done || is_closed; }, 10s) && done && !ec;
  }
};

TestClient::TestClient(std::string host, std::uint16_t port, std::string ca_file)
    : impl_(std::make_unique<Impl>(std::move(host), port, std::move(ca_file))) {}

TestClient::~TestClient() = default;

void TestClient::set_source_address(std::string address) { impl_->source_address = std::move(address); }

HttpResult TestClient::http(const std::string& method, const std::string& target, const std::string& body,
                            const std::string& authorization) {
  if (impl_->ca_file.empty()) {
    beast::tcp_stream stream(impl_->ioc);
    return impl_->do_http(stream, method, target, body, authorization);
  }
  TlsStream stream(impl_->ioc, impl_->tls);
  return impl_->do_http(stream, method, target, body, authorization);
}

bool TestClient::connect(const std::string& authorization, unsigned* status, const std::string& path) {
  if (status != nullptr) *status = 0;
  if (impl_->ca_file.empty()) {
    auto& w = impl_->ws.emplace<std::unique_ptr<PlainWs>>(std::make_unique<PlainWs>(impl_->ioc));
    return impl_->ws_connect(*w, authorization, status, path);
  }
  auto& w = impl_->ws.emplace<std::unique_ptr<TlsWs>>(std::make_unique<TlsWs>(impl_->ioc, impl_->tls));
  return impl_->ws_connect(*w, authorization, status, path);
}

bool TestClient::send_raw(const std::string& bytes) {
  if (impl_->is_closed) return false;
  if (auto* t = std::get_if<std::unique_ptr<TlsWs>>(&impl_->ws)) return impl_->ws_write(**t, bytes);
  if (auto* p = std::get_if<std::unique_ptr<PlainWs>>(&impl_->ws)) return impl_->ws_write(**p, bytes);
  return false;
}

std::optional<std::string> TestClient::read_raw(std::chrono::milliseconds timeout) {
  impl_->run_until([&] { return !impl_->frames.empty() || impl_->is_closed; }, timeout);
  if (impl_->frames.empty()) return std::nullopt;
  std::string bytes = std::move(impl_->frames.front());
  impl_->frames.pop_front();
  return bytes;
}

std::optional<pb::ServerFrame> TestClient::read_frame(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto bytes = read_raw(std::max(left, std::chrono::milliseconds(0)));
    if (!bytes) return std::nullopt;
    pb::ServerFrame frame;
    if (!frame.ParseFromString(*bytes)) return std::nullopt;
    if (!frame.has_queue_empty()) return frame;
    ++impl_->queue_empty_frames;  // counted, not returned: see queue_empty_frames()
  }
}

std::size_t TestClient::queue_empty_frames() const { return impl_->queue_empty_frames; }

std::optional<pb::Response> TestClient::call(pb::ClientFrame frame, std::chrono::milliseconds timeout) {
  frame.set_id(++impl_->next_id);
  if (!send_raw(frame.SerializeAsString())) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto f = read_frame(left);
    if (!f) return std::nullopt;
    if (f->has_envelope()) {
      impl_->envelopes.push_back(f->envelope());
    } else if (f->has_response() && f->response().id() == frame.id()) {
      return f->response();
    }
  }
  return std::nullopt;
}

std::optional<pb::Envelope> TestClient::next_envelope(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (impl_->envelopes.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto f = read_frame(left);
    if (!f) return std::nullopt;
    if (f->has_envelope()) impl_->envelopes.push_back(f->envelope());
  }
  auto e = impl_->envelopes.front();
  impl_->envelopes.pop_front();
  return e;
}

bool TestClient::closed() const { return impl_->is_closed; }

bool TestClient::wait_closed(std::chrono::milliseconds timeout) {
  return impl_->run_until([&] { return impl_->is_closed; }, timeout);
}

void TestClient::close() {
  if (impl_->is_closed) return;
  auto do_close = [&](auto& w) {
    w.async_close(websocket::close_code::normal, [](beast::error_code) {});
    impl_->run_until([&] { return impl_->is_closed; }, 5s);
  };
  if (auto* t = std::get_if<std::unique_ptr<TlsWs>>(&impl_->ws)) do_close(**t);
  if (auto* p = std::get_if<std::unique_ptr<PlainWs>>(&impl_->ws)) do_close(**p);
}

RawExchange raw_tcp_exchange(const std::string& host, std::uint16_t port, const std::string& bytes,
                             std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  RawExchange out;
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address(host), port), ec);
  if (ec) return out;
  asio::write(socket, asio::buffer(bytes), ec);
  std::array<char, 4096> buf{};
  bool done = false;
  std::function<void()> read_more = [&] {
    socket.async_read_some(asio::buffer(buf), [&](beast::error_code e, std::size_t n) {
      out.received.append(buf.data(), n);
      if (e) {
        out.peer_closed = true;
        done = true;
        return;
      }
      read_more();
    });
  };
  read_more();
  ioc.run_for(timeout);
  (void)done;
  return out;
}

}  // namespace hush::testing
