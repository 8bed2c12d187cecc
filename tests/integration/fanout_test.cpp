// Group fan-out through real hushd processes (send_multi, issue #7): one
// message to a 100-member group is stored once — measured in the database
// beside the running server — and reaches every member, online or not;
// stale device sets of several accounts are answered in one 409 and store
// nothing; the sender's own other devices are reachable, the sending device
// never; bad input is refused and changes nothing. Runs per backend.
#include "harness.hpp"

#include <cstdio>
#include <map>
#include <set>

namespace hush::testing {
namespace {

constexpr const char* kCountBodies = "SELECT COUNT(*) FROM bodies";
constexpr const char* kBodyBytes = "SELECT COALESCE(SUM(LENGTH(content)), 0) FROM bodies";
constexpr const char* kCountQueue = "SELECT COUNT(*) FROM queue";

/// The value of an unlabelled counter in /metrics text, or -1.
std::int64_t metric(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const auto at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size()));
}

void expect_envelope(TestClient& c, const Party& sender, const std::string& id, const std::string& body,
                     const std::string& who) {
  auto e = c.next_envelope(10s);
  ASSERT_TRUE(e) << who << " got nothing";
  EXPECT_EQ(e->content(), body) << who;
  EXPECT_EQ(e->type(), 7u) << who;
  EXPECT_EQ(e->message_id(), id) << who;
  EXPECT_EQ(e->sender_account(), sender.device.account_id) << who;
  EXPECT_EQ(e->sender_device(), sender.device.device_id) << who;
  auto acked = c.call(ack_frame(e->seq()));
  ASSERT_TRUE(acked) << who;
  EXPECT_EQ(acked->status(), 200u) << who << " " << acked->message();
}

TEST_P(HushdFanOut, OneMessageToAHundredMembersIsStoredOnceAndReachesEveryone) {
  constexpr int kMembers = 100;
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 1);
  ASSERT_TRUE(alice);
  std::vector<Party> members;
  for (int i = 0; i < kMembers; ++i) {
    // Five registrations per address prefix (hushd counts a /24): 127.0.10.1 onwards.
    const std::string source = "127.0." + std::to_string(10 + i / 5) + ".1";
    auto m = h.register_user("member" + std::to_string(i), 100 + static_cast<std::uint64_t>(i), 1, source);
    ASSERT_TRUE(m) << "member " << i;
    members.push_back(std::move(*m));
  }
  // Half are online when the message arrives, half connect later.
  std::vector<std::unique_ptr<TestClient>> online;
  for (int i = 0; i < kMembers / 2; ++i) {
    online.push_back(h.online(members[static_cast<std::size_t>(i)]));
    ASSERT_TRUE(online.back()) << "member " << i;
  }
  auto a = h.online(*alice);
  ASSERT_TRUE(a);

  std::string body(3000, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 131 + 7) & 0xFF);
  std::vector<const TestDevice*> to;
  for (const Party& m : members) to.push_back(&m.device);
  const pb::ClientFrame send = send_multi_frame(to, message_id('G'), body);
  auto r = a->call(send);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  EXPECT_FALSE(r->send_message().duplicate());
  EXPECT_GT(r->send_message().server_timestamp_ms(), 0);

  // The measurement: the body's bytes are in the database once, each
  // member's mailbox holds a reference (a queue row without the body).
  const std::int64_t bodies = h.database_scalar(kCountBodies);
  const std::int64_t body_bytes = h.database_scalar(kBodyBytes);
  EXPECT_EQ(bodies, 1);
  EXPECT_EQ(body_bytes, static_cast<std::int64_t>(body.size()));
  EXPECT_EQ(h.database_scalar(kCountQueue), kMembers);
  std::printf("[ fan-out  ] %s: one message to %d members: %lld body row(s), %lld body bytes stored "
              "(a copy per member would be %zu)\n",
              GetParam().c_str(), kMembers, static_cast<long long>(bodies), static_cast<long long>(body_bytes),
              body.size() * kMembers);

  for (int i = 0; i < kMembers / 2; ++i)
    expect_envelope(*online[static_cast<std::size_t>(i)], *alice, message_id('G'), body, "online member " + std::to_string(i));
  EXPECT_EQ(h.database_scalar(kCountBodies), 1) << "half the members still reference it";
  for (int i = kMembers / 2; i < kMembers; ++i) {
    auto c = h.online(members[static_cast<std::size_t>(i)]);
    ASSERT_TRUE(c) << "member " << i;
    expect_envelope(*c, *alice, message_id('G'), body, "offline member " + std::to_string(i));
  }
  EXPECT_FALSE(a->next_envelope(300ms)) << "never to the sending device";
  EXPECT_EQ(h.database_scalar(kCountQueue), 0);
  EXPECT_EQ(h.database_scalar(kCountBodies), 0) << "the last ack freed the body";

  // A retry after delivery is a duplicate: nothing is stored or pushed again.
  r = a->call(send);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u);
  EXPECT_TRUE(r->send_message().duplicate());
  EXPECT_EQ(h.database_scalar(kCountQueue), 0);
  EXPECT_FALSE(online.front()->next_envelope(300ms));

  struct {
    std::string body;
  } metrics{h.hushd().metrics()};
  ASSERT_FALSE(metrics.body.empty());
  EXPECT_EQ(metric(metrics.body, "hushd_messages_out_total"), kMembers) << "one envelope pushed per member";
  EXPECT_EQ(metric(metrics.body, "hushd_messages_in_total"), 2) << "the send and its retry";
}

TEST_P(HushdFanOut, StaleDeviceSetsOfEveryAccountAreAnsweredTogetherAndNothingIsStored) {
  // Four accounts and two links from 127.0.0.1: more than the /24's burst of 5.
  Harness h(GetParam(), "registration_burst = 20\n");
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 1);
  auto bob = h.register_user("bob", 2);
  auto carol = h.register_user("carol", 3);
  auto dave = h.register_user("dave", 4);
  ASSERT_TRUE(alice && bob && carol && dave);
  auto a = h.online(*alice);
  auto b = h.online(*bob);
  ASSERT_TRUE(a && b);
  auto alice2 = h.link_device(*a, alice->identity, 21);
  auto bob2 = h.link_device(*b, bob->identity, 22);
  ASSERT_TRUE(alice2 && bob2);

  // bob's device 2 left out, carol's registration id wrong, alice's own
  // device 2 left out, dave right.
  pb::ClientFrame stale = send_multi_frame({&bob->device, &carol->device, &dave->device}, message_id('S'), "group");
  stale.mutable_send_multi()->mutable_recipients(1)->mutable_devices(0)->set_registration_id(carol->device.registration_id + 1);
  auto* own = stale.mutable_send_multi()->add_recipients();
  own->set_account(alice->device.account_id);
  auto r = a->call(stale);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 409u);
  EXPECT_EQ(r->message(), "stale_devices");
  ASSERT_TRUE(r->has_multi_stale_devices());
  std::map<std::string, pb::StaleDevices> by_account;
  for (const auto& entry : r->multi_stale_devices().accounts()) by_account[entry.account()] = entry.devices();
  ASSERT_EQ(by_account.size(), 3u) << "dave's set was right";
  ASSERT_EQ(by_account[bob->device.account_id].missing_size(), 1);
  EXPECT_EQ(by_account[bob->device.account_id].missing(0), bob2->device_id);
  ASSERT_EQ(by_account[carol->device.account_id].stale_size(), 1);
  EXPECT_EQ(by_account[carol->device.account_id].stale(0), 1u);
  ASSERT_EQ(by_account[alice->device.account_id].missing_size(), 1);
  EXPECT_EQ(by_account[alice->device.account_id].missing(0), alice2->device_id);
  EXPECT_EQ(h.database_scalar(kCountBodies), 0);
  EXPECT_EQ(h.database_scalar(kCountQueue), 0);

  // Naming the sending device itself is an extra device.
  pb::ClientFrame to_self = send_multi_frame({&bob->device}, message_id('T'), "group");
  auto* self = to_self.mutable_send_multi()->add_recipients();
  self->set_account(alice->device.account_id);
  self->add_devices()->set_device_id(alice->device.device_id);
  self->mutable_devices(0)->set_registration_id(alice->device.registration_id);
  self->add_devices()->set_device_id(alice2->device_id);
  self->mutable_devices(1)->set_registration_id(alice2->registration_id);
  auto* bob_devices = to_self.mutable_send_multi()->mutable_recipients(0);
  bob_devices->add_devices()->set_device_id(bob2->device_id);
  bob_devices->mutable_devices(1)->set_registration_id(bob2->registration_id);
  r = a->call(to_self);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 409u);
  ASSERT_EQ(r->multi_stale_devices().accounts_size(), 1);
  EXPECT_EQ(r->multi_stale_devices().accounts(0).account(), alice->device.account_id);
  ASSERT_EQ(r->multi_stale_devices().accounts(0).devices().extra_size(), 1);
  EXPECT_EQ(r->multi_stale_devices().accounts(0).devices().extra(0), alice->device.device_id);

  // The exact set: every device but the sending one gets it, stored once.
  pb::ClientFrame exact = to_self;
  exact.mutable_send_multi()->mutable_recipients(1)->mutable_devices()->DeleteSubrange(0, 1);
  exact.mutable_send_multi()->add_recipients()->CopyFrom(send_multi_frame({&carol->device}, "", "").send_multi().recipients(0));
  r = a->call(exact);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  EXPECT_EQ(h.database_scalar(kCountBodies), 1);
  EXPECT_EQ(h.database_scalar(kCountQueue), 4);
  for (const TestDevice* d : {&bob->device, &*bob2, &carol->device, &*alice2}) {
    auto c = h.online(*d);
    ASSERT_TRUE(c);
    auto e = c->next_envelope(10s);
    ASSERT_TRUE(e) << d->device_id;
    EXPECT_EQ(e->content(), "group");
    EXPECT_EQ(e->sender_device(), alice->device.device_id);
  }
  EXPECT_FALSE(a->next_envelope(300ms)) << "never to the sending device";
}

TEST_P(HushdFanOut, BadFanOutsAreRefusedAndChangeNothing) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 1);
  auto bob = h.register_user("bob", 2);
  auto carol = h.register_user("carol", 3);
  ASSERT_TRUE(alice && bob && carol);
  auto a = h.online(*alice);
  auto b = h.online(*bob);
  ASSERT_TRUE(a && b);
  const pb::ClientFrame good = send_multi_frame({&bob->device, &carol->device}, message_id('B'), "group");
  auto expect_refused = [&](const pb::ClientFrame& f, unsigned status, const std::string& message,
                            const std::string& what) {
    auto r = a->call(f);
    ASSERT_TRUE(r) << what;
    EXPECT_EQ(r->status(), status) << what;
    EXPECT_EQ(r->message(), message) << what;
    EXPECT_FALSE(r->has_send_message()) << what;
  };

  pb::ClientFrame f = good;
  f.mutable_send_multi()->set_message_id(std::string(15, 'm'));
  expect_refused(f, 400, "bad_length", "a 15-byte message id");
  f = good;
  f.mutable_send_multi()->mutable_recipients(0)->set_account(std::string(15, 'a'));
  expect_refused(f, 400, "bad_length", "a 15-byte account id");
  f = good;
  f.mutable_send_multi()->clear_recipients();
  expect_refused(f, 400, "invalid_argument", "no recipient");
  f = good;
  f.mutable_send_multi()->set_body(std::string(256 * 1024 + 1, 'x'));
  expect_refused(f, 400, "bad_length", "a body over 256 KiB");
  f = good;
  f.mutable_send_multi()->clear_body();
  expect_refused(f, 400, "bad_length", "an empty body");
  f = good;
  f.mutable_send_multi()->set_type(0);
  expect_refused(f, 400, "invalid_argument", "type 0");
  f = good;
  for (std::uint32_t i = 2; i <= 5001; ++i) {
    auto* d = f.mutable_send_multi()->mutable_recipients(0)->add_devices();
    d->set_device_id(i);
    d->set_registration_id(1);
  }
  expect_refused(f, 400, "invalid_argument", "5,001 devices");
  f = good;
  f.mutable_send_multi()->mutable_recipients(1)->set_account(std::string(16, '\x42'));
  expect_refused(f, 404, "not_found", "an unknown account");
  f = good;
  f.mutable_send_multi()->add_recipients()->CopyFrom(good.send_multi().recipients(0));
  expect_refused(f, 400, "invalid_argument", "an account named twice");
  f = good;
  f.mutable_send_multi()->mutable_recipients(0)->add_devices()->CopyFrom(good.send_multi().recipients(0).devices(0));
  expect_refused(f, 400, "invalid_argument", "a device named twice");
  f = good;
  f.mutable_send_multi()->mutable_recipients(0)->mutable_devices(0)->set_registration_id(bob->device.registration_id + 1);
  f.mutable_send_multi()->mutable_recipients(1)->mutable_devices(0)->set_registration_id(0);
  {
    auto r = a->call(f);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status(), 409u) << "wrong registration ids";
    EXPECT_EQ(r->multi_stale_devices().accounts_size(), 2);
  }
  // A frame over the 512 KiB WebSocket limit cuts only that connection.
  {
    auto big = h.online(*alice);
    ASSERT_TRUE(big);
    f = good;
    f.mutable_send_multi()->set_body(std::string(600 * 1024, 'x'));
    big->send_raw(f.SerializeAsString());
    EXPECT_TRUE(big->wait_closed());
  }

  EXPECT_EQ(h.database_scalar(kCountBodies), 0);
  EXPECT_EQ(h.database_scalar(kCountQueue), 0);
  EXPECT_FALSE(b->next_envelope(300ms)) << "nothing was delivered";
  auto r = a->call(good);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u) << "the refusals did not poison the message id: " << r->message();
  auto e = b->next_envelope(10s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->content(), "group");
}

}  // namespace
}  // namespace hush::testing
