// TlsSocketStream (server/src/net/tls_socket_stream.hpp), hushd's TLS stream,
// against independent peers on loopback: asio::ssl::stream (and Beast's
// WebSocket over it) and a raw OpenSSL client on memory BIOs whose bytes the
// test controls (a record cut in the middle, close_notify seen by hand).
// The server side runs on a background io_context; each test waits on futures.
// Every test runs twice: with OpenSSL carrying the records after the
// handshake (AES-256-GCM), and with them handed off to Tls13Records
// (ChaCha20-Poly1305, TlsSocketStream::hand_off_records).
#include "app/tls_files.hpp"
#include "net/tls_socket_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hush::server::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kWait = 20s;  // every future; generous for sanitizer builds
/// Beyond several 16 KiB records, so records span socket-buffer fills.
constexpr std::size_t kLarge = 1024 * 1024 + 123;

std::vector<unsigned char> pattern(std::size_t n, unsigned seed) {
  std::vector<unsigned char> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<unsigned char>((i * 131 + seed) >> 3);
  return v;
}

/// A small send buffer forces OpenSSL's WANT_WRITE path mid-record. (Tiny
/// receive buffers would stall loopback TCP itself in zero-window probes.)
void shrink_buffers(tcp::socket& s) { s.set_option(asio::socket_base::send_buffer_size(4096)); }

struct RawConnection;
struct AsioConnection;

class TlsSocketStreamTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hush-tls-stream-" + std::to_string(::getpid()));
    auto files = app::ensure_self_signed(dir_.string());
    ASSERT_TRUE(files.has_value());
    server_tls_.use_certificate_chain_file(files->cert_file);
    server_tls_.use_private_key_file(files->key_file, asio::ssl::context::pem);
    SSL_CTX_set_mode(server_tls_.native_handle(), SSL_MODE_RELEASE_BUFFERS);
    if (handed_off()) {
      ASSERT_EQ(SSL_CTX_set_ciphersuites(server_tls_.native_handle(), "TLS_CHACHA20_POLY1305_SHA256"), 1);
      TlsSocketStream::hand_off_records(server_tls_);
    } else {
      ASSERT_EQ(SSL_CTX_set_ciphersuites(server_tls_.native_handle(), "TLS_AES_256_GCM_SHA384"), 1);
    }
    client_tls_.set_verify_mode(asio::ssl::verify_none);
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    work_.reset();
    io_.stop();
    thread_.join();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  static bool handed_off() { return GetParam(); }

  /// A connected pair: the server end (for TlsSocketStream) and the client's socket.
  std::pair<tcp::socket, tcp::socket> connect_pair(bool small_buffers = false) {
    tcp::socket client(io_);
    client.connect(acceptor_.local_endpoint());
    tcp::socket server = acceptor_.accept(io_);
    if (small_buffers) {
      shrink_buffers(client);
      shrink_buffers(server);
    }
    return {std::move(server), std::move(client)};
  }

  /// Runs `co` on the io_context; its result as a future.
  template <class T>
  std::future<T> spawn(asio::awaitable<T> co) {
    return asio::co_spawn(io_, std::move(co), asio::use_future);
  }

  /// A server stream and a RawTlsClient on one connection, handshake done
  /// (null, with a test failure, if it did not complete).
  std::unique_ptr<RawConnection> raw_connection();
  /// The same with asio's own TLS stream as the client.
  std::unique_ptr<AsioConnection> asio_connection(bool small_buffers = false);

  std::filesystem::path dir_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  asio::ssl::context server_tls_{asio::ssl::context::tls_server};
  asio::ssl::context client_tls_{asio::ssl::context::tls_client};
  tcp::acceptor acceptor_{io_};
  std::thread thread_;
};

template <class T>
T get(std::future<T>& f) {
  if (f.wait_for(kWait) != std::future_status::ready) {
    ADD_FAILURE() << "operation did not complete";
    std::abort();  // the io_context still refers to the test's frames
  }
  return f.get();
}

// ---- coroutines for the two sides (parameters by reference or value only) ----

asio::awaitable<error_code> server_handshake(TlsSocketStream& s) {
  auto [ec] = co_await s.async_handshake(asio::ssl::stream_base::server, kAsTuple);
  co_return ec;
}

asio::awaitable<error_code> client_handshake(asio::ssl::stream<tcp::socket>& s) {
  auto [ec] = co_await s.async_handshake(asio::ssl::stream_base::client, kAsTuple);
  co_return ec;
}

template <class Stream>
asio::awaitable<error_code> write_all(Stream& s, const std::vector<unsigned char>& data) {
  auto [ec, n] = co_await asio::async_write(s, asio::buffer(data), kAsTuple);
  co_return ec;
}

template <class Stream>
asio::awaitable<std::vector<unsigned char>> read_exactly(Stream& s, std::size_t size) {
  std::vector<unsigned char> data(size);
  auto [ec, n] = co_await asio::async_read(s, asio::buffer(data), kAsTuple);
  if (ec) data.clear();
  co_return data;
}

asio::awaitable<std::pair<error_code, std::size_t>> read_some(TlsSocketStream& s) {
  std::vector<unsigned char> data(64 * 1024);
  auto [ec, n] = co_await s.async_read_some(asio::buffer(data), kAsTuple);
  co_return std::pair{ec, n};
}

asio::awaitable<error_code> client_read_to_end(asio::ssl::stream<tcp::socket>& s) {
  std::vector<unsigned char> data(4096);
  for (;;) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(data), kAsTuple);
    if (ec) co_return ec;
  }
}

asio::awaitable<error_code> server_shutdown(TlsSocketStream& s) {
  auto [ec] = co_await s.async_shutdown(kAsTuple);
  co_return ec;
}

asio::awaitable<error_code> client_shutdown(asio::ssl::stream<tcp::socket>& s) {
  auto [ec] = co_await s.async_shutdown(kAsTuple);
  co_return ec;
}

// ---- a raw TLS client on memory BIOs over a blocking socket ----

class RawTlsClient {
 public:
  explicit RawTlsClient(tcp::socket& socket) : fd_(socket.native_handle()) {
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ctx_ = SSL_CTX_new(TLS_client_method());
    ssl_ = SSL_new(ctx_);
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_connect_state(ssl_);
  }
  ~RawTlsClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  RawTlsClient(const RawTlsClient&) = delete;
  RawTlsClient& operator=(const RawTlsClient&) = delete;

  bool handshake() {
    for (;;) {
      const int r = SSL_do_handshake(ssl_);
      send_all(take_output());
      if (r == 1) return true;
      if (SSL_get_error(ssl_, r) != SSL_ERROR_WANT_READ || !fill()) return false;
    }
  }
  /// Encrypts `plaintext` into records and returns them without sending.
  std::string seal(const std::string& plaintext) {
    size_t n = 0;
    EXPECT_EQ(SSL_write_ex(ssl_, plaintext.data(), plaintext.size(), &n), 1);
    return take_output();
  }
  void send_all(const std::string& bytes) {
    std::size_t at = 0;
    while (at < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return;
      at += static_cast<std::size_t>(n);
    }
  }
  /// Reads until the server's close_notify (true) or EOF/error/timeout (false).
  bool saw_close_notify() {
    char buf[4096];
    for (;;) {
      size_t n = 0;
      const int r = SSL_read_ex(ssl_, buf, sizeof buf, &n);
      if (r == 1) continue;
      const int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_ZERO_RETURN) return true;
      if (e != SSL_ERROR_WANT_READ || !fill()) return false;
    }
  }
  /// Schedules a KeyUpdate (sent before the next record), asking the server
  /// for one of its own when `request`.
  void key_update(bool request) {
    EXPECT_EQ(SSL_key_update(ssl_, request ? SSL_KEY_UPDATE_REQUESTED : SSL_KEY_UPDATE_NOT_REQUESTED), 1);
  }
  /// Reads exactly `size` bytes of application data ("" on EOF/error/timeout).
  std::string read(std::size_t size) {
    std::string out;
    char buf[4096];
    while (out.size() < size) {
      size_t n = 0;
      const int r = SSL_read_ex(ssl_, buf, std::min(sizeof buf, size - out.size()), &n);
      if (r == 1) {
        out.append(buf, n);
        continue;
      }
      if (SSL_get_error(ssl_, r) != SSL_ERROR_WANT_READ || !fill()) return {};
    }
    return out;
  }
  /// Sends our close_notify.
  void close_notify() {
    SSL_shutdown(ssl_);
    send_all(take_output());
  }

 private:
  std::string take_output() {
    std::string out;
    char buf[4096];
    int n = 0;
    while ((n = BIO_read(out_, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
  bool fill() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    BIO_write(in_, buf, static_cast<int>(n));
    return true;
  }

  int fd_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
};

struct RawConnection {
  tcp::socket client_socket;
  TlsSocketStream server;
  RawTlsClient client;  // reads and writes client_socket
  RawConnection(std::pair<tcp::socket, tcp::socket> sockets, asio::ssl::context& tls)
      : client_socket(std::move(sockets.second)), server(std::move(sockets.first), tls), client(client_socket) {}
};

std::unique_ptr<RawConnection> TlsSocketStreamTest::raw_connection() {
  auto c = std::make_unique<RawConnection>(connect_pair(), server_tls_);
  auto shs = spawn(server_handshake(c->server));
  const bool client_done = c->client.handshake();
  const error_code server_ec = get(shs);
  if (!client_done || server_ec) {
    ADD_FAILURE() << "handshake: client " << client_done << ", server " << server_ec.message();
    return nullptr;
  }
  return c;
}

struct AsioConnection {
  TlsSocketStream server;
  asio::ssl::stream<tcp::socket> client;
  AsioConnection(std::pair<tcp::socket, tcp::socket> sockets, asio::ssl::context& server_tls,
                 asio::ssl::context& client_tls)
      : server(std::move(sockets.first), server_tls), client(std::move(sockets.second), client_tls) {}
};

std::unique_ptr<AsioConnection> TlsSocketStreamTest::asio_connection(bool small_buffers) {
  auto c = std::make_unique<AsioConnection>(connect_pair(small_buffers), server_tls_, client_tls_);
  auto shs = spawn(server_handshake(c->server));
  auto chs = spawn(client_handshake(c->client));
  const error_code server_ec = get(shs);
  const error_code client_ec = get(chs);
  if (server_ec || client_ec) {
    ADD_FAILURE() << "handshake: server " << server_ec.message() << ", client " << client_ec.message();
    return nullptr;
  }
  return c;
}

// ---- the tests ----

TEST_P(TlsSocketStreamTest, HandshakesAndCarriesRecordsBeyond16KiBBothWaysAtOnce) {
  auto c = asio_connection(/*small_buffers=*/true);
  ASSERT_TRUE(c);
  auto& [server, client] = *c;
  EXPECT_EQ(server.records_handed_off(), handed_off());
  EXPECT_EQ(server.native_handle() == nullptr, handed_off());

  // Both directions in flight together: a read and a write pending on the
  // server stream at once, with kernel buffers far smaller than a record.
  const auto up = pattern(kLarge, 1);
  const auto down = pattern(kLarge + 7, 2);
  auto server_reads = spawn(read_exactly(server, up.size()));
  auto server_writes = spawn(write_all(server, down));
  auto client_writes = spawn(write_all(client, up));
  auto client_reads = spawn(read_exactly(client, down.size()));
  EXPECT_FALSE(get(server_writes));
  EXPECT_FALSE(get(client_writes));
  EXPECT_TRUE(get(server_reads) == up);
  EXPECT_TRUE(get(client_reads) == down);
}

TEST_P(TlsSocketStreamTest, WebSocketCarriesLargeMessagesAndClosesWithCloseNotify) {
  auto [server_socket, client_socket] = connect_pair(/*small_buffers=*/true);
  websocket::stream<TlsSocketStream> server(TlsSocketStream(std::move(server_socket), server_tls_));
  websocket::stream<asio::ssl::stream<tcp::socket>> client(std::move(client_socket), client_tls_);
  auto shs = spawn(server_handshake(server.next_layer()));
  auto chs = spawn(client_handshake(client.next_layer()));
  ASSERT_FALSE(get(shs));
  ASSERT_FALSE(get(chs));

  const auto message = pattern(300 * 1024, 3);
  auto server_side = [](websocket::stream<TlsSocketStream>& ws) -> asio::awaitable<error_code> {
    if (auto [ec] = co_await ws.async_accept(kAsTuple); ec) co_return ec;
    ws.binary(true);
    beast::flat_buffer buffer;
    if (auto [ec, n] = co_await ws.async_read(buffer, kAsTuple); ec) co_return ec;
    if (auto [ec, n] = co_await ws.async_write(buffer.data(), kAsTuple); ec) co_return ec;
    auto [ec] = co_await ws.async_close(websocket::close_code::going_away, kAsTuple);
    co_return ec;
  };
  auto client_side = [](websocket::stream<asio::ssl::stream<tcp::socket>>& ws,
                        const std::vector<unsigned char>& m) -> asio::awaitable<std::pair<error_code, bool>> {
    if (auto [ec] = co_await ws.async_handshake("localhost", "/", kAsTuple); ec) co_return std::pair{ec, false};
    ws.binary(true);
    if (auto [ec, n] = co_await ws.async_write(asio::buffer(m), kAsTuple); ec) co_return std::pair{ec, false};
    beast::flat_buffer buffer;
    if (auto [ec, n] = co_await ws.async_read(buffer, kAsTuple); ec) co_return std::pair{ec, false};
    const bool echoed = buffer.size() == m.size() && std::memcmp(buffer.data().data(), m.data(), m.size()) == 0;
    // The server's close: Beast answers it and tears TLS down (both close_notify).
    buffer.clear();
    auto [ec, n] = co_await ws.async_read(buffer, kAsTuple);
    co_return std::pair{ec, echoed};
  };
  auto s = spawn(server_side(server));
  auto c = spawn(client_side(client, message));
  EXPECT_FALSE(get(s)) << "server close (with TLS teardown)";
  const auto [client_ec, echoed] = get(c);
  EXPECT_TRUE(echoed);
  EXPECT_EQ(client_ec, websocket::error::closed);
  EXPECT_EQ(client.reason().code, websocket::close_code::going_away);
}

TEST_P(TlsSocketStreamTest, PeerClosingMidRecordFailsTheRead) {
  auto c = raw_connection();
  ASSERT_TRUE(c);
  auto& [client_socket, server, client] = *c;

  const std::string records = client.seal(std::string(20000, 'x'));
  ASSERT_GT(records.size(), 20000U);
  auto read = spawn(read_some(server));
  client.send_all(records.substr(0, 9000));  // inside the first (16 KiB) record
  client_socket.close();
  const auto [ec, n] = get(read);
  EXPECT_EQ(n, 0U);
  EXPECT_EQ(ec, asio::ssl::error::stream_truncated) << ec.message();
}

TEST_P(TlsSocketStreamTest, GarbageInsteadOfAClientHelloFailsTheHandshake) {
  auto [server_socket, client_socket] = connect_pair();
  TlsSocketStream server(std::move(server_socket), server_tls_);
  auto shs = spawn(server_handshake(server));
  const std::string garbage = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
  asio::write(client_socket, asio::buffer(garbage));
  const error_code ec = get(shs);
  EXPECT_TRUE(ec);
  EXPECT_EQ(ec.category(), asio::error::get_ssl_category()) << ec.message();
}

TEST_P(TlsSocketStreamTest, PeerLeavingDuringTheHandshakeFailsIt) {
  auto [server_socket, client_socket] = connect_pair();
  TlsSocketStream server(std::move(server_socket), server_tls_);
  auto shs = spawn(server_handshake(server));
  client_socket.close();
  EXPECT_TRUE(get(shs));
}

TEST_P(TlsSocketStreamTest, ShutdownSendsCloseNotifyAndWaitsForThePeers) {
  auto c = raw_connection();
  ASSERT_TRUE(c);
  auto& [client_socket, server, client] = *c;

  auto shutdown = spawn(server_shutdown(server));
  EXPECT_TRUE(client.saw_close_notify());
  EXPECT_EQ(shutdown.wait_for(200ms), std::future_status::timeout) << "waits for the peer's close_notify";
  client.close_notify();
  EXPECT_FALSE(get(shutdown));
}

TEST_P(TlsSocketStreamTest, AsioClientSeesEndOfStreamAfterShutdown) {
  auto c = asio_connection();
  ASSERT_TRUE(c);
  auto& [server, client] = *c;
  auto shutdown = spawn(server_shutdown(server));
  auto client_end = spawn(client_read_to_end(client));
  EXPECT_EQ(get(client_end), asio::error::eof);  // asio's name for a close_notify received
  auto client_close = spawn(client_shutdown(client));
  EXPECT_FALSE(get(shutdown));
  (void)get(client_close);
}

TEST_P(TlsSocketStreamTest, ExpiryFailsAPendingReadWithTimeout) {
  auto c = asio_connection();
  ASSERT_TRUE(c);
  auto& [server, client] = *c;
  auto read = asio::co_spawn(
      io_,
      [](TlsSocketStream& s) -> asio::awaitable<error_code> {
        s.expires_after(100ms);
        auto [ec, n] = co_await read_some(s);
        co_return ec;
      }(server),
      asio::use_future);
  EXPECT_EQ(get(read), beast::error::timeout);
}

TEST_P(TlsSocketStreamTest, OperationsAfterCloseFailWithoutTouchingTheDescriptor) {
  auto c = asio_connection();
  ASSERT_TRUE(c);
  auto& [server, client] = *c;
  auto pending = spawn(read_some(server));
  asio::post(io_, [&server] { server.close(); });
  EXPECT_EQ(get(pending).first, asio::error::operation_aborted);
  const auto data = pattern(100, 4);
  auto later = spawn(write_all(server, data));
  EXPECT_EQ(get(later), asio::error::bad_descriptor);
}

TEST_P(TlsSocketStreamTest, FollowsThePeersKeyUpdatesBothWays) {
  auto c = raw_connection();
  ASSERT_TRUE(c);
  auto& [client_socket, server, client] = *c;

  // Twice, so keys are updated beyond the first generation on both sides.
  for (int round = 0; round < 2; ++round) {
    const std::string up = "up " + std::to_string(round);
    const std::string down = "down " + std::to_string(round);
    client.key_update(/*request=*/true);  // the server must update its keys too
    client.send_all(client.seal(up));
    auto read = spawn(read_exactly(server, up.size()));
    const auto got = get(read);
    EXPECT_EQ(std::string(got.begin(), got.end()), up);
    const std::vector<unsigned char> reply(down.begin(), down.end());
    auto write = spawn(write_all(server, reply));
    EXPECT_FALSE(get(write));
    EXPECT_EQ(client.read(down.size()), down);  // readable only under the server's new keys
  }
  client.key_update(/*request=*/false);
  client.send_all(client.seal("last"));
  auto read = spawn(read_exactly(server, 4));
  const auto got = get(read);
  EXPECT_EQ(std::string(got.begin(), got.end()), "last");
}

TEST_P(TlsSocketStreamTest, TamperedRecordFailsTheReadForGood) {
  auto c = raw_connection();
  ASSERT_TRUE(c);
  auto& [client_socket, server, client] = *c;

  std::string records = client.seal("hello");
  records.back() = static_cast<char>(records.back() ^ 1);  // the tag
  client.send_all(records);
  auto read = spawn(read_some(server));
  const auto [ec, n] = get(read);
  EXPECT_TRUE(ec);
  EXPECT_EQ(n, 0U);
  auto again = spawn(read_some(server));
  EXPECT_TRUE(get(again).first) << "no read succeeds after a bad record";
}

// Only TLS 1.3 on ChaCha20-Poly1305 is handed off: a client without that
// suite, or on TLS 1.2, keeps OpenSSL carrying its records.
TEST_P(TlsSocketStreamTest, OtherSuitesAndTls12StayWithOpenSsl) {
  ASSERT_EQ(SSL_CTX_set_ciphersuites(server_tls_.native_handle(), "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"),
            1);
  for (const bool tls12 : {false, true}) {
    asio::ssl::context client_tls(asio::ssl::context::tls_client);
    client_tls.set_verify_mode(asio::ssl::verify_none);
    if (tls12) {
      ASSERT_EQ(SSL_CTX_set_max_proto_version(client_tls.native_handle(), TLS1_2_VERSION), 1);
    } else {
      ASSERT_EQ(SSL_CTX_set_ciphersuites(client_tls.native_handle(), "TLS_AES_128_GCM_SHA256"), 1);
    }
    auto [server_socket, client_socket] = connect_pair();
    TlsSocketStream server(std::move(server_socket), server_tls_);
    asio::ssl::stream<tcp::socket> client(std::move(client_socket), client_tls);
    auto shs = spawn(server_handshake(server));
    auto chs = spawn(client_handshake(client));
    ASSERT_FALSE(get(shs)) << tls12;
    ASSERT_FALSE(get(chs)) << tls12;
    EXPECT_FALSE(server.records_handed_off()) << tls12;
    EXPECT_NE(server.native_handle(), nullptr) << tls12;
    const auto up = pattern(40000, 5);
    auto server_reads = spawn(read_exactly(server, up.size()));
    auto client_writes = spawn(write_all(client, up));
    EXPECT_FALSE(get(client_writes));
    EXPECT_TRUE(get(server_reads) == up) << tls12;
  }
}

INSTANTIATE_TEST_SUITE_P(Records, TlsSocketStreamTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? std::string("HandedOff") : std::string("OpenSsl");
                         });

}  // namespace
}  // namespace hush::server::net
