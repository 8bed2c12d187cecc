#include "cluster/resp_connection.hpp"

#include <hiredis/hiredis.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

namespace hush::server::cluster {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

RespConnection::RespConnection(asio::io_context& io, Limits limits, OnReply on_reply, OnClosed on_closed)
    : io_(io),
      limits_(limits),
      on_reply_(std::move(on_reply)),
      on_closed_(std::move(on_closed)),
      resolver_(io),
      socket_(io),
      connect_timer_(io),
      stall_timer_(io),
      reader_(nullptr, redisReaderFree) {}

RespConnection::~RespConnection() {
  close();
}

void RespConnection::connect(const RedisEndpoint& to, std::chrono::milliseconds timeout,
                             std::function<void(bool ok)> done) {
  close();
  const auto gen = generation_;
  auto finish = std::make_shared<std::function<void(bool)>>(std::move(done));
  connect_timer_.expires_after(timeout);
  connect_timer_.async_wait([this, gen](boost::system::error_code ec) {
    if (ec || gen != generation_ || open_) return;
    resolver_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);  // the pending connect completes with an error
  });
  resolver_.async_resolve(
      to.host, std::to_string(to.port),
      [this, gen, finish](boost::system::error_code ec, const tcp::resolver::results_type& endpoints) {
        if (gen != generation_) return;
        if (ec) {
          connect_timer_.cancel();
          (*finish)(false);
          return;
        }
        asio::async_connect(socket_, endpoints,
                            [this, gen, finish](boost::system::error_code cec, const tcp::endpoint&) {
                              if (gen != generation_) return;
                              connect_timer_.cancel();
                              if (cec) {
                                boost::system::error_code ignored;
                                socket_.close(ignored);
                                (*finish)(false);
                                return;
                              }
                              boost::system::error_code ignored;
                              socket_.set_option(tcp::no_delay(true), ignored);
                              socket_.set_option(asio::socket_base::keep_alive(true), ignored);
                              reader_.reset(redisReaderCreate());
                              open_ = true;
                              outstanding_ = 0;
                              last_reply_ = std::chrono::steady_clock::now();
                              read_more();
                              arm_stall_check();
                              (*finish)(true);
                            });
      });
}

bool RespConnection::send(const std::vector<std::string_view>& args) {
  if (!open_ || out_.size() >= limits_.max_queued || args.empty()) return false;
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  char* command = nullptr;
  const int n = redisFormatCommandArgv(&command, static_cast<int>(argv.size()), argv.data(), lengths.data());
  if (n < 0 || command == nullptr) return false;
  out_.emplace_back(command, static_cast<std::size_t>(n));
  redisFreeCommand(command);
  ++outstanding_;
  write_more();
  return true;
}

void RespConnection::write_more() {
  if (writing_ || out_.empty() || !open_) return;
  writing_ = true;
  const auto gen = generation_;
  asio::async_write(socket_, asio::buffer(out_.front()), [this, gen](boost::system::error_code ec, std::size_t) {
    if (gen != generation_) return;
    writing_ = false;
    if (ec) return fail();
    out_.pop_front();
    write_more();
  });
}

void RespConnection::read_more() {
  const auto gen = generation_;
  socket_.async_read_some(asio::buffer(in_), [this, gen](boost::system::error_code ec, std::size_t n) {
    if (gen != generation_) return;
    if (ec) return fail();
    if (redisReaderFeed(reader_.get(), in_.data(), n) != REDIS_OK) return fail();
    for (;;) {
      void* reply = nullptr;
      if (redisReaderGetReply(reader_.get(), &reply) != REDIS_OK) return fail();  // a protocol error
      if (reply == nullptr) break;
      std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(reply), freeReplyObject);
      if (outstanding_ > 0) --outstanding_;
      last_reply_ = std::chrono::steady_clock::now();
      on_reply_(*owned);
      if (gen != generation_) return;  // the handler closed us
    }
    read_more();
  });
}

void RespConnection::arm_stall_check() {
  const auto gen = generation_;
  stall_timer_.expires_after(limits_.stall_timeout / 3);
  stall_timer_.async_wait([this, gen](boost::system::error_code ec) {
    if (ec || gen != generation_ || !open_) return;
    if (outstanding_ > 0 && std::chrono::steady_clock::now() - last_reply_ > limits_.stall_timeout) return fail();
    arm_stall_check();
  });
}

void RespConnection::fail() {
  const bool was_open = open_;
  close();
  if (was_open && on_closed_) on_closed_();
}

void RespConnection::close() {
  ++generation_;
  open_ = false;
  writing_ = false;
  outstanding_ = 0;
  out_.clear();
  boost::system::error_code ignored;
  resolver_.cancel();
  connect_timer_.cancel();
  stall_timer_.cancel();
  socket_.close(ignored);
  reader_.reset();
}

}  // namespace hush::server::cluster
