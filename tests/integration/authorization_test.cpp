// Authorization and bad input, per backend: a device cannot reach another
// account's mailbox, acks or devices; wrong or crossed credentials are
// refused; malformed, unknown, oversized and garbage input is answered or
// cut. Each test then checks that a well-behaved client is still served and
// that nothing stored changed (its mailbox, pre-key counts, device lists).
#include "harness.hpp"

#include <hush/testing/deterministic_rng.hpp>

namespace hush::testing {
namespace {

/// What a party's state looks like from its own, well-behaved connection.
struct Snapshot {
  std::vector<std::pair<std::uint64_t, std::string>> mailbox;  ///< (seq, content) pushed on connect
  std::uint32_t pre_keys = 0;
  int devices = 0;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

/// Connects as `device`, reads every envelope pushed (without acking), asks
/// for the pre-key count and the device list.
Snapshot snapshot(Harness& h, const TestDevice& device) {
  Snapshot s;
  auto c = h.online(device);
  EXPECT_TRUE(c) << "the well-behaved client was refused";
  if (!c) return s;
  while (auto e = c->next_envelope(std::chrono::milliseconds(400))) s.mailbox.emplace_back(e->seq(), e->content());
  auto count = c->call(pre_key_count_frame());
  EXPECT_TRUE(count && count->status() == 200u);
  if (count) s.pre_keys = count->pre_key_count().count();
  pb::ClientFrame list;
  list.mutable_list_devices();
  auto devices = c->call(list);
  EXPECT_TRUE(devices && devices->status() == 200u);
  if (devices) s.devices = devices->devices().devices_size();
  c->close();
  return s;
}

TEST_P(HushdAuthorization, ADeviceCannotTouchAnotherAccountsMailboxAcksOrDevices) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 71);
  auto bob = h.register_user("bob", 72);
  auto carol = h.register_user("carol", 73);
  ASSERT_TRUE(alice && bob && carol);
  auto b = h.online(*bob);
  ASSERT_TRUE(b);
  auto bob2 = h.link_device(*b, bob->identity, 74);
  ASSERT_TRUE(bob2);
  b->close();

  // Two messages wait for bob's two devices.
  auto a = h.online(*alice);
  ASSERT_TRUE(a);
  for (char tag : {'1', '2'}) {
    pb::ClientFrame f = send_frame(bob->device, message_id(tag), std::string("for bob ") + tag);
    auto* second = f.mutable_send_message()->add_messages();
    *second = f.send_message().messages(0);
    second->set_device_id(bob2->device_id);
    second->set_registration_id(bob2->registration_id);
    auto r = a->call(f);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u) << r->message();
  }
  const Snapshot before = snapshot(h, bob->device);
  const Snapshot before2 = snapshot(h, *bob2);
  ASSERT_EQ(before.mailbox.size(), 2u);

  // Carol sees none of it, and can name none of it.
  auto c = h.online(*carol);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->next_envelope(std::chrono::milliseconds(300))) << "carol got bob's mail";
  for (const auto& [seq, content] : before.mailbox) {
    auto r = c->call(ack_frame(seq));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status(), 404u) << "carol acked bob's seq " << seq;
  }
  pb::ClientFrame remove;
  remove.mutable_remove_device()->set_device_id(bob2->device_id);
  auto r = c->call(remove);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 404u) << "device ids name the caller's own account only";
  remove.mutable_remove_device()->set_device_id(1);
  r = c->call(remove);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 400u) << "carol's own last device stays";
  // Alice cannot ack what she sent to bob either.
  r = a->call(ack_frame(before.mailbox.front().first));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 404u);

  EXPECT_EQ(snapshot(h, bob->device), before);
  EXPECT_EQ(snapshot(h, *bob2), before2);
  EXPECT_EQ(snapshot(h, carol->device).devices, 1);
}

TEST_P(HushdAuthorization, WrongAndCrossedCredentialsAreRefused) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 81);
  auto bob = h.register_user("bob", 82);
  ASSERT_TRUE(alice && bob);
  const Snapshot before = snapshot(h, bob->device);

  std::vector<TestDevice> forged;
  TestDevice crossed = alice->device;  // alice's id with bob's credential
  crossed.credential = bob->device.credential;
  forged.push_back(crossed);
  TestDevice other_device = bob->device;  // bob's credential for a device he does not have
  other_device.device_id = 2;
  forged.push_back(other_device);
  TestDevice truncated = bob->device;
  truncated.credential.resize(16);
  forged.push_back(truncated);
  TestDevice empty = bob->device;
  empty.credential.clear();
  forged.push_back(empty);
  for (const auto& f : forged) {
    auto c = h.client();
    unsigned status = 0;
    EXPECT_FALSE(c->connect(f.authorization(), &status));
    EXPECT_EQ(status, 401u);
  }
  for (const char* header : {"Basic", "Bearer abc", "Basic Og==", "Basic !!!"}) {
    auto c = h.client();
    unsigned status = 0;
    EXPECT_FALSE(c->connect(header, &status)) << header;
    EXPECT_EQ(status, 401u) << header;
  }
  EXPECT_EQ(snapshot(h, bob->device), before);
  EXPECT_EQ(snapshot(h, alice->device).devices, 1);
}

TEST_P(HushdAuthorization, BadInputIsAnsweredAndChangesNothingStored) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 91);
  auto bob = h.register_user("bob", 92);
  ASSERT_TRUE(alice && bob);
  {
    auto a = h.online(*alice);
    ASSERT_TRUE(a);
    auto r = a->call(send_frame(bob->device, message_id('k'), "kept"));
    ASSERT_TRUE(r && r->status() == 200u);
  }
  const Snapshot bob_before = snapshot(h, bob->device);
  const Snapshot alice_before = snapshot(h, alice->device);
  ASSERT_EQ(bob_before.mailbox.size(), 1u);
  // A well-behaved connection held open throughout.
  auto bystander = h.online(*bob);
  ASSERT_TRUE(bystander);
  ASSERT_TRUE(bystander->next_envelope());

  auto a = h.online(*alice);
  ASSERT_TRUE(a);
  auto expect_status = [&](std::optional<pb::Response> r, std::uint32_t status, const char* what) {
    ASSERT_TRUE(r) << what;
    EXPECT_EQ(r->status(), status) << what << ": " << r->message();
  };
  // Malformed protobuf and an unknown request type.
  ASSERT_TRUE(a->send_raw("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff garbage"));
  auto f = a->read_frame();
  ASSERT_TRUE(f && f->has_response());
  EXPECT_EQ(f->response().message(), "decode_error");
  pb::ClientFrame unknown;
  unknown.set_id(5);
  ASSERT_TRUE(a->send_raw(unknown.SerializeAsString() + std::string("\xfa\x07\x01x", 4)));  // field 127
  f = a->read_frame();
  ASSERT_TRUE(f && f->has_response());
  EXPECT_EQ(f->response().message(), "unknown_request");
  // Requests whose fields are wrong.
  expect_status(a->call(send_frame(bob->device, "short id", "x")), 400u, "message id of 8 bytes");
  expect_status(a->call(send_frame(bob->device, message_id('e'), "")), 400u, "empty body");
  pb::ClientFrame huge_body = send_frame(bob->device, message_id('h'), std::string(200 * 1024, 'x'));
  huge_body.mutable_send_message()->add_messages()->set_device_id(7);
  expect_status(a->call(huge_body), 400u, "a device named with type 0");
  pb::ClientFrame no_dest = send_frame(bob->device, message_id('d'), "x");
  no_dest.mutable_send_message()->set_destination("too short");
  expect_status(a->call(no_dest), 400u, "destination of 9 bytes");
  pb::ClientFrame bad_key;
  auto* k = bad_key.mutable_upload_keys()->add_one_time_pre_keys();
  k->set_id(900);
  k->set_public_key(std::string(20, '\x05'));
  expect_status(a->call(bad_key), 400u, "a one-time pre-key of 20 bytes");
  pb::ClientFrame fetch_nobody;
  fetch_nobody.mutable_fetch_bundles()->set_account_id(std::string(16, '\x42'));
  expect_status(a->call(fetch_nobody), 404u, "bundles of no account");
  expect_status(a->call(ack_frame(999999)), 404u, "ack of a seq never stored");
  // An oversized frame cuts only that connection.
  {
    auto big = h.online(*alice);
    ASSERT_TRUE(big);
    big->send_raw(std::string(600 * 1024, 'a'));  // above the 512 KiB frame limit
    EXPECT_TRUE(big->wait_closed());
  }
  // Garbage and plain HTTP on the TLS port.
  EXPECT_TRUE(raw_tcp_exchange(h.hushd().host(), h.hushd().port(), std::string(500, '\x16')).peer_closed);
  EXPECT_TRUE(raw_tcp_exchange(h.hushd().host(), h.hushd().port(), "GET /v1/ws HTTP/1.1\r\n\r\n").peer_closed);

  // Everyone is still served, and nothing stored changed.
  auto still = bystander->call(pre_key_count_frame());
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status(), 200u);
  expect_status(a->call(pre_key_count_frame()), 200u, "the connection that sent bad frames");
  bystander->close();
  a->close();
  EXPECT_EQ(snapshot(h, bob->device), bob_before);
  EXPECT_EQ(snapshot(h, alice->device), alice_before);
}

}  // namespace
}  // namespace hush::testing
