// hushd's abuse limits as a hostile client meets them (issue #13, item 3):
// one requester cannot drain a victim's one-time pre-keys and the victim is
// told when they run low; bundle fetches are rate-limited; connections per
// account and per address are capped; half a WebSocket message is not
// parked on a connection while pings keep it alive.
#include "harness.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

namespace hush::testing {
namespace {

pb::ClientFrame fetch_frame(const TestDevice& target) {
  pb::ClientFrame f;
  f.mutable_fetch_bundles()->set_account_id(target.account_id);
  return f;
}

std::int64_t metric(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const auto at = text.find(key);
  return at == std::string::npos ? -1 : std::stoll(text.substr(at + key.size()));
}

// Attack: 101 fetches in 0.1 s drained a victim's one-time pre-keys, so
// every new session with the victim went without one.
TEST(HushdAbuseLimits, OneRequesterGetsOneOneTimeKeyPerDeviceAndTheVictimIsToldWhenLow) {
  Harness h("sqlite");
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto victim = h.register_user("victim", 1, 5);
  auto mallory = h.register_user("mallory", 2);
  auto carol = h.register_user("carol", 3);
  ASSERT_TRUE(victim && mallory && carol);
  auto victim_ws = h.online(*victim);
  auto m = h.online(*mallory);
  auto c = h.online(*carol);
  ASSERT_TRUE(victim_ws && m && c);

  std::set<std::uint32_t> handed_out;
  for (int i = 0; i < 10; ++i) {
    auto r = m->call(fetch_frame(victim->device));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u);
    ASSERT_EQ(r->bundles().bundles_size(), 1);
    const auto& b = r->bundles().bundles(0);
    EXPECT_TRUE(b.has_signed_pre_key()) << "the bundle is still served";
    if (b.has_one_time_pre_key()) handed_out.insert(b.one_time_pre_key().id());
  }
  EXPECT_EQ(handed_out.size(), 1u) << "one one-time key per requester and device within the window";

  // Another requester still gets a fresh one, never the same key.
  auto r = c->call(fetch_frame(victim->device));
  ASSERT_TRUE(r && r->status() == 200u);
  ASSERT_TRUE(r->bundles().bundles(0).has_one_time_pre_key());
  EXPECT_EQ(handed_out.count(r->bundles().bundles(0).one_time_pre_key().id()), 0u);

  // Each take left the victim under the low-water mark (20): it was told.
  int notices = 0;
  while (notices < 2) {
    auto frame = victim_ws->read_frame(10s);
    if (!frame) break;
    if (frame->has_pre_keys_low()) {
      ++notices;
      EXPECT_LE(frame->pre_keys_low().count(), 4u);
    }
  }
  EXPECT_EQ(notices, 2);

  auto count = victim_ws->call(pre_key_count_frame());
  ASSERT_TRUE(count && count->status() == 200u);
  EXPECT_EQ(count->pre_key_count().count(), 3u) << "two of five taken, not all";
  const std::string metrics = h.hushd().metrics();
  EXPECT_EQ(metric(metrics, "hushd_one_time_pre_keys_withheld_total"), 9) << metrics;
  EXPECT_EQ(metric(metrics, "hushd_pre_keys_low_notices_total"), 2) << metrics;
}

TEST(HushdAbuseLimits, BundleFetchesAreRateLimitedPerRequester) {
  Harness h("sqlite", "bundle_fetch_burst = 3\nbundle_fetch_per_second = 0.001\n");
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto victim = h.register_user("victim", 1);
  auto mallory = h.register_user("mallory", 2);
  auto carol = h.register_user("carol", 3);
  ASSERT_TRUE(victim && mallory && carol);
  auto m = h.online(*mallory);
  auto c = h.online(*carol);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(m->call(fetch_frame(victim->device))->status(), 200u);
  auto refused = m->call(fetch_frame(victim->device));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status(), 429u);
  EXPECT_EQ(refused->message(), "rate_limited");
  EXPECT_EQ(c->call(fetch_frame(victim->device))->status(), 200u) << "others are not slowed";
  EXPECT_EQ(metric(h.hushd().metrics(), "hushd_bundle_fetches_limited_total"), 1);
}

TEST(HushdAbuseLimits, UsernameLookupsAreRateLimitedPerAccount) {
  Harness h("sqlite", "lookup_burst = 2\nlookup_per_minute = 0.001\n");
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto mallory = h.register_user("mallory", 2);
  ASSERT_TRUE(mallory);
  auto m = h.online(*mallory);
  for (const char* name : {"alice", "bob"}) {
    pb::ClientFrame f;
    f.mutable_lookup_username()->set_username(name);
    EXPECT_EQ(m->call(f)->status(), 404u);
  }
  pb::ClientFrame f;
  f.mutable_lookup_username()->set_username("mallory");
  EXPECT_EQ(m->call(f)->status(), 429u);
}

TEST(HushdAbuseLimits, SessionsPerAccountAreCapped) {
  Harness h("sqlite", "max_connections_per_account = 2\n");
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 1);
  auto bob = h.register_user("bob", 2);
  ASSERT_TRUE(alice && bob);
  auto a1 = h.online(*alice);
  auto a2 = h.online(*alice);
  ASSERT_TRUE(a1 && a2);
  auto a3 = h.client();
  unsigned status = 0;
  EXPECT_FALSE(a3->connect(alice->device.authorization(), &status));
  EXPECT_EQ(status, 429u) << "a third session of the account";
  EXPECT_TRUE(h.online(*bob)) << "another account is not affected";
  EXPECT_EQ(metric(h.hushd().metrics(), "hushd_account_connections_refused_total"), 1);
  // A slot comes back when its session ends.
  a1->close();
  a1.reset();
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = h.online(*alice) != nullptr;
    if (!back) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(back);
}

TEST(HushdAbuseLimits, ConnectionsPerAddressAreCapped) {
  Harness h("sqlite", "max_connections_per_address = 2\n");
  ASSERT_TRUE(h.start()) << h.hushd().log();
  // Two sockets from 127.0.0.1 that stay open fill its slots.
  auto held1 = h.client();
  auto held2 = h.client();
  ASSERT_TRUE(held1->connect("", nullptr, "/v1/provisioning"));
  ASSERT_TRUE(held2->connect("", nullptr, "/v1/provisioning"));
  EXPECT_EQ(h.client()->http("GET", "/healthz").status, 0u) << "closed at accept";
  auto elsewhere = h.client();
  elsewhere->set_source_address("127.0.9.1");
  EXPECT_EQ(elsewhere->http("GET", "/healthz").status, 200u) << "another address is not affected";
  EXPECT_GE(metric(h.hushd().metrics(), "hushd_address_connections_refused_total"), 1);
  held1->close();
  held1.reset();
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = h.client()->http("GET", "/healthz").status == 200u;
    if (!back) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(back) << "a slot comes back when its connection ends";
}

/// A WebSocket over plain TCP by hand, so the test can send half a message.
class RawWebSocket {
 public:
  RawWebSocket(const std::string& host, std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawWebSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawWebSocket(const RawWebSocket&) = delete;
  RawWebSocket& operator=(const RawWebSocket&) = delete;

  bool upgrade(const std::string& authorization) {
    const std::string req = "GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                            "Authorization: " +
                            authorization + "\r\n\r\n";
    if (!send(req)) return false;
    std::string got;
    char c = 0;
    while (got.find("\r\n\r\n") == std::string::npos && ::recv(fd_, &c, 1, 0) == 1) got.push_back(c);
    return got.rfind("HTTP/1.1 101", 0) == 0;
  }
  bool send(const std::string& bytes) {
    return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  /// Reads and discards what the server sends for up to `wait`; false once
  /// the server closed the connection.
  bool alive_after(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return true;
    char buf[512];
    return ::recv(fd_, buf, sizeof buf, 0) > 0;
  }

 private:
  int fd_ = -1;
};

// Attack: one account filled a victim's mailbox (10,000 envelopes in 9 s),
// after which every other sender got 507 and every group message naming the
// victim failed for all its members.
TEST(HushdAbuseLimits, AHostileSenderFillsOnlyItsShareOfAMailboxAndEveryoneElseStillGetsThrough) {
  Harness h("sqlite", "sender_share = 20\nqueue_cap = 100\n");
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto victim = h.register_user("victim", 21);
  auto mallory = h.register_user("mallory", 22);
  auto carol = h.register_user("carol", 23);
  auto dave = h.register_user("dave", 24);
  ASSERT_TRUE(victim && mallory && carol && dave);
  auto m = h.online(*mallory);
  auto c = h.online(*carol);
  auto d = h.online(*dave);
  ASSERT_TRUE(m && c && d);

  // Mallory sends until refused: exactly its share is stored.
  int stored = 0;
  std::optional<pb::Response> r;
  for (int i = 0; i < 40; ++i) {
    r = m->call(send_frame(victim->device, message_id(static_cast<char>('A' + i)), "hostile"));
    ASSERT_TRUE(r);
    if (r->status() != 200u) break;
    ++stored;
  }
  EXPECT_EQ(stored, 20);
  EXPECT_EQ(r->status(), 507u) << "an old client (no `partial`) is refused whole, as before";
  EXPECT_EQ(r->message(), "quota_exceeded");

  // A client that asks for partial sends learns which copy was refused and why.
  auto partial = send_frame(victim->device, message_id('p'), "hostile");
  partial.mutable_send_message()->set_partial(true);
  r = m->call(partial);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u);
  ASSERT_EQ(r->send_message().refused_size(), 1);
  EXPECT_EQ(r->send_message().refused(0).account(), victim->device.account_id);
  EXPECT_EQ(r->send_message().refused(0).device_id(), 1u);
  EXPECT_EQ(r->send_message().refused(0).reason(), "share_full");

  // Everyone else still reaches the victim: 1:1 and in a group fan-out.
  r = c->call(send_frame(victim->device, message_id('c'), "hello"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u);
  r = d->call(send_multi_frame({&victim->device, &carol->device}, message_id('g'), "group"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u);
  // Mallory's own fan-out naming the victim still reaches carol.
  auto multi = send_multi_frame({&victim->device, &carol->device}, message_id('h'), "group");
  multi.mutable_send_multi()->set_partial(true);
  r = m->call(multi);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u);
  ASSERT_EQ(r->send_message().refused_size(), 1);
  EXPECT_EQ(r->send_message().refused(0).account(), victim->device.account_id);

  // The victim's queue: mallory's share, carol's and dave's; carol's: both fan-outs.
  auto v = h.online(*victim);
  ASSERT_TRUE(v);
  std::map<std::string, int> from;
  for (int i = 0; i < 22; ++i) {
    auto e = v->next_envelope(10s);
    ASSERT_TRUE(e) << "envelope " << i;
    ++from[e->sender_account()];
  }
  EXPECT_FALSE(v->next_envelope(500ms)) << "nothing beyond the share";
  EXPECT_EQ(from[mallory->device.account_id], 20);
  EXPECT_EQ(from[carol->device.account_id], 1);
  EXPECT_EQ(from[dave->device.account_id], 1);
  EXPECT_EQ(h.database_scalar("SELECT COUNT(*) FROM queue"), 24);
  EXPECT_EQ(metric(h.hushd().metrics(), "hushd_mailbox_share_refused_total"), 3);
}

// Attack: the first fragment of a message, then pings forever: the
// connection stayed open (pings count as traffic) holding the message buffer.
TEST(HushdAbuseLimits, HalfAMessageIsDroppedAfterTheReadDeadlineEvenWithPings) {
  HushdOptions o;
  o.plain_tcp = true;
  o.config_toml = "frame_read_timeout_seconds = 2\n";
  HushdProcess hushd(o);
  ASSERT_TRUE(hushd.start()) << hushd.log();
  TestClient c(hushd.host(), hushd.port(), "");
  DeterministicRng rng(5);
  const auto identity = crypto::KeyPair::generate(rng);
  auto device = register_device(c, make_register_request("parker", identity, 9, rng));
  ASSERT_TRUE(device);

  RawWebSocket ws(hushd.host(), hushd.port());
  ASSERT_TRUE(ws.upgrade(device->authorization()));
  // A binary message's first fragment (FIN clear), masked with a zero key.
  std::string fragment = {'\x02', static_cast<char>(0x80 | 10), 0, 0, 0, 0};
  fragment += std::string(10, 'x');
  ASSERT_TRUE(ws.send(fragment));
  const std::string ping = {static_cast<char>(0x89), static_cast<char>(0x80), 0, 0, 0, 0};
  bool closed = false;
  const auto give_up = std::chrono::steady_clock::now() + 20s;  // the server's idle timeout is 60 s
  while (!closed && std::chrono::steady_clock::now() < give_up) {
    ws.send(ping);
    closed = !ws.alive_after(300ms);
  }
  EXPECT_TRUE(closed) << "half a message kept the connection open";
  EXPECT_EQ(metric(hushd.metrics(), "hushd_partial_frame_timeouts_total"), 1);
}

}  // namespace
}  // namespace hush::testing
