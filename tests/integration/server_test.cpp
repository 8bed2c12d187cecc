// hushd as a process: TLS and the plain-TCP rule, /healthz and /metrics,
// registration, and bad input (garbage on the TLS port, oversized frames,
// malformed protobuf, unknown requests, wrong credentials), each of which
// gets an error or a closed connection while other clients keep working.
#include "hushd_process.hpp"
#include "test_account.hpp"
#include "test_client.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::testing {
namespace {

class HushdServer : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(hushd_.start()) << hushd_.log(); }
  TestClient client() { return TestClient(hushd_.host(), hushd_.port(), hushd_.cert_file()); }
  std::optional<TestDevice> register_user(const std::string& name, std::uint64_t seed) {
    DeterministicRng rng(seed);
    const auto identity = crypto::KeyPair::generate(rng);
    TestClient c = client();
    return register_device(c, make_register_request(name, identity, 1000 + static_cast<std::uint32_t>(seed), rng));
  }
  /// A request every healthy server answers: proves it still serves others.
  void expect_serving(const TestDevice& device) {
    TestClient c = client();
    ASSERT_TRUE(c.connect(device.authorization()));
    pb::ClientFrame f;
    f.mutable_list_devices();
    auto r = c.call(f);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status(), 200u);
  }
  HushdProcess hushd_;
};

TEST_F(HushdServer, ServesHealthzAndMetricsOverTls) {
  TestClient c = client();
  auto health = c.http("GET", "/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.body, "ok\n");
  // /metrics is not served on the client port (issue #13): its counters
  // would tell the public when single events happen.
  EXPECT_EQ(c.http("GET", "/metrics").status, 404u);
  const std::string metrics = hushd_.metrics();
  EXPECT_NE(metrics.find("hushd_connections_open"), std::string::npos);
  EXPECT_NE(metrics.find("hushd_service_call_seconds_bucket"), std::string::npos);
  EXPECT_EQ(c.http("GET", "/nope").status, 404u);
  EXPECT_EQ(c.http("POST", "/healthz").status, 405u);
  EXPECT_FALSE(hushd_.fingerprint().empty());
}

/// The value of gauge or counter `name` in a Prometheus text body (-1: absent).
long long metric_value(const std::string& body, const std::string& name) {
  const auto at = body.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(body.substr(at + name.size() + 2));
}

// The WebSocket session runs on after the HTTP coroutines that accepted it
// have ended: it still counts as an open connection (the connection limit
// and graceful shutdown rely on that gauge) and it keeps being served.
TEST_F(HushdServer, WebSocketStaysCountedAsOpenAfterTheUpgrade) {
  auto hana = register_user("hana", 9);
  ASSERT_TRUE(hana.has_value());
  TestClient held = client();
  ASSERT_TRUE(held.connect(hana->authorization()));
  TestClient c = client();
  ASSERT_EQ(c.http("GET", "/healthz").status, 200u);  // a second TLS connection, closed again
  const struct {
    std::string body;
  } metrics{hushd_.metrics()};
  EXPECT_GE(metric_value(metrics.body, "hushd_connections_open"), 1) << metrics.body;  // the WebSocket
  // Both connections negotiated ChaCha20-Poly1305 (hushd's preference) and
  // left their records to TlsSocketStream.
  EXPECT_GE(metric_value(metrics.body, "hushd_tls_records_handed_off_total"), 2) << metrics.body;
  pb::ClientFrame f;
  f.mutable_list_devices();
  auto r = held.call(f);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status(), 200u);
}

TEST(HushdPlainTcp, AllowedOnlyOnLoopback) {
  HushdOptions everywhere;
  everywhere.plain_tcp = true;
  everywhere.listen = "0.0.0.0:0";
  HushdProcess open_to_all(everywhere);
  EXPECT_FALSE(open_to_all.start());
  EXPECT_NE(open_to_all.log().find("plain TCP is allowed only on a loopback address"), std::string::npos)
      << open_to_all.log();

  HushdOptions plain;
  plain.plain_tcp = true;
  HushdProcess loopback(plain);
  ASSERT_TRUE(loopback.start()) << loopback.log();
  TestClient c(loopback.host(), loopback.port(), "");
  EXPECT_EQ(c.http("GET", "/healthz").status, 200u);
}

TEST_F(HushdServer, RegistersAnAccountOnce) {
  DeterministicRng rng(1);
  const auto identity = crypto::KeyPair::generate(rng);
  TestClient c = client();
  unsigned status = 0;
  auto alice = register_device(c, make_register_request("Alice", identity, 42, rng), &status);
  ASSERT_TRUE(alice.has_value()) << status;
  EXPECT_EQ(alice->account_id.size(), 16u);
  EXPECT_EQ(alice->device_id, 1u);
  EXPECT_EQ(alice->credential.size(), 32u);

  // Usernames compare case-insensitively.
  EXPECT_FALSE(register_device(c, make_register_request("alice", identity, 43, rng), &status));
  EXPECT_EQ(status, 409u);
  expect_serving(*alice);
}

TEST_F(HushdServer, RefusesBadRegistrationsWithoutStoringAnything) {
  DeterministicRng rng(2);
  const auto identity = crypto::KeyPair::generate(rng);
  TestClient c = client();

  auto forged = make_register_request("bob", identity, 7, rng);
  forged.mutable_signed_pre_key()->mutable_signature()->at(5) ^= 1;
  auto res = c.http("POST", "/v1/register", forged.SerializeAsString());
  EXPECT_EQ(res.status, 422u);
  EXPECT_EQ(http_error_message(res.body), "bad_signature");

  res = c.http("POST", "/v1/register", "\xff\xff\xff not protobuf");
  EXPECT_EQ(res.status, 400u);

  res = c.http("POST", "/v1/register", std::string(200 * 1024, 'x'));
  EXPECT_TRUE(res.status == 413u || res.status == 0u) << res.status;  // answered or cut

  auto bad_name = make_register_request("9lives", identity, 7, rng);
  EXPECT_EQ(c.http("POST", "/v1/register", bad_name.SerializeAsString()).status, 400u);

  // Nothing was stored: the name is still free.
  unsigned status = 0;
  EXPECT_TRUE(register_device(c, make_register_request("bob", identity, 7, rng), &status)) << status;
}

TEST_F(HushdServer, RefusesWrongCredentials) {
  auto carol = register_user("carol", 3);
  ASSERT_TRUE(carol.has_value());
  TestClient c = client();
  unsigned status = 0;
  auto wrong = *carol;
  wrong.credential[0] ^= 1;
  EXPECT_FALSE(c.connect(wrong.authorization(), &status));
  EXPECT_EQ(status, 401u);
  auto other_device = *carol;
  other_device.device_id = 2;
  EXPECT_FALSE(c.connect(other_device.authorization(), &status));
  EXPECT_EQ(status, 401u);
  EXPECT_FALSE(c.connect("Basic !!!not base64!!!", &status));
  EXPECT_EQ(status, 401u);
  EXPECT_FALSE(c.connect("", &status));
  EXPECT_EQ(status, 401u);
  expect_serving(*carol);
}

TEST_F(HushdServer, GarbageOnTheTlsPortClosesOnlyThatConnection) {
  auto dave = register_user("dave", 4);
  ASSERT_TRUE(dave.has_value());
  TestClient held = client();
  ASSERT_TRUE(held.connect(dave->authorization()));

  auto garbage = raw_tcp_exchange(hushd_.host(), hushd_.port(), std::string(300, '\x17') + "GET / HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(garbage.peer_closed);
  auto plain_http = raw_tcp_exchange(hushd_.host(), hushd_.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(plain_http.peer_closed);
  EXPECT_EQ(plain_http.received.find("200 OK"), std::string::npos);

  pb::ClientFrame f;
  f.mutable_pre_key_count();
  auto r = held.call(f);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status(), 200u);
  expect_serving(*dave);
}

TEST_F(HushdServer, OversizedFrameClosesTheConnection) {
  auto erin = register_user("erin", 5);
  ASSERT_TRUE(erin.has_value());
  TestClient big = client();
  ASSERT_TRUE(big.connect(erin->authorization()));
  big.send_raw(std::string(600 * 1024, 'a'));  // above the 512 KiB frame limit
  EXPECT_TRUE(big.wait_closed());
  expect_serving(*erin);
}

TEST_F(HushdServer, MalformedAndUnknownFramesGetErrors) {
  auto frank = register_user("frank", 6);
  ASSERT_TRUE(frank.has_value());
  TestClient c = client();
  ASSERT_TRUE(c.connect(frank->authorization()));

  ASSERT_TRUE(c.send_raw("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff garbage"));
  auto f = c.read_frame();
  ASSERT_TRUE(f.has_value());
  ASSERT_TRUE(f->has_response());
  EXPECT_EQ(f->response().status(), 400u);
  EXPECT_EQ(f->response().message(), "decode_error");

  pb::ClientFrame unknown;  // only an id, plus a field from the future (99)
  unknown.set_id(77);
  std::string bytes = unknown.SerializeAsString() + std::string("\x9a\x06\x02hi", 5);
  ASSERT_TRUE(c.send_raw(bytes));
  f = c.read_frame();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->response().id(), 77u);
  EXPECT_EQ(f->response().status(), 400u);
  EXPECT_EQ(f->response().message(), "unknown_request");

  // The same connection still works.
  pb::ClientFrame ok;
  ok.mutable_list_devices();
  auto r = c.call(ok);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status(), 200u);
  EXPECT_EQ(r->devices().devices_size(), 1);
}

TEST_F(HushdServer, ShutsDownGracefullyOnSigterm) {
  auto gina = register_user("gina", 7);
  ASSERT_TRUE(gina.has_value());
  TestClient c = client();
  ASSERT_TRUE(c.connect(gina->authorization()));
  EXPECT_EQ(hushd_.stop(), 0) << hushd_.log();
  EXPECT_TRUE(c.wait_closed());
  EXPECT_NE(hushd_.log().find("event=stopped"), std::string::npos);
}

TEST_F(HushdServer, LogsNeverContainCredentials) {
  auto hank = register_user("hank", 8);
  ASSERT_TRUE(hank.has_value());
  TestClient c = client();
  ASSERT_TRUE(c.connect(hank->authorization()));
  c.close();
  hushd_.stop();
  const std::string log = hushd_.log();
  const std::string auth = hank->authorization();
  EXPECT_EQ(log.find(auth.substr(6)), std::string::npos);
  EXPECT_EQ(log.find(to_hex(as_bytes(hank->credential))), std::string::npos);
}

}  // namespace
}  // namespace hush::testing
