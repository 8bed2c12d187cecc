// An authenticated WebSocket session. Three coroutines share the
// connection's strand: the reader (mailbox writes are handed to the
// application's non-blocking path and answered by its completion, posted back
// to the strand; up to kMaxInFlight of them at once, in the order read, so
// group commit can batch several requests of one connection; any other
// request waits until those are answered and runs alone on the service pool),
// the writer (the only one that writes: one write in flight, then the close;
// the WriteCoalescer under the WebSocket sends what queued up meanwhile in
// one transport write) and the pusher (drains the device's mailbox into a
// bounded queue when woken; when the queue is full it pauses and the mailbox
// keeps the messages until the client reads again). An envelope handed over
// by a committed send (push_frame) skips the mailbox read when it is the
// next in seq order and the queue has room.
#include "net/log.hpp"
#include "net/poll_jitter.hpp"
#include "net/write_coalescer.hpp"
#include "net/ws_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <list>
#include <memory>
#include <optional>

namespace hush::server::net {
namespace {

namespace websocket = beast::websocket;

/// Mailbox writes one connection may have waiting for group commit. A client
/// keeps a few sends and the acks of what it was pushed in flight; 8 lets a
/// commit take them all, and bounds the memory one connection holds in the
/// commit queue (8 frames of at most max_ws_frame).
constexpr std::size_t kMaxInFlight = 8;

template <class Stream>
class WsSession final : public Connection, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream&& stream, Peer peer, std::string remote, SessionContext& ctx)
      : ws_(std::move(stream)),
        peer_(std::move(peer)),
        remote_(std::move(remote)),
        ctx_(ctx),
        writer_signal_(ws_.get_executor()),
        pusher_signal_(ws_.get_executor()),
        room_signal_(ws_.get_executor()),
        writer_exit_signal_(ws_.get_executor()) {}

  ~WsSession() override {
    ctx_.metrics.queued_frames.fetch_sub(static_cast<std::int64_t>(queue_.size()), std::memory_order_relaxed);
  }

  asio::awaitable<void> run(HttpRequest request) {
    auto self = this->shared_from_this();
    ws_.next_layer().set_owner(this->weak_from_this());
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = ctx_.limits.handshake_timeout;
    timeouts.idle_timeout = ctx_.limits.ws_idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "hushd"); }));
    ws_.read_message_max(ctx_.limits.max_ws_frame);
    ws_.binary(true);
    auto [ec] = co_await ws_.async_accept(request, kAsTuple);
    request = {};  // its header fields would otherwise live as long as the session
    if (ec) co_return;

    const auto token = ctx_.registry.add(this->weak_from_this());
    ctx_.registry.bind(token, peer_.id);
    ctx_.metrics.websockets_open.fetch_add(1, std::memory_order_relaxed);
    log_event(LogLevel::info, "ws_open", {kv("peer", peer_.id), kv("remote", remote_)});

    const auto ex = ws_.get_executor();
    asio::co_spawn(ex, writer(self), [self](std::exception_ptr e) { self->on_helper_exit(e, "writer"); });
    asio::co_spawn(ex, pusher(self), [self](std::exception_ptr e) { self->on_helper_exit(e, "pusher"); });
    const char* reason = "closed";
    try {
      reason = co_await reader();
    } catch (const std::exception&) {
      reason = "handler_exception";
    }
    // Requests already handed over are answered before the close.
    while (in_flight_ > 0) co_await room_signal_.wait();
    begin_close();
    // Graceful: the connection counts as open until its queued frames are
    // written and the close frame is sent (shutdown waits on that count).
    while (!writer_finished_) co_await writer_exit_signal_.wait();
    ctx_.registry.remove(token);
    ctx_.metrics.websockets_open.fetch_sub(1, std::memory_order_relaxed);
    log_event(LogLevel::info, "ws_close",
              {kv("peer", peer_.id), kv("reason", reason), kv("frames_in", frames_in_), kv("pushed", pushed_)});
  }

  void wake() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->wake_pending_ = true;
      self->pusher_signal_.notify();
    });
  }

  void push_frame(std::uint64_t seq, Bytes frame) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), seq, frame = std::move(frame)]() mutable {
      self->on_delivered(seq, std::move(frame));
    });
  }

  void send_notice(Bytes frame) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), frame = std::move(frame)]() mutable {
      if (!self->closing_) self->enqueue(std::move(frame), false);
    });
  }

  void shutdown() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      // Requests being handled get their answers first (the reader or the
      // last answer closes after them).
      if (self->handling_ || self->in_flight_ > 0) {
        self->close_after_reply_ = true;
      } else {
        self->begin_close();
      }
    });
  }

 private:
  struct Outgoing {
    Bytes frame;
    bool push = false;
  };

  void begin_close() {
    closing_ = true;
    writer_signal_.notify();
    pusher_signal_.notify();
    room_signal_.notify();
  }

  void on_helper_exit(const std::exception_ptr& e, const char* which) {
    if (which == std::string_view("writer")) {
      writer_finished_ = true;
      writer_exit_signal_.notify();
    }
    if (!e) return;
    log_event(LogLevel::error, "session_task_failed", {kv("peer", peer_.id), kv("task", which)});
    begin_close();
  }

  /// A committed envelope handed over (on the strand). Queued directly only
  /// when it is the very next row (seq = last_seq_ + 1: nothing can lie
  /// between) and the queue has room; otherwise the pusher reads the mailbox,
  /// which still holds it, so nothing is lost or reordered either way.
  void on_delivered(std::uint64_t seq, Bytes frame) {
    if (closing_ || seq <= last_seq_) return;  // closing, or already queued from the mailbox
    if (seq == last_seq_ + 1 && queue_.size() < ctx_.limits.max_queued_frames) {
      last_seq_ = seq;
      enqueue(std::move(frame), true);
      return;
    }
    wake_pending_ = true;
    pusher_signal_.notify();
  }

  /// Answers an asynchronous request on the strand (from any thread).
  static void post_answer(const std::shared_ptr<WsSession>& self, FrameReply reply) {
    asio::post(self->ws_.get_executor(), [self, reply = std::move(reply)]() mutable {
      --self->in_flight_;
      self->answer(std::move(reply));
      self->room_signal_.notify();
      if (self->close_after_reply_ && self->in_flight_ == 0 && !self->handling_) self->begin_close();
    });
  }

  /// Hands `frame` to the application's non-blocking path; false when it
  /// must go through the service pool instead. The completion runs on any
  /// thread: it passes the pushes to the registry, then posts the reply to
  /// the strand. It counts as work of the service pool, so Server::wait (which
  /// joins the pool) still waits for answers being completed, as it did when
  /// a pool thread blocked on each.
  bool start_async(ByteView frame) {
    // The completion's copy of the session must be dropped before its work
    // count: when it is the last reference, ~WsSession runs on the writer
    // thread and touches the io_context and the server's metrics. Released
    // the other way round (a lambda's captures are destroyed in an order we
    // do not choose), Server::wait could return, and the server be
    // destroyed, while the writer thread still destroys the session. A
    // struct's members are destroyed in reverse order: `self` first.
    struct Keep {
      decltype(asio::prefer(ctx_.pool.get_executor(), asio::execution::outstanding_work.tracked)) work;
      std::shared_ptr<WsSession> self;
    };
    FrameDone done = [keep = Keep{asio::prefer(ctx_.pool.get_executor(), asio::execution::outstanding_work.tracked),
                                  this->shared_from_this()}](FrameReply reply, std::vector<PeerPush> pushes) {
      const std::shared_ptr<WsSession>& self = keep.self;
      for (PeerPush& p : pushes) {
        if (self->ctx_.registry.push_frame(p.peer, p.seq, std::move(p.frame)) == 0)
          self->ctx_.app.mail_not_held(Peer{p.peer});
      }
      if (reply.finish_blocking) {
        // The rest blocks (a stale send's bundles): finished on the service
        // pool, then answered as below (the completion runs again, plain).
        auto rest = std::move(reply.finish_blocking);
        auto again = keep;  // this completion's copy: the pool task owns one too
        asio::post(self->ctx_.pool, [keep = std::move(again), rest = std::move(rest)]() mutable {
          FrameReply finished = rest();
          finished.finish_blocking = nullptr;
          post_answer(keep.self, std::move(finished));
        });
        return;
      }
      post_answer(self, std::move(reply));
    };
    ++in_flight_;  // before: done may run (and post its answer) at once
    bool taken = false;
    try {
      taken = ctx_.app.handle_frame_async(peer_, frame, done);
    } catch (...) {
      --in_flight_;
      throw;
    }
    if (!taken) --in_flight_;
    return taken;
  }

  /// Queues the answer to a request, with its metrics and log line.
  void answer(FrameReply reply) {
    if (reply.status >= 400 && reply.status < 500) ctx_.metrics.bad_frames.fetch_add(1, std::memory_order_relaxed);
    // One per send accepted, 1:1 or fan-out (a fan-out's deliveries count
    // in messages_out as each envelope is pushed).
    if (reply.status == 200 && (reply.kind == "send_message" || reply.kind == "send_multi")) {
      ctx_.metrics.messages_in.fetch_add(1, std::memory_order_relaxed);
    }
    log_event(LogLevel::debug, "request", {kv("peer", peer_.id), kv("kind", reply.kind), kv("status", reply.status)});
    if (reply.after_mailbox_read && reply.status == 200) {
      // A drain: answered by the pusher after a mailbox read that begins
      // from now on reaches the end (a read already under way may have
      // missed mail committed just before the request).
      held_answers_.push_back(HeldAnswer{std::move(reply.frame), reads_started_ + 1});
      wake_pending_ = true;
      pusher_signal_.notify();
      return;
    }
    enqueue(std::move(reply.frame), false);
  }

  /// Queues the drain answers waiting for mailbox read `read` (or earlier),
  /// which reached the end of the mailbox: after the envelopes it queued.
  void release_held_answers(std::uint64_t read) {
    while (!held_answers_.empty() && held_answers_.front().after_read <= read) {
      enqueue(std::move(held_answers_.front().frame), false);
      held_answers_.pop_front();
    }
  }

  void enqueue(Bytes frame, bool push) {
    if (closing_ && writer_done_) return;
    queue_.push_back(Outgoing{std::move(frame), push});
    ctx_.metrics.queued_frames.fetch_add(1, std::memory_order_relaxed);
    writer_signal_.notify();
  }

  /// Returns why the session ended (a static string, for the log).
  asio::awaitable<const char*> reader() {
    beast::flat_buffer buffer;
    const std::size_t hard_cap = ctx_.limits.max_queued_frames + ctx_.limits.response_slack;
    for (;;) {
      // Room for the answers of everything in flight, and a bounded number
      // in flight: beyond that the client's frames wait in TCP (load is shed
      // at the sender, never queued here without bound).
      while (!closing_ && !close_after_reply_ &&
             (queue_.size() + held_answers_.size() + in_flight_ >= hard_cap || in_flight_ >= kMaxInFlight))
        co_await room_signal_.wait();
      if (closing_ || close_after_reply_) co_return "shutdown";
      // One whole message, like websocket::stream::async_read, with the
      // message deadline: once part of a message is in and more is needed,
      // the rest must come within frame_read_timeout, whatever pings arrive
      // meanwhile (Beast's idle timer counts those as traffic). The timer is
      // armed only for a message that needs a second read, so the usual
      // small frame costs one is_message_done() more. Inline, not a nested
      // coroutine: no extra frame per message.
      beast::error_code ec;
      std::size_t n = 0;
      bool armed = false;
      for (;;) {
        auto [e, got] = co_await ws_.async_read_some(buffer, 0, kAsTuple);
        n += got;
        ec = e;
        if (ec || ws_.is_message_done()) break;
        if (!armed) {
          armed = true;
          arm_frame_deadline();
        }
      }
      if (armed && frame_timer_) frame_timer_->cancel();
      if (frame_timed_out_) co_return "frame_timeout";
      if (ec == websocket::error::closed) co_return "client_close";
      if (ec == websocket::error::message_too_big) co_return "frame_too_big";
      if (ec == beast::error::timeout) co_return "idle_timeout";
      if (ec) co_return "read_error";
      ++frames_in_;
      ctx_.metrics.frames_in.fetch_add(1, std::memory_order_relaxed);
      Bytes frame(n);
      asio::buffer_copy(asio::buffer(frame), buffer.data());
      buffer.consume(n);
      buffer.shrink_to_fit();  // empty now: an idle connection holds no read buffer

      if (start_async(frame)) continue;
      // Any other request runs alone, after every earlier one was answered,
      // so each connection's requests still take effect in the order sent.
      while (in_flight_ > 0) co_await room_signal_.wait();
      if (closing_) co_return "shutdown";
      handling_ = true;
      auto handle = [this, &frame] { return ctx_.app.handle_frame(peer_, frame); };
      auto reply = co_await offload(ctx_, handle);
      handling_ = false;
      answer(std::move(reply));
      if (close_after_reply_) co_return "shutdown";
    }
  }

  /// The message deadline (see reader()): closes the socket when the rest
  /// of a begun message has not come within frame_read_timeout.
  void arm_frame_deadline() {
    if (!frame_timer_) frame_timer_.emplace(ws_.get_executor());
    frame_timer_->expires_after(ctx_.limits.frame_read_timeout);
    frame_timer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->closing_) return;  // cancelled: the message completed in time
      self->frame_timed_out_ = true;
      self->ctx_.metrics.partial_frame_timeouts.fetch_add(1, std::memory_order_relaxed);
      // The pending read fails at once; the session then ends as on any read error.
      beast::get_lowest_layer(self->ws_).close();
    });
  }

  asio::awaitable<void> writer(std::shared_ptr<WsSession> /*keep alive*/) {
    bool failed = false;
    for (;;) {
      while (queue_.empty() && !closing_) co_await writer_signal_.wait();
      if (queue_.empty()) break;
      // More queued behind this frame: gather it; the last one flushes all.
      ws_.next_layer().hold(queue_.size() > 1);
      auto [ec, n] = co_await ws_.async_write(asio::buffer(queue_.front().frame), kAsTuple);
      if (ec) {
        failed = true;
        break;
      }
      ctx_.metrics.frames_out.fetch_add(1, std::memory_order_relaxed);
      if (queue_.front().push) {
        ctx_.metrics.messages_out.fetch_add(1, std::memory_order_relaxed);
        ++pushed_;
      }
      queue_.pop_front();
      ctx_.metrics.queued_frames.fetch_sub(1, std::memory_order_relaxed);
      if (queue_.size() <= ctx_.limits.max_queued_frames / 2) pusher_signal_.notify();
      room_signal_.notify();
    }
    ws_.next_layer().hold(false);
    writer_done_ = true;
    ctx_.metrics.queued_frames.fetch_sub(static_cast<std::int64_t>(queue_.size()), std::memory_order_relaxed);
    queue_.clear();
    begin_close();
    if (!failed && ws_.is_open()) {
      auto [ec] = co_await ws_.async_close(websocket::close_code::going_away, kAsTuple);
      (void)ec;  // the peer may be gone already; nothing more to do
    }
  }

  asio::awaitable<void> pusher(std::shared_ptr<WsSession> /*keep alive*/) {
    const std::size_t cap = ctx_.limits.max_queued_frames;
    const std::chrono::milliseconds poll = ctx_.limits.mailbox_poll_interval;
    for (;;) {
      bool counted_pause = false;
      while (!closing_ && (!wake_pending_ || queue_.size() >= cap)) {
        if (wake_pending_ && !counted_pause) {
          ctx_.metrics.push_pauses.fetch_add(1, std::memory_order_relaxed);
          counted_pause = true;
        }
        if (poll.count() > 0 && !wake_pending_) {
          // Mail stored through another node wakes nobody here unless a bus
          // carries the wake-up: look anyway, rarely while the bus is up.
          // Drawn anew each wait (poll_jitter.hpp): sessions opened together
          // drift apart instead of polling the database in lockstep.
          const auto interval = jittered(ctx_.wake_bus_up.load(std::memory_order_relaxed)
                                             ? std::max(poll, ctx_.limits.mailbox_poll_with_bus)
                                             : poll);
          if (co_await pusher_signal_.wait_for(interval)) {
            wake_pending_ = true;
            ctx_.metrics.mailbox_polls.fetch_add(1, std::memory_order_relaxed);
          }
        } else {
          co_await pusher_signal_.wait();
        }
      }
      if (closing_) co_return;
      wake_pending_ = false;
      const std::size_t room = cap - queue_.size();
      const std::uint64_t after = last_seq_;
      const std::uint64_t read = ++reads_started_;
      auto fetch = [this, after, room] { return ctx_.app.fetch_pending(peer_, after, room); };
      auto batch = co_await offload(ctx_, fetch);
      if (closing_) co_return;
      for (auto& item : batch) {
        if (item.seq <= last_seq_) continue;  // already queued in this session
        last_seq_ = item.seq;
        enqueue(std::move(item.frame), true);
      }
      if (batch.size() >= room) {
        wake_pending_ = true;  // more may wait; resume when there is room
      } else {
        if (!drain_reported_) {
          // The first read that found less than it had room for reached the
          // end of the mailbox: the client may stop draining here.
          drain_reported_ = true;
          enqueue(ctx_.app.queue_empty_frame(), false);
        }
        release_held_answers(read);
      }
    }
  }

  /// Frames queued together leave in one transport write (write_coalescer.hpp).
  websocket::stream<WriteCoalescer<Stream>> ws_;
  Peer peer_;
  std::string remote_;
  SessionContext& ctx_;
  StrandSignal writer_signal_;
  StrandSignal pusher_signal_;
  StrandSignal room_signal_;
  StrandSignal writer_exit_signal_;
  /// The message deadline's timer, made at the first message that needs it.
  std::optional<asio::steady_timer> frame_timer_;
  bool frame_timed_out_ = false;
  bool writer_finished_ = false;
  /// A list, not a deque: libstdc++'s deque allocates ~600 bytes while empty.
  std::list<Outgoing> queue_;
  bool closing_ = false;
  bool writer_done_ = false;
  bool handling_ = false;           ///< a request is on the service pool
  std::size_t in_flight_ = 0;       ///< requests on the application's non-blocking path
  bool close_after_reply_ = false;  ///< shutdown() came while requests were being handled
  bool wake_pending_ = true;  ///< drain the mailbox once at connect
  bool drain_reported_ = false;  ///< the queue-empty frame has been queued
  /// A DrainRequest's answer, held until mailbox read `after_read` reaches the end.
  struct HeldAnswer {
    Bytes frame;
    std::uint64_t after_read = 0;
  };
  std::list<HeldAnswer> held_answers_;  ///< counted with the queue in the reader's room check
  std::uint64_t reads_started_ = 0;  ///< mailbox reads begun by the pusher
  std::uint64_t last_seq_ = 0;
  std::uint64_t frames_in_ = 0;
  std::uint64_t pushed_ = 0;
};

}  // namespace

template <class Stream>
asio::awaitable<void> run_websocket(Stream stream, HttpRequest request, Peer peer, std::string remote,
                                    SessionContext& ctx) {
  auto session = std::make_shared<WsSession<Stream>>(std::move(stream), std::move(peer), std::move(remote), ctx);
  co_await session->run(std::move(request));
}

template asio::awaitable<void> run_websocket<PlainStream>(PlainStream, HttpRequest, Peer, std::string,
                                                          SessionContext&);
template asio::awaitable<void> run_websocket<TlsStream>(TlsStream, HttpRequest, Peer, std::string, SessionContext&);

}  // namespace hush::server::net
