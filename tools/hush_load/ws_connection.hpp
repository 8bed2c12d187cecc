// One authenticated TLS WebSocket to hushd for the load generator: TCP from
// a chosen 127.x source address, TLS pinned to the server's certificate, the
// /v1/ws upgrade with Basic credentials, then a read always pending (so
// pings are answered) and a write queue with one write in flight. Runs on a
// single-threaded io_context; nothing here is thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace hush::load {

namespace asio = boost::asio;
namespace beast = boost::beast;

class WsConnection;

/// Receives what a connection reads; called on the connection's io_context.
class ConnectionListener {
 public:
  virtual ~ConnectionListener() = default;
  /// One binary frame (a serialized ServerFrame), valid only during the call.
  virtual void on_frame(WsConnection& connection, const std::uint8_t* data, std::size_t size) = 0;
  /// The connection closed or failed; no more frames will come.
  virtual void on_closed(WsConnection& connection) = 0;
};

/// Where to connect and how to authenticate.
struct ConnectTarget {
  asio::ip::tcp::endpoint server;
  std::string host_name;  ///< checked against the certificate
};

class WsConnection : public std::enable_shared_from_this<WsConnection> {
 public:
  /// `index` is the caller's own number for this connection.
  WsConnection(asio::io_context& ioc, asio::ssl::context& tls, std::size_t index);

  /// TCP from `source` (port chosen by the kernel), TLS, WebSocket upgrade.
  /// False on any failure (the reason in `error()`); bounded by 15 s.
  asio::awaitable<bool> open(const ConnectTarget& target, asio::ip::address source, std::string authorization);
  /// Starts the read loop; `listener` must outlive the connection.
  void start_reading(ConnectionListener& listener);
  /// Queues one binary frame; dropped if the connection is closed.
  void send(std::string frame);
  /// Closes the socket at once (no close handshake).
  void close();

  [[nodiscard]] std::size_t index() const noexcept { return index_; }
  [[nodiscard]] bool is_open() const noexcept { return open_; }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  void read_next();
  void write_next();
  void fail(const char* what);

  beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> out_;
  ConnectionListener* listener_ = nullptr;
  std::size_t index_;
  bool open_ = false;
  bool writing_ = false;
  std::string error_;
};

}  // namespace hush::load
