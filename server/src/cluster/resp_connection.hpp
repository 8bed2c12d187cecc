// One TCP connection to Redis: commands out, replies in, in order. hiredis
// formats the commands and parses the replies (RESP); the socket, timers and
// ordering are Asio's. Runs on one io_context thread; not thread-safe.
#pragma once

#include "cluster/redis_endpoint.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;
struct redisReader;

namespace hush::server::cluster {

class RespConnection {
 public:
  /// Every reply (and, on a subscribed connection, every pushed message),
  /// in arrival order; the reply is freed after the call.
  using OnReply = std::function<void(const redisReply& reply)>;
  /// The connection failed or was closed by the peer (not by close()).
  using OnClosed = std::function<void()>;

  struct Limits {
    /// Commands waiting to be written beyond this are dropped (wake-ups are
    /// best effort: storage is the truth).
    std::size_t max_queued = 100'000;
    /// Commands outstanding and no reply for this long: the server is gone.
    std::chrono::milliseconds stall_timeout{3000};
  };

  RespConnection(boost::asio::io_context& io, Limits limits, OnReply on_reply, OnClosed on_closed);
  ~RespConnection();
  RespConnection(const RespConnection&) = delete;
  RespConnection& operator=(const RespConnection&) = delete;

  /// Resolves and connects; `done(true)` once open. Call only while closed.
  void connect(const RedisEndpoint& to, std::chrono::milliseconds timeout, std::function<void(bool ok)> done);
  /// Queues one command (written in order). False, and nothing sent, while
  /// not open or when the queue is full.
  bool send(const std::vector<std::string_view>& args);
  /// Closes without calling OnClosed; pending completions are ignored.
  void close();
  [[nodiscard]] bool is_open() const noexcept { return open_; }

 private:
  void read_more();
  void write_more();
  void arm_stall_check();
  void fail();

  boost::asio::io_context& io_;
  Limits limits_;
  OnReply on_reply_;
  OnClosed on_closed_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer stall_timer_;
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader_;
  std::deque<std::string> out_;
  std::array<char, 16384> in_{};
  bool open_ = false;
  bool writing_ = false;
  std::uint64_t outstanding_ = 0;  ///< commands sent whose reply has not come
  std::chrono::steady_clock::time_point last_reply_{};
  /// Bumped by close(): completions of an older connection are ignored.
  std::uint64_t generation_ = 0;
};

}  // namespace hush::server::cluster
