// TlsSocketStream's OpenSSL side: a BIO that reads and writes the socket's
// descriptor directly (recv/send with MSG_NOSIGNAL, EAGAIN reported as a
// retry), one step of each TLS operation, and the mapping of OpenSSL's
// results to "wait for readable/writable" or an error code. The asynchronous
// loop around these steps is in the header.
#include "net/tls_socket_stream.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>

#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <new>

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
  ERR_clear_error();
  t_last_errno = 0;
  const int r = SSL_do_handshake(ssl);
  if (r == 1) return {};
  return classify(r, SSL_get_error(ssl, r));
}

TlsSocketStream::Step TlsSocketStream::Core::read(asio::mutable_buffer b) {
  ERR_clear_error();
  t_last_errno = 0;
  std::size_t n = 0;
  const int r = SSL_read_ex(ssl, b.data(), b.size(), &n);
  if (r == 1) return {Want::nothing, {}, n};
  return classify(r, SSL_get_error(ssl, r));
}

TlsSocketStream::Step TlsSocketStream::Core::write(const void* data, std::size_t size) {
  ERR_clear_error();
  t_last_errno = 0;
  std::size_t n = 0;
  const int r = SSL_write_ex(ssl, data, size, &n);
  if (r == 1) return {Want::nothing, {}, n};
  return classify(r, SSL_get_error(ssl, r));
}

TlsSocketStream::Step TlsSocketStream::Core::shutdown() {
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
