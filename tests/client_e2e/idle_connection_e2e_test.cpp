// A client left idle longer than hushd's WebSocket idle timeout (the SDK runs
// no thread, so nobody answers hushd's pings meanwhile and hushd closes the
// connection): its next send and its next receive open a new connection
// instead of failing with "connection closed". Found by the canary test in
// CI, where scanning the server's files kept clients idle for minutes.
#include "sdk_fixture.hpp"

#include <hush/client/client.hpp>

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace hush::client {
namespace {

using namespace std::chrono_literals;

class IdleConnection : public testing::SdkFixture {
 protected:
  IdleConnection() : SdkFixture("hush-idle") {}
  void configure(testing::HushdOptions& o) override { o.config_toml = "ws_idle_timeout_seconds = 2\n"; }
};

TEST_F(IdleConnection, SendAndReceiveAfterHushdClosedAnIdleConnection) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "before"));
  auto first = receive_n(bob, 1);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(alice.connected());
  ASSERT_TRUE(bob.connected());

  std::this_thread::sleep_for(4s);  // twice hushd's idle timeout, nobody calling in

  auto sent = alice.send_text("bob", "after the idle spell");
  ASSERT_TRUE(sent) << errc_name(sent.code()) << " " << sent.error().context;
  auto got = bob.receive(5s);
  ASSERT_TRUE(got) << errc_name(got.code()) << " " << got.error().context;
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(text(got->front()), "after the idle spell");
}

TEST_F(IdleConnection, AReceiveWithNothingNewAfterTheIdleSpellIsEmptyNotAnError) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "hello"));
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  std::this_thread::sleep_for(4s);
  auto got = bob.receive(1s);
  ASSERT_TRUE(got) << errc_name(got.code()) << " " << got.error().context;
  EXPECT_TRUE(got->empty());
}

}  // namespace
}  // namespace hush::client
