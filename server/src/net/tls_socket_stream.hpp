// TlsSocketStream: TLS over a TCP socket where OpenSSL reads and writes the
// non-blocking socket itself (a BIO on the descriptor) and the stream only
// waits for readiness (socket.async_wait) when OpenSSL says WANT_READ or
// WANT_WRITE. Unlike asio::ssl::stream it keeps no buffers of its own, so
// with SSL_MODE_RELEASE_BUFFERS an idle connection holds only OpenSSL's SSL
// object (asio's stream keeps four 17 KiB buffers per connection:
// docs/performance.md, "Idle connections").
//
// It models Beast's AsyncReadStream and AsyncWriteStream, the handshake and
// shutdown of asio::ssl::stream, beast::tcp_stream's expires_after /
// expires_never / cancel (for HTTP timeouts; it is its own lowest layer),
// and what websocket::stream needs (async_teardown, beast_close_socket).
// Not thread-safe: every call and completion runs on the connection's strand
// (the socket's executor), as with the streams it replaces.
//
// With hand_off_records() on the server's context, a TLS 1.3 connection on
// ChaCha20-Poly1305 frees its SSL object once the handshake is done and its
// records are sealed and opened by Tls13Records (tls13_records.hpp): an idle
// connection then holds ~0.3 KiB of TLS state instead of ~13.5 KiB.
#pragma once

#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>
#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

namespace hush::server::net {

class Tls13Records;

class TlsSocketStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using socket_type = boost::asio::ip::tcp::socket;

  /// Takes over a connected socket; the TLS handshake is async_handshake().
  /// Throws std::bad_alloc or boost::system::system_error when OpenSSL cannot
  /// make the SSL object or the socket cannot be made non-blocking.
  TlsSocketStream(socket_type socket, boost::asio::ssl::context& context);
  ~TlsSocketStream();
  TlsSocketStream(TlsSocketStream&&) noexcept = default;
  TlsSocketStream& operator=(TlsSocketStream&&) noexcept = default;
  TlsSocketStream(const TlsSocketStream&) = delete;
  TlsSocketStream& operator=(const TlsSocketStream&) = delete;

  [[nodiscard]] executor_type get_executor() const { return core_->socket.get_executor(); }
  socket_type& socket() { return core_->socket; }
  /// OpenSSL's SSL object (for inspection; do not read or write through it).
  /// Null once the records were handed off (hand_off_records()).
  [[nodiscard]] SSL* native_handle() const { return core_->ssl; }
  /// Whether Tls13Records carries this connection's records (not OpenSSL).
  [[nodiscard]] bool records_handed_off() const { return core_->records != nullptr; }

  /// Lets server streams on `context` take a TLS 1.3 ChaCha20-Poly1305
  /// connection's records over from OpenSSL when the handshake completes and
  /// free the SSL object (a keylog callback hands the traffic secrets to the
  /// stream; nothing is logged). Turns session tickets off (they would be
  /// sent under the application keys). Other versions and suites, and
  /// client streams, stay with OpenSSL. Call before streams use the context.
  static void hand_off_records(boost::asio::ssl::context& context);

  /// Operations pending or started after `timeout` from now fail with
  /// beast::error::timeout (as beast::tcp_stream's do).
  void expires_after(std::chrono::steady_clock::duration timeout);
  void expires_never();
  /// Pending operations complete with operation_aborted.
  void cancel();
  /// Closes the socket; pending operations complete with operation_aborted
  /// and later ones fail with bad_descriptor (OpenSSL never sees the
  /// descriptor number again, so a reused number cannot be written to).
  void close();

  /// Handshake as `type` (server or client). Completion: void(error_code).
  template <class Token>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type type, Token&& token) {
    core_->start_handshake(type);
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, Core* core) { start_op(core, Handshake{}, drop_size(std::move(handler))); }, token,
        core_.get());
  }

  /// Sends close_notify and waits for the peer's (or its end of stream).
  /// Completion: void(error_code); a peer that closed without answering is
  /// not an error (our close_notify was sent).
  template <class Token>
  auto async_shutdown(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, Core* core) { start_op(core, Shutdown{}, drop_size(std::move(handler))); }, token,
        core_.get());
  }

  /// Reads up to one TLS record's plaintext into the first non-empty buffer.
  /// Completion: void(error_code, size_t); asio::error::eof after the peer's
  /// close_notify, ssl::error::stream_truncated when the peer closed without it.
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    const auto first = first_buffer(boost::asio::buffer_sequence_begin(buffers),
                                     boost::asio::buffer_sequence_end(buffers));
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, Core* core, boost::asio::mutable_buffer b) { start_op(core, Read{b}, std::move(handler)); },
        token, core_.get(), first);
  }

  /// Writes at most one TLS record. Small buffers of a sequence (a WebSocket
  /// or HTTP header and its payload) are gathered into one record, so a
  /// frame is not split into a tiny record and the rest.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, Core* core, Write w) { start_op(core, std::move(w), std::move(handler)); }, token,
        core_.get(), Write::from(buffers));
  }

  /// websocket::stream's teardown: TLS shutdown, then Beast's TCP teardown
  /// (our FIN, then read to the peer's so no reset loses the last bytes).
  template <class Handler>
  friend void async_teardown(boost::beast::role_type role, TlsSocketStream& stream, Handler&& handler) {
    stream.async_shutdown(
        TeardownStep<std::decay_t<Handler>>{role, &stream.core_->socket, std::forward<Handler>(handler)});
  }

  /// Called by Beast (websocket timeouts) through beast::close_socket.
  friend void beast_close_socket(TlsSocketStream& stream) { stream.close(); }

 private:
  /// What one OpenSSL call asks for next.
  enum class Want { nothing, read, write };
  struct Step {
    Want want = Want::nothing;
    boost::system::error_code ec;
    std::size_t bytes = 0;
  };

  /// Heap-held state: a stable address for the BIO and the timeout timer's
  /// handler (which may run after the stream is gone, hence shared/weak).
  struct Core {
    Core(socket_type s, boost::asio::ssl::context& context);
    ~Core();
    Core(const Core&) = delete;
    Core& operator=(const Core&) = delete;

    void start_handshake(boost::asio::ssl::stream_base::handshake_type type);
    Step handshake();
    Step shutdown();
    Step read(boost::asio::mutable_buffer b);
    Step write(const void* data, std::size_t size);
    /// An error code for an operation that cannot start (closed, timed out).
    [[nodiscard]] boost::system::error_code unusable() const;
    /// Maps a failed readiness wait (timeout shows as operation_aborted).
    [[nodiscard]] boost::system::error_code wait_error(const boost::system::error_code& ec) const;
    Step classify(int ret, int ssl_error);
    /// After a server handshake: hand the records to Tls13Records and free
    /// the SSL object when the connection qualifies (see hand_off_records()).
    void take_over_records();
    [[nodiscard]] int fd() { return socket.is_open() ? socket.native_handle() : -1; }

    /// The application traffic secrets, between the keylog callback and the
    /// end of the handshake.
    struct TrafficSecrets;

    socket_type socket;
    boost::asio::steady_timer timer;
    SSL* ssl = nullptr;                       ///< null after the hand-off
    std::unique_ptr<Tls13Records> records;    ///< set by the hand-off
    std::unique_ptr<TrafficSecrets> secrets;  ///< during a server handshake only
    std::uint64_t timer_generation = 0;  ///< bumped whenever the deadline changes
    bool timed_out = false;
    bool shutdown_sent = false;
  };

  struct Handshake {
    Step operator()(Core& c) const { return c.handshake(); }
  };
  struct Shutdown {
    Step operator()(Core& c) const { return c.shutdown(); }
  };
  struct Read {
    boost::asio::mutable_buffer buffer;
    Step operator()(Core& c) const {
      if (buffer.size() == 0) return {};
      return c.read(buffer);
    }
  };
  /// The bytes of one write: the caller's first buffer, or a gathered copy.
  struct Write {
    boost::asio::const_buffer direct;
    std::unique_ptr<unsigned char[]> gathered;
    std::size_t gathered_size = 0;
    Step operator()(Core& c) const {
      if (gathered) return c.write(gathered.get(), gathered_size);
      if (direct.size() == 0) return {};
      return c.write(direct.data(), direct.size());
    }
    template <class ConstBuffers>
    static Write from(const ConstBuffers& buffers);
  };

  /// The composed operation: run the step, wait for readiness as OpenSSL
  /// asks, repeat; a completion without any wait is posted, never inline.
  static void on_keylog(const SSL* ssl, const char* line);

  template <class StepFn>
  struct Op {
    Core* core;
    StepFn step;
    enum class Phase { start, waiting, posted } phase = Phase::start;
    bool waited = false;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
      if (phase == Phase::posted) {
        self.complete(ec, n);
        return;
      }
      Step s;
      if (phase == Phase::waiting && ec) {
        s.ec = core->wait_error(ec);
      } else if (const auto bad = core->unusable()) {
        s.ec = bad;
      } else {
        s = step(*core);
      }
      if (s.want != Want::nothing) {
        phase = Phase::waiting;
        waited = true;
        core->socket.async_wait(s.want == Want::read ? socket_type::wait_read : socket_type::wait_write,
                                std::move(self));
        return;
      }
      if (!waited) {
        phase = Phase::posted;
        boost::asio::post(core->socket.get_executor(), boost::asio::append(std::move(self), s.ec, s.bytes));
        return;
      }
      self.complete(s.ec, s.bytes);
    }
  };

  template <class StepFn, class Handler>
  static void start_op(Core* core, StepFn step, Handler&& handler) {
    boost::asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
        Op<StepFn>{core, std::move(step)}, handler, core->socket);
  }

  /// Adapts a void(error_code) handler to the ops' void(error_code, size_t).
  template <class Handler>
  struct DropSize {
    Handler handler;
    using executor_type = boost::asio::associated_executor_t<Handler, boost::asio::any_io_executor>;
    using allocator_type = boost::asio::associated_allocator_t<Handler>;
    using cancellation_slot_type = boost::asio::associated_cancellation_slot_t<Handler>;
    executor_type get_executor() const noexcept {
      return boost::asio::get_associated_executor(handler, boost::asio::any_io_executor());
    }
    allocator_type get_allocator() const noexcept { return boost::asio::get_associated_allocator(handler); }
    cancellation_slot_type get_cancellation_slot() const noexcept {
      return boost::asio::get_associated_cancellation_slot(handler);
    }
    void operator()(boost::system::error_code ec, std::size_t /*n*/) { std::move(handler)(ec); }
  };
  template <class Handler>
  static DropSize<std::decay_t<Handler>> drop_size(Handler&& h) {
    return {std::forward<Handler>(h)};
  }

  /// After the TLS shutdown, Beast's TCP teardown; the first error wins.
  template <class Handler>
  struct TeardownStep {
    boost::beast::role_type role;
    socket_type* socket;
    Handler handler;
    using executor_type = boost::asio::associated_executor_t<Handler, boost::asio::any_io_executor>;
    using allocator_type = boost::asio::associated_allocator_t<Handler>;
    executor_type get_executor() const noexcept {
      return boost::asio::get_associated_executor(handler, socket->get_executor());
    }
    allocator_type get_allocator() const noexcept { return boost::asio::get_associated_allocator(handler); }
    void operator()(boost::system::error_code ec) {
      using boost::beast::websocket::async_teardown;
      if (ec || !socket->is_open()) {
        std::move(handler)(ec);
        return;
      }
      async_teardown(role, *socket, std::move(handler));
    }
  };

  template <class It>
  static boost::asio::mutable_buffer first_buffer(It it, It end) {
    for (; it != end; ++it) {
      const boost::asio::mutable_buffer b(*it);
      if (b.size() != 0) return b;
    }
    return {};
  }

  std::shared_ptr<Core> core_;
};

/// Largest plaintext of one TLS record: a write gathers at most this much.
inline constexpr std::size_t kTlsRecordPlaintext = 16 * 1024;

template <class ConstBuffers>
TlsSocketStream::Write TlsSocketStream::Write::from(const ConstBuffers& buffers) {
  Write w;
  auto it = boost::asio::buffer_sequence_begin(buffers);
  const auto end = boost::asio::buffer_sequence_end(buffers);
  for (; it != end; ++it) {
    const boost::asio::const_buffer b(*it);
    if (b.size() != 0) break;
  }
  if (it == end) return w;
  w.direct = boost::asio::const_buffer(*it);
  // A first buffer that fills a record, or one alone, is written in place.
  if (w.direct.size() >= kTlsRecordPlaintext) return w;
  std::size_t total = 0;
  std::size_t count = 0;
  for (auto j = it; j != end && total < kTlsRecordPlaintext; ++j) {
    const boost::asio::const_buffer b(*j);
    if (b.size() == 0) continue;
    total += b.size();
    ++count;
  }
  if (count < 2) return w;
  w.gathered_size = total < kTlsRecordPlaintext ? total : kTlsRecordPlaintext;
  w.gathered.reset(new unsigned char[w.gathered_size]);
  std::size_t at = 0;
  for (auto j = it; j != end && at < w.gathered_size; ++j) {
    const boost::asio::const_buffer b(*j);
    const std::size_t take = b.size() < w.gathered_size - at ? b.size() : w.gathered_size - at;
    std::memcpy(w.gathered.get() + at, b.data(), take);
    at += take;
  }
  return w;
}

}  // namespace hush::server::net
