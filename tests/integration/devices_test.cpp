// Devices, per backend: a linked device is created with its keys in one
// transaction (another identity key is refused and does not burn the link
// token), and removing a device closes its live sessions at once; it can
// never connect again, and the account's other devices carry on.
#include "harness.hpp"

#include <hush/testing/deterministic_rng.hpp>

namespace hush::testing {
namespace {

pb::ClientFrame remove_frame(std::uint32_t device) {
  pb::ClientFrame f;
  f.mutable_remove_device()->set_device_id(device);
  return f;
}

TEST_P(HushdDevices, ALinkedDeviceMustBringTheAccountsIdentityKey) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 101);
  auto bob = h.register_user("bob", 102);
  ASSERT_TRUE(alice && bob);
  auto b = h.online(*bob);
  ASSERT_TRUE(b);

  pb::ClientFrame token_frame;
  token_frame.mutable_create_link_token();
  auto token = b->call(token_frame);
  ASSERT_TRUE(token && token->status() == 200u);
  DeterministicRng rng(103);
  const auto intruder = crypto::KeyPair::generate(rng);
  auto request = make_register_request("", intruder, 77, rng);
  request.set_link_token(token->link_token().token());
  auto c = h.client();
  unsigned status = 0;
  EXPECT_FALSE(register_device(*c, request, &status));
  EXPECT_EQ(status, 409u) << "another identity key";

  pb::ClientFrame list;
  list.mutable_list_devices();
  auto devices = b->call(list);
  ASSERT_TRUE(devices);
  EXPECT_EQ(devices->devices().devices_size(), 1) << "no device without keys was left behind";

  // The same token still links a device that brings the right key, and
  // that device's keys were stored with it.
  auto right = make_register_request("", bob->identity, 78, rng);
  right.set_link_token(token->link_token().token());
  auto bob2 = register_device(*c, right, &status);
  ASSERT_TRUE(bob2) << status;
  EXPECT_EQ(bob2->device_id, 2u);
  auto a = h.online(*alice);
  ASSERT_TRUE(a);
  pb::ClientFrame fetch;
  fetch.mutable_fetch_bundles()->set_account_id(bob->device.account_id);
  fetch.mutable_fetch_bundles()->set_device_id(2);
  auto bundle = a->call(fetch);
  ASSERT_TRUE(bundle);
  ASSERT_EQ(bundle->status(), 200u) << bundle->message();
  ASSERT_EQ(bundle->bundles().bundles_size(), 1);
  EXPECT_TRUE(bundle->bundles().bundles(0).has_one_time_pre_key());
  EXPECT_EQ(bundle->bundles().identity_key(), to_string(bob->identity.public_key.serialize()));
}

TEST_P(HushdDevices, ARemovedDeviceIsDisconnectedAndCannotReconnect) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 111);
  auto bob = h.register_user("bob", 112);
  ASSERT_TRUE(alice && bob);
  auto b1 = h.online(*bob);
  ASSERT_TRUE(b1);
  auto bob2 = h.link_device(*b1, bob->identity, 113);
  auto bob3 = h.link_device(*b1, bob->identity, 114);
  ASSERT_TRUE(bob2 && bob3);
  auto b2 = h.online(*bob2);
  auto b2_again = h.online(*bob2);  // two sessions of the same device
  auto b3 = h.online(*bob3);
  ASSERT_TRUE(b2 && b2_again && b3);

  auto r = b1->call(remove_frame(bob2->device_id));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  EXPECT_TRUE(b2->wait_closed(std::chrono::seconds(5))) << "the removed device's session stayed open";
  EXPECT_TRUE(b2_again->wait_closed(std::chrono::seconds(5)));
  auto c = h.client();
  unsigned status = 0;
  EXPECT_FALSE(c->connect(bob2->authorization(), &status));
  EXPECT_EQ(status, 401u);

  // A device removing itself gets its answer, then the connection closes.
  r = b3->call(remove_frame(bob3->device_id));
  ASSERT_TRUE(r) << "no answer before the close";
  EXPECT_EQ(r->status(), 200u) << r->message();
  EXPECT_TRUE(b3->wait_closed(std::chrono::seconds(5)));
  EXPECT_FALSE(c->connect(bob3->authorization(), &status));
  EXPECT_EQ(status, 401u);

  // Bob's first device is untouched and still gets mail.
  pb::ClientFrame list;
  list.mutable_list_devices();
  r = b1->call(list);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->devices().devices_size(), 1);
  EXPECT_FALSE(b1->closed());
  auto a = h.online(*alice);
  ASSERT_TRUE(a);
  r = a->call(send_frame(bob->device, message_id('1'), "after the removal"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  auto e = b1->next_envelope();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->content(), "after the removal");
}

}  // namespace
}  // namespace hush::testing
