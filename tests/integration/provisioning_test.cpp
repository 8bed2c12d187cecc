// The provisioning relay, per backend: a new device waiting on
// /v1/provisioning gets a random address, then exactly the bytes an
// authenticated device sent to it, then the close; an address works once;
// an unauthenticated sender cannot use it; sockets per client address are
// bounded; nothing of it reaches the log.
#include "harness.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <thread>

namespace hush::testing {
namespace {

constexpr const char* kProvisioningPath = "/v1/provisioning";

/// A new device's socket and the address the server gave it.
struct Waiting {
  std::unique_ptr<TestClient> socket;
  std::string address;
  std::int64_t expires_at_ms = 0;
};

std::optional<Waiting> open_provisioning(Harness& h, unsigned* status = nullptr) {
  Waiting w{h.client(), {}, 0};
  if (!w.socket->connect("", status, kProvisioningPath)) return std::nullopt;
  auto first = w.socket->read_raw();
  if (!first) return std::nullopt;
  pb::ProvisioningFrame frame;
  if (!frame.ParseFromString(*first) || !frame.has_address()) return std::nullopt;
  w.address = frame.address().address();
  w.expires_at_ms = frame.address().expires_at_ms();
  return w;
}

pb::ClientFrame provision_frame(const std::string& address, const std::string& ciphertext) {
  pb::ClientFrame f;
  f.mutable_provision_device()->set_address(address);
  f.mutable_provision_device()->set_ciphertext(ciphertext);
  return f;
}

/// Binary bytes with every value and some NULs, as a real ciphertext has.
std::string ciphertext(std::size_t n, std::uint64_t seed) {
  DeterministicRng rng(seed);
  std::string out(n, '\0');
  rng.fill(MutableByteView(reinterpret_cast<std::uint8_t*>(out.data()), out.size()));
  return out;
}

TEST_P(HushdProvisioning, RelaysExactlyTheBytesOfAnAuthenticatedDeviceOnce) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 121);
  ASSERT_TRUE(alice);
  auto a = h.online(*alice);
  ASSERT_TRUE(a);

  auto waiting = open_provisioning(h);
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->address.size(), 32u);
  EXPECT_EQ(waiting->address.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_GT(waiting->expires_at_ms, 0);
  auto other = open_provisioning(h);
  ASSERT_TRUE(other);
  EXPECT_NE(other->address, waiting->address);

  // Refused requests do not use the address up.
  auto r = a->call(provision_frame(waiting->address, std::string(64 * 1024 + 1, 'x')));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 400u);
  EXPECT_EQ(r->message(), "bad_length");
  r = a->call(provision_frame(waiting->address, ""));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 400u);
  r = a->call(provision_frame("not-an-address", "x"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 400u);
  r = a->call(provision_frame(std::string(32, 'a'), "x"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 404u) << "an address nobody waits at";

  const std::string secret = ciphertext(10'000, 7);
  r = a->call(provision_frame(waiting->address, secret));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  auto got = waiting->socket->read_raw();
  ASSERT_TRUE(got);
  pb::ProvisioningFrame frame;
  ASSERT_TRUE(frame.ParseFromString(*got));
  ASSERT_TRUE(frame.has_message());
  EXPECT_EQ(frame.message().ciphertext(), secret);
  EXPECT_TRUE(waiting->socket->wait_closed()) << "the socket closes after its message";
  EXPECT_FALSE(waiting->socket->read_raw(std::chrono::milliseconds(100)));

  r = a->call(provision_frame(waiting->address, "again"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 404u) << "an address is usable once";
  EXPECT_FALSE(other->socket->closed()) << "the other new device still waits";

  // Neither the address nor the ciphertext reaches the log.
  a->close();
  other->socket->close();
  h.hushd().stop();
  const std::string log = h.hushd().log();
  EXPECT_EQ(log.find(waiting->address), std::string::npos);
  EXPECT_EQ(log.find(to_hex(as_bytes(secret)).substr(0, 32)), std::string::npos);
  EXPECT_NE(log.find("event=provisioning_close"), std::string::npos);
}

TEST_P(HushdProvisioning, AnUnauthenticatedSenderCannotProvision) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 131);
  ASSERT_TRUE(alice);
  auto target = open_provisioning(h);
  ASSERT_TRUE(target);

  // No credentials: no /v1/ws at all.
  auto c = h.client();
  unsigned status = 0;
  EXPECT_FALSE(c->connect("", &status));
  EXPECT_EQ(status, 401u);
  // Another provisioning socket trying to send: it is closed, nothing forwarded.
  auto intruder = open_provisioning(h);
  ASSERT_TRUE(intruder);
  ASSERT_TRUE(intruder->socket->send_raw(provision_frame(target->address, "forged").SerializeAsString()));
  EXPECT_TRUE(intruder->socket->wait_closed());
  EXPECT_FALSE(target->socket->read_raw(std::chrono::milliseconds(500))) << "something reached the new device";
  EXPECT_FALSE(target->socket->closed());

  auto a = h.online(*alice);
  ASSERT_TRUE(a);
  auto r = a->call(provision_frame(target->address, "genuine"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  auto got = target->socket->read_raw();
  ASSERT_TRUE(got);
  pb::ProvisioningFrame frame;
  ASSERT_TRUE(frame.ParseFromString(*got));
  EXPECT_EQ(frame.message().ciphertext(), "genuine");
}

TEST_P(HushdProvisioning, BoundsSocketsPerClientAddress) {
  /// net::Limits::max_provisioning_per_address.
  constexpr int kPerAddress = 10;
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  std::vector<Waiting> open;
  for (int i = 0; i < kPerAddress; ++i) {
    auto w = open_provisioning(h);
    ASSERT_TRUE(w) << i;
    open.push_back(std::move(*w));
  }
  unsigned status = 0;
  EXPECT_FALSE(open_provisioning(h, &status));
  EXPECT_EQ(status, 429u);
  open.back().socket->close();
  open.pop_back();
  // The slot comes back once the server has seen the close.
  std::optional<Waiting> again;
  for (int attempt = 0; attempt < 50 && !again; ++attempt) {
    again = open_provisioning(h);
    if (!again) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(again);
  auto health = h.client()->http("GET", "/healthz");
  EXPECT_EQ(health.status, 200u) << "the server keeps serving";
}

}  // namespace
}  // namespace hush::testing
