// TlsSocketStream's OpenSSL side: a BIO that reads and writes the socket's
// descriptor directly (recv/send with MSG_NOSIGNAL, EAGAIN reported as a
// retry), one step of each TLS operation, and the mapping of OpenSSL's
// results to "wait for readable/writable" or an error code. The asynchronous
// loop around these steps is in the header. After a hand-off
// (hand_off_records()) the steps go to Tls13Records instead of OpenSSL.
#include "net/tls_socket_stream.hpp"

#include "net/tls13_records.hpp"

#include <hush/util/secret.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <climits>
#include <new>
#include <string_view>

namespace hush::server::net {
namespace {

namespace asio = boost::asio;

/// The BIO's data is the Core; the descriptor is read from its socket at
/// every call, so a closed socket is never touched by number.
int bio_fd(BIO* bio) {
  auto* socket = static_cast<asio::ip::tcp::socket*>(BIO_get_data(bio));
  return socket != nullptr && socket->is_open() ? socket->native_handle() : -1;
}

bool is_retry(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == EINTR; }

/// Where the BIO leaves errno of a real socket error, for SSL_ERROR_SYSCALL.
thread_local int t_last_errno = 0;

int bio_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  const int fd = bio_fd(bio);
  if (fd < 0) {
    t_last_errno = EBADF;
    return -1;
  }
  const ssize_t n = ::send(fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (n >= 0) return static_cast<int>(n);
  if (is_retry(errno)) {
    BIO_set_retry_write(bio);
  } else {
    t_last_errno = errno;
  }
  return -1;
}

int bio_read(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  const int fd = bio_fd(bio);
  if (fd < 0) {
    t_last_errno = EBADF;
    return -1;
  }
  const ssize_t n = ::recv(fd, data, static_cast<std::size_t>(size), 0);
  if (n >= 0) return static_cast<int>(n);  // 0: the peer's end of stream
  if (is_retry(errno)) {
    BIO_set_retry_read(bio);
  } else {
    t_last_errno = errno;
  }
  return -1;
}

long bio_ctrl(BIO* /*bio*/, int cmd, long /*num*/, void* /*ptr*/) {
  // OpenSSL flushes after each record; the socket has no buffer of ours.
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int bio_destroy(BIO* bio) {
  BIO_set_data(bio, nullptr);
  return 1;
}

/// One method table for the process, made on first use (thread-safe static).
const BIO_METHOD* socket_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "hush socket");
    if (m == nullptr || BIO_meth_set_write(m, bio_write) != 1 || BIO_meth_set_read(m, bio_read) != 1 ||
        BIO_meth_set_ctrl(m, bio_ctrl) != 1 || BIO_meth_set_create(m, bio_create) != 1 ||
        BIO_meth_set_destroy(m, bio_destroy) != 1) {
      throw std::bad_alloc();
    }
    return m;
  }();
  return method;
}

/// TLS_CHACHA20_POLY1305_SHA256's IANA id, as SSL_CIPHER_get_protocol_id gives it.
constexpr std::uint16_t kChaCha20Poly1305Sha256 = 0x1303;

/// Decodes `hex` (2 * out.size() lowercase or uppercase digits) into `out`.
bool from_hex(std::string_view hex, std::span<std::uint8_t> out) {
  if (hex.size() != 2 * out.size()) return false;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = digit(hex[2 * i]);
    const int lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return true;
}

}  // namespace

struct TlsSocketStream::Core::TrafficSecrets {
  SecretBytes<kTls13SecretSize> client;
  SecretBytes<kTls13SecretSize> server;
  bool have_client = false;
  bool have_server = false;
};

void TlsSocketStream::hand_off_records(asio::ssl::context& context) {
  // Tickets would go out under the application keys before the hand-off.
  SSL_CTX_set_num_tickets(context.native_handle(), 0);
  SSL_CTX_set_keylog_callback(context.native_handle(), &TlsSocketStream::on_keylog);
}

/// OpenSSL's key log line, "LABEL <client random hex> <secret hex>": keeps
/// the two application traffic secrets of a server connection in its Core.
/// The line is OpenSSL's; nothing of it is written anywhere.
void TlsSocketStream::on_keylog(const SSL* ssl, const char* line) {
  auto* core = static_cast<Core*>(SSL_get_app_data(ssl));
  if (core == nullptr || SSL_is_server(ssl) == 0) return;
  const std::string_view text(line);
  const bool client = text.starts_with("CLIENT_TRAFFIC_SECRET_0 ");
  const bool server = text.starts_with("SERVER_TRAFFIC_SECRET_0 ");
  if (!client && !server) return;
  const auto space = text.rfind(' ');
  if (space == std::string_view::npos) return;
  if (!core->secrets) core->secrets = std::make_unique<Core::TrafficSecrets>();
  auto& secrets = *core->secrets;
  // A SHA-384 suite's 48-byte secret does not decode here: no hand-off.
  if (client) secrets.have_client = from_hex(text.substr(space + 1), secrets.client.expose_mut());
  if (server) secrets.have_server = from_hex(text.substr(space + 1), secrets.server.expose_mut());
}

void TlsSocketStream::Core::take_over_records() {
  const auto taken = std::move(secrets);  // wiped when this returns, whatever happens
  if (!taken || !taken->have_client || !taken->have_server) return;
  if (SSL_is_server(ssl) == 0 || SSL_version(ssl) != TLS1_3_VERSION || SSL_get_num_tickets(ssl) != 0) return;
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  if (cipher == nullptr || SSL_CIPHER_get_protocol_id(cipher) != kChaCha20Poly1305Sha256) return;
  // Our BIO reads exactly the records OpenSSL asks for (no read-ahead) and
  // we issue no tickets, so nothing was read or written under the
  // application keys yet; anything buffered would mean otherwise.
  if (SSL_has_pending(ssl) != 0) return;
  records = std::make_unique<Tls13Records>(taken->client.expose(), taken->server.expose());
  SSL_free(ssl);
  ssl = nullptr;
}

namespace {

/// Tls13Records' step as the stream's (its Step type is private, hence the template).
template <class Step>
Step from_records(const Tls13Records::Step& r) {
  Step s;
  using Want = decltype(s.want);
  s.want = r.want == Tls13Records::Want::read    ? Want::read
           : r.want == Tls13Records::Want::write ? Want::write
                                                 : Want::nothing;
  s.ec = r.ec;
  s.bytes = r.bytes;
  return s;
}

}  // namespace

TlsSocketStream::Core::Core(socket_type s, asio::ssl::context& context)
    : socket(std::move(s)), timer(socket.get_executor()) {
  socket.native_non_blocking(true);  // throws system_error, as asio does
  ssl = SSL_new(context.native_handle());
  if (ssl == nullptr) throw std::bad_alloc();
  BIO* bio = BIO_new(socket_method());
  if (bio == nullptr) {
    SSL_free(ssl);
    throw std::bad_alloc();
  }
  BIO_set_data(bio, &socket);
  SSL_set_bio(ssl, bio, bio);
  SSL_set_app_data(ssl, this);  // for on_keylog
  // Partial writes: write_some returns after each record. Moving buffer: a
  // retried write may come from a gathered copy at another address.
  // Release buffers: an idle connection holds no record buffers.
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
}

TlsSocketStream::Core::~Core() { SSL_free(ssl); }

void TlsSocketStream::Core::start_handshake(asio::ssl::stream_base::handshake_type type) {
  if (type == asio::ssl::stream_base::server) {
    SSL_set_accept_state(ssl);
  } else {
    SSL_set_connect_state(ssl);
  }
}

boost::system::error_code TlsSocketStream::Core::unusable() const {
  if (timed_out) return boost::beast::error::timeout;
  if (!socket.is_open()) return asio::error::bad_descriptor;
  return {};
}

boost::system::error_code TlsSocketStream::Core::wait_error(const boost::system::error_code& ec) const {
  if (ec == asio::error::operation_aborted && timed_out) return boost::beast::error::timeout;
  return ec;
}

TlsSocketStream::Step TlsSocketStream::Core::classify(int ret, int ssl_error) {
  Step s;
  switch (ssl_error) {
    case SSL_ERROR_WANT_READ:
      s.want = Want::read;
      break;
    case SSL_ERROR_WANT_WRITE:
      s.want = Want::write;
      break;
    case SSL_ERROR_ZERO_RETURN:
      s.ec = asio::error::eof;  // the peer's close_notify
      break;
    case SSL_ERROR_SYSCALL:
      // ret 0 (OpenSSL 1.1) or an empty error queue: the peer closed the
      // connection without close_notify.
      if (ret == 0 || t_last_errno == 0) {
        s.ec = asio::ssl::error::stream_truncated;
      } else {
        s.ec = boost::system::error_code(t_last_errno, boost::system::system_category());
      }
      break;
    default: {
      const unsigned long e = ERR_get_error();
      if (e == 0) {
        s.ec = asio::ssl::error::stream_truncated;
      } else if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        s.ec = asio::ssl::error::stream_truncated;
      } else {
        s.ec = boost::system::error_code(static_cast<int>(e), asio::error::get_ssl_category());
      }
      break;
    }
  }
  ERR_clear_error();
  return s;
}

TlsSocketStream::Step TlsSocketStream::Core::handshake() {
  if (records) return {};  // done and handed off
  ERR_clear_error();
  t_last_errno = 0;
  const int r = SSL_do_handshake(ssl);
  if (r == 1) {
    if (secrets) take_over_records();
    return {};
  }
  return classify(r, SSL_get_error(ssl, r));
}

TlsSocketStream::Step TlsSocketStream::Core::read(asio::mutable_buffer b) {
  if (records) return from_records<Step>(records->read(fd(), b));
  ERR_clear_error();
  t_last_errno = 0;
  std::size_t n = 0;
  const int r = SSL_read_ex(ssl, b.data(), b.size(), &n);
  if (r == 1) return {Want::nothing, {}, n};
  return classify(r, SSL_get_error(ssl, r));
}

TlsSocketStream::Step TlsSocketStream::Core::write(const void* data, std::size_t size) {
  if (records) return from_records<Step>(records->write(fd(), data, size));
  ERR_clear_error();
  t_last_errno = 0;
  std::size_t n = 0;
  const int r = SSL_write_ex(ssl, data, size, &n);
  if (r == 1) return {Want::nothing, {}, n};
  return classify(r, SSL_get_error(ssl, r));
}

TlsSocketStream::Step TlsSocketStream::Core::shutdown() {
  if (records) {
    shutdown_sent = true;
    return from_records<Step>(records->close_notify(fd()));
  }
  // A connection whose handshake never finished has nothing to close.
  if (SSL_in_init(ssl) != 0 && !shutdown_sent) return {};
  ERR_clear_error();
  t_last_errno = 0;
  int r = SSL_shutdown(ssl);
  shutdown_sent = true;
  if (r == 0) r = SSL_shutdown(ssl);  // sent ours; now read the peer's
  if (r == 1) return {};
  Step s = classify(r, SSL_get_error(ssl, r));
  // The peer closed (with or without its own close_notify) after ours went
  // out: the shutdown is done as far as we are concerned.
  if (s.ec == asio::error::eof || s.ec == asio::ssl::error::stream_truncated) s.ec = {};
  return s;
}

TlsSocketStream::TlsSocketStream(socket_type socket, asio::ssl::context& context)
    : core_(std::make_shared<Core>(std::move(socket), context)) {}

TlsSocketStream::~TlsSocketStream() = default;

void TlsSocketStream::expires_after(std::chrono::steady_clock::duration timeout) {
  Core& c = *core_;
  c.timed_out = false;
  c.timer.expires_after(timeout);
  // The generation tells a stale expiry (already queued when re-armed) apart.
  c.timer.async_wait([weak = std::weak_ptr<Core>(core_), generation = ++c.timer_generation](
                         const boost::system::error_code& ec) {
    if (ec) return;  // cancelled or re-armed
    const auto core = weak.lock();
    if (!core || core->timer_generation != generation) return;
    core->timed_out = true;
    boost::system::error_code ignored;
    core->socket.cancel(ignored);
  });
}

void TlsSocketStream::expires_never() {
  core_->timed_out = false;
  ++core_->timer_generation;
  core_->timer.cancel();
}

void TlsSocketStream::cancel() {
  boost::system::error_code ignored;
  core_->socket.cancel(ignored);
}

void TlsSocketStream::close() {
  ++core_->timer_generation;
  core_->timer.cancel();
  boost::system::error_code ignored;
  core_->socket.close(ignored);
}

}  // namespace hush::server::net
