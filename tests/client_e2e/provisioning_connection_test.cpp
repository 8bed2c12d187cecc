// The new device's provisioning socket against a scripted relay (a Beast
// WebSocket server on a loopback port): what hushd does at the ends of a
// socket's life that a real hushd can't be made to do in a test (its address
// lifetime is 10 minutes): expiry, a close before it, a dropped connection, a
// bad first frame, 429 on the upgrade; and the message, also after waits.
#include "../../client/src/net/provisioning_connection.hpp"

#include "service.pb.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include <functional>
#include <thread>

namespace hush::client::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
namespace pb = ::hush::service::v1;
using Ws = websocket::stream<tcp::socket>;
using namespace std::chrono_literals;

constexpr const char* kAddress = "0123456789abcdef0123456789abcdef";

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string address_frame(std::int64_t expires_at_ms, const std::string& address = kAddress) {
  pb::ProvisioningFrame f;
  f.mutable_address()->set_address(address);
  f.mutable_address()->set_expires_at_ms(expires_at_ms);
  return f.SerializeAsString();
}

std::string message_frame(const std::string& ciphertext) {
  pb::ProvisioningFrame f;
  f.mutable_message()->set_ciphertext(ciphertext);
  return f.SerializeAsString();
}

void send_frame(Ws& ws, const std::string& frame) {
  ws.binary(true);
  ws.write(asio::buffer(frame));
}

/// One connection on a loopback port, served by `script` on its own thread
/// (after the WebSocket handshake unless `refuse_with` is an HTTP status).
class FakeRelay {
 public:
  explicit FakeRelay(std::function<void(Ws&)> script, unsigned refuse_with = 0)
      : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this, script = std::move(script), refuse_with] {
      beast::error_code ec;
      tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec) return;
      if (refuse_with != 0) {
        beast::flat_buffer buffer;
        http::request<http::string_body> req;
        http::read(socket, buffer, req, ec);
        http::response<http::string_body> res{static_cast<http::status>(refuse_with), req.version()};
        res.prepare_payload();
        http::write(socket, res, ec);
        socket.close(ec);
        return;
      }
      Ws ws(std::move(socket));
      ws.accept(ec);
      if (ec) return;
      try {
        script(ws);
      } catch (const std::exception&) {
        // the client went away: the script is over
      }
    });
  }
  ~FakeRelay() { thread_.join(); }
  FakeRelay(const FakeRelay&) = delete;
  FakeRelay& operator=(const FakeRelay&) = delete;

  [[nodiscard]] ServerUrl url() const {
    return ServerUrl{false, "127.0.0.1", acceptor_.local_endpoint().port()};
  }

 private:
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

/// Reads until the client's close (or any error), answering it.
void drain(Ws& ws) {
  beast::flat_buffer b;
  beast::error_code ec;
  while (!ec) ws.read(b, ec);
}

TEST(ProvisioningConnection, DeliversTheMessageAfterEmptyWaits) {
  FakeRelay relay([](Ws& ws) {
    send_frame(ws, address_frame(wall_ms() + 600'000));
    std::this_thread::sleep_for(300ms);
    send_frame(ws, message_frame("sealed bytes"));
    ws.close(websocket::close_code::normal);
    drain(ws);
  });
  ProvisioningConnection c(relay.url(), {});
  auto a = c.open(5s);
  ASSERT_TRUE(a) << errc_name(a.code());
  EXPECT_EQ(a->address, kAddress);
  auto none = c.wait_message(50ms);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);  // nothing yet: still open
  auto got = c.wait_message(5s);
  ASSERT_TRUE(got) << errc_name(got.code());
  ASSERT_TRUE(*got);
  EXPECT_EQ(std::string((*got)->begin(), (*got)->end()), "sealed bytes");
  EXPECT_EQ(c.wait_message(0ms).code(), Errc::network_failure);  // one message per socket
  c.close();
}

TEST(ProvisioningConnection, CloseAtTheAddressLifetimeIsExpiry) {
  FakeRelay relay([](Ws& ws) {
    send_frame(ws, address_frame(wall_ms() + 400));
    std::this_thread::sleep_for(400ms);
    ws.close(websocket::close_code::going_away);  // what hushd does when the lifetime ends
    drain(ws);
  });
  ProvisioningConnection c(relay.url(), {});
  ASSERT_TRUE(c.open(5s));
  auto r = c.wait_message(5s);
  EXPECT_EQ(r.code(), Errc::not_found);
  EXPECT_STREQ(r.error().context, "link code expired");
}

TEST(ProvisioningConnection, GoingAwayLongBeforeTheLifetimeIsTheRelayClosing) {
  FakeRelay relay([](Ws& ws) {
    send_frame(ws, address_frame(wall_ms() + 600'000));
    ws.close(websocket::close_code::going_away);  // hushd shutting down
    drain(ws);
  });
  ProvisioningConnection c(relay.url(), {});
  ASSERT_TRUE(c.open(5s));
  auto r = c.wait_message(5s);
  EXPECT_EQ(r.code(), Errc::network_failure);
  EXPECT_STREQ(r.error().context, "provisioning socket closed");
}

TEST(ProvisioningConnection, DroppedConnectionIsNetworkFailure) {
  FakeRelay relay([](Ws& ws) {
    send_frame(ws, address_frame(wall_ms() + 600'000));
    beast::error_code ec;
    ws.next_layer().close(ec);  // no close frame
  });
  ProvisioningConnection c(relay.url(), {});
  ASSERT_TRUE(c.open(5s));
  EXPECT_EQ(c.wait_message(5s).code(), Errc::network_failure);
}

TEST(ProvisioningConnection, MalformedFramesAreRefused) {
  {
    FakeRelay relay([](Ws& ws) {
      send_frame(ws, address_frame(wall_ms() + 600'000, "NOT-HEX-NOT-HEX-NOT-HEX-NOT-HEX!"));
      drain(ws);
    });
    ProvisioningConnection c(relay.url(), {});
    EXPECT_EQ(c.open(5s).code(), Errc::invalid_message);
  }
  {
    FakeRelay relay([](Ws& ws) {
      send_frame(ws, message_frame("a message before any address"));
      drain(ws);
    });
    ProvisioningConnection c(relay.url(), {});
    EXPECT_EQ(c.open(5s).code(), Errc::invalid_message);
  }
  {
    FakeRelay relay([](Ws& ws) {
      send_frame(ws, address_frame(wall_ms() + 600'000));
      send_frame(ws, address_frame(wall_ms() + 600'000));  // a second address, not a message
      drain(ws);
    });
    ProvisioningConnection c(relay.url(), {});
    ASSERT_TRUE(c.open(5s));
    EXPECT_EQ(c.wait_message(5s).code(), Errc::invalid_message);
  }
}

TEST(ProvisioningConnection, TooManySocketsIsRateLimited) {
  FakeRelay relay([](Ws&) {}, 429);
  ProvisioningConnection c(relay.url(), {});
  EXPECT_EQ(c.open(5s).code(), Errc::rate_limited);
}

TEST(ProvisioningConnection, SilentRelayTimesOutTheAddress) {
  FakeRelay relay([](Ws& ws) { drain(ws); });  // never sends the address
  ProvisioningConnection c(relay.url(), {});
  EXPECT_EQ(c.open(300ms).code(), Errc::timeout);
}

}  // namespace
}  // namespace hush::client::net
