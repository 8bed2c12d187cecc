// Internal to net/: WriteCoalescer, the layer between a session's
// websocket::stream and its transport (TlsSocketStream or plain TCP) that
// turns a burst of small writes into one. Each write is copied behind the
// bytes already waiting and completes at once. While the owner holds the
// flush (hold(true): it has more frames to write right away) writes only
// gather; otherwise, and when kMaxPending bytes gathered, one flush at a
// time hands everything waiting to the transport in one call, so N frames
// queued for a connection cost about one TLS record and one sendmsg instead
// of N of each.
// Every write, data or control frame, goes through the same buffer, so order
// is kept. Bounded: a write that finds kMaxPending bytes waiting completes
// only when the flush in flight has taken them. A failed flush fails every
// later write; teardown waits until everything waiting was written.
// Used on the connection's strand only, like the stream below it.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace hush::server::net {

template <class Next>
class WriteCoalescer {
 public:
  using executor_type = typename Next::executor_type;
  using next_layer_type = Next;
  using error_code = boost::system::error_code;

  /// Bytes that may wait behind the flush in flight before writes wait too:
  /// a few hundred pushed envelopes, or one large one.
  static constexpr std::size_t kMaxPending = 64 * 1024;

  explicit WriteCoalescer(Next&& next) : next_(std::move(next)) {}

  /// While a flush is in flight it keeps `owner` (the session holding this
  /// stream) alive, so its completion never finds the stream gone.
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  /// Holds back the flush while `held` (writes gather, up to kMaxPending);
  /// releasing flushes what gathered. The owner holds only while it has
  /// more to write at once, so nothing (a control frame either) waits long.
  void hold(bool held) {
    held_ = held;
    if (!held_) flush();
  }

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return next_.async_read_some(buffers, std::forward<Token>(token));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) { start_write(b, std::move(handler)); }, token, buffers);
  }

  /// websocket::stream's teardown: write what waits, then the transport's own.
  template <class Handler>
  friend void async_teardown(boost::beast::role_type role, WriteCoalescer& stream, Handler&& handler) {
    stream.when_drained([&stream, role, h = std::forward<Handler>(handler)]() mutable {
      using boost::beast::websocket::async_teardown;
      async_teardown(role, stream.next_, std::move(h));
    });
  }

 private:
  using WriteHandler = boost::asio::any_completion_handler<void(error_code, std::size_t)>;
  using DrainHandler = boost::asio::any_completion_handler<void()>;

  template <class ConstBuffers, class Handler>
  void start_write(const ConstBuffers& buffers, Handler handler) {
    const std::size_t n = boost::asio::buffer_size(buffers);
    if (!error_) {
      const std::size_t at = pending_.size();
      pending_.resize(at + n);
      boost::asio::buffer_copy(boost::asio::buffer(pending_.data() + at, n), buffers);
      if (!held_ || pending_.size() >= kMaxPending) flush();
      if (pending_.size() >= kMaxPending) {
        // websocket::stream has one write in progress at a time.
        blocked_.emplace(WriteHandler(std::move(handler)), n);
        return;
      }
    }
    // Never completed inline; post() runs it on its own associated executor.
    boost::asio::post(get_executor(), boost::asio::append(std::move(handler), error_, error_ ? 0 : n));
  }

  void flush() {
    if (flushing_ || pending_.empty() || error_) return;
    flushing_ = true;
    std::swap(in_flight_, pending_);
    boost::asio::async_write(next_, boost::asio::buffer(in_flight_),
                             boost::asio::bind_executor(next_.get_executor(),
                                                        [this, keep = owner_.lock()](error_code ec, std::size_t) {
                                                          on_flushed(ec);
                                                        }));
  }

  void on_flushed(error_code ec) {
    flushing_ = false;
    in_flight_.clear();
    if (ec) {
      error_ = ec;
      pending_.clear();
    } else {
      flush();
    }
    if (!flushing_) {
      // Idle: an idle connection keeps no write buffer.
      std::vector<unsigned char>().swap(in_flight_);
      std::vector<unsigned char>().swap(pending_);
    }
    if (blocked_ && (error_ || pending_.size() < kMaxPending)) {
      auto [handler, n] = std::move(*blocked_);
      blocked_.reset();
      boost::asio::post(get_executor(), boost::asio::append(std::move(handler), error_, error_ ? 0 : n));
    }
    if (drained_ && !flushing_) {
      auto h = std::move(*drained_);
      drained_.reset();
      std::move(h)();
    }
  }

  template <class Fn>
  void when_drained(Fn fn) {
    held_ = false;
    flush();
    if (!flushing_) {
      fn();  // nothing waits (a failed flush drops what waited)
      return;
    }
    drained_.emplace(std::move(fn));
  }

  Next next_;
  std::weak_ptr<void> owner_;
  std::vector<unsigned char> pending_;    ///< written after the flush in flight
  std::vector<unsigned char> in_flight_;  ///< being written
  bool flushing_ = false;
  bool held_ = false;
  error_code error_;
  std::optional<std::pair<WriteHandler, std::size_t>> blocked_;
  std::optional<DrainHandler> drained_;
};

}  // namespace hush::server::net
