// WriteCoalescer (server/src/net/write_coalescer.hpp) over a loopback TCP
// connection, in process: held writes leave in one transport write and in
// order, a write with nothing held goes out at once, gathering is bounded,
// and teardown writes what gathered before closing. No timing involved: one
// io_context, one coroutine, counts of the transport's writes.
#include "net/write_coalescer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <gtest/gtest.h>

#include <string>

namespace hush::server::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

/// A transport that counts the writes it is asked for.
struct CountingStream {
  using executor_type = beast::tcp_stream::executor_type;
  beast::tcp_stream inner;
  int* writes;
  executor_type get_executor() { return inner.get_executor(); }
  template <class Buffers, class Token>
  auto async_read_some(const Buffers& b, Token&& t) {
    return inner.async_read_some(b, std::forward<Token>(t));
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& b, Token&& t) {
    ++*writes;
    return inner.async_write_some(b, std::forward<Token>(t));
  }
  template <class Handler>
  friend void async_teardown(beast::role_type role, CountingStream& s, Handler&& h) {
    using beast::websocket::async_teardown;
    async_teardown(role, s.inner, std::forward<Handler>(h));
  }
};

using Coalescer = WriteCoalescer<CountingStream>;

/// A connected pair on loopback: `server` wrapped, `client` plain.
struct Pair {
  asio::io_context ioc;
  int writes = 0;
  tcp::socket client{ioc};
  std::unique_ptr<Coalescer> server;

  Pair() {
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client.connect(acceptor.local_endpoint());
    server = std::make_unique<Coalescer>(CountingStream{beast::tcp_stream(acceptor.accept()), &writes});
  }
  /// Runs `body` as a coroutine to completion.
  template <class Body>
  void run(Body body) {
    bool finished = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
          co_await body();
          finished = true;
        },
        asio::detached);
    ioc.run();
    EXPECT_TRUE(finished);
  }
  std::string read_exactly(std::size_t n) {
    std::string out(n, '\0');
    asio::read(client, asio::buffer(out));
    return out;
  }
};

std::string frame(int i) { return "frame " + std::to_string(i) + ";"; }

TEST(WriteCoalescer, HeldWritesLeaveInOneTransportWriteInOrder) {
  Pair p;
  std::string expected;
  int writes_while_held = -1;
  p.run([&]() -> asio::awaitable<void> {
    p.server->hold(true);
    for (int i = 0; i < 100; ++i) {
      const std::string f = frame(i);
      expected += f;
      co_await p.server->async_write_some(asio::buffer(f), asio::use_awaitable);
    }
    writes_while_held = p.writes;
    p.server->hold(false);
  });
  EXPECT_EQ(writes_while_held, 0) << "held writes went out one by one";
  EXPECT_EQ(p.writes, 1);
  EXPECT_EQ(p.read_exactly(expected.size()), expected);
}

TEST(WriteCoalescer, AWriteWithNothingHeldGoesOutAtOnce) {
  Pair p;
  p.run([&]() -> asio::awaitable<void> {
    co_await p.server->async_write_some(asio::buffer(std::string("alone")), asio::use_awaitable);
  });
  EXPECT_EQ(p.writes, 1);
  EXPECT_EQ(p.read_exactly(5), "alone");
}

TEST(WriteCoalescer, GatheringIsBoundedWhileHeld) {
  Pair p;
  std::string expected;
  p.run([&]() -> asio::awaitable<void> {
    p.server->hold(true);
    const std::string chunk(4096, 'x');
    for (std::size_t sent = 0; sent <= 2 * Coalescer::kMaxPending; sent += chunk.size()) {
      expected += chunk;
      co_await p.server->async_write_some(asio::buffer(chunk), asio::use_awaitable);
    }
    p.server->hold(false);
  });
  EXPECT_GE(p.writes, 2) << "more than kMaxPending gathered while held";
  EXPECT_EQ(p.read_exactly(expected.size()), expected);
}

TEST(WriteCoalescer, TeardownWritesWhatGatheredFirst) {
  Pair p;
  std::string expected;
  p.run([&]() -> asio::awaitable<void> {
    p.server->hold(true);
    for (int i = 0; i < 10; ++i) {
      expected += frame(i);
      co_await p.server->async_write_some(asio::buffer(frame(i)), asio::use_awaitable);
    }
    // The peer's FIN ends Beast's TCP teardown (it reads until EOF).
    p.client.shutdown(tcp::socket::shutdown_send);
    co_await asio::async_initiate<const asio::use_awaitable_t<>, void(boost::system::error_code)>(
        [&](auto handler) { async_teardown(beast::role_type::server, *p.server, std::move(handler)); },
        asio::use_awaitable);
  });
  EXPECT_EQ(p.read_exactly(expected.size()), expected);
  char extra = 0;
  boost::system::error_code ec;
  p.client.read_some(asio::buffer(&extra, 1), ec);
  EXPECT_EQ(ec, asio::error::eof) << "the server did not close after what it had";
}

}  // namespace
}  // namespace hush::server::net
