// Conformance, one request per send (issue #16): a 1:1 send carrying the
// copies for the sender's own other devices stores both parts in one
// transaction (each under its own message id) or neither; the sender's own
// account is checked as exactly as the recipient's; a binding the sender
// cached that no longer holds (the username moved) refuses the send as
// not_found. Runs on SQLite and PostgreSQL.
#include "store_fixture.hpp"

namespace hush::server::testing {
namespace {

MessageId sync_id_of(MessageId id) {
  id[0] ^= 0xff;  // any other id: the client derives it from the message id
  return id;
}

TEST_P(StoreConformance, ASendWithSyncCopiesStoresBothUnderTheirOwnIds) {
  auto alice = register_user("alice");
  auto alice2 = link_device(alice.address, RegistrationId{600});
  auto bob = register_user("bob");
  SendRequest req = make_send(alice.address, bob.address.account, 1, "to bob");
  req.sync_message_id = sync_id_of(req.message_id);
  req.sync_copies.push_back(OutgoingCopy{alice2.address.device, RegistrationId{600}, 1, to_bytes("to my other device")});
  std::vector<DeviceMismatch> mismatches;
  auto receipt = messages_->send(req, mismatches);
  ASSERT_TRUE(receipt) << errc_name(receipt.code());
  EXPECT_TRUE(mismatches.empty());

  auto to_bob = messages_->pending(bob.address);
  ASSERT_TRUE(to_bob);
  ASSERT_EQ(to_bob->size(), 1u);
  EXPECT_EQ(to_string((*to_bob)[0].body), "to bob#1@1");
  EXPECT_EQ((*to_bob)[0].message_id, req.message_id);
  auto to_mine = messages_->pending(alice2.address);
  ASSERT_TRUE(to_mine);
  ASSERT_EQ(to_mine->size(), 1u);
  EXPECT_EQ(to_string((*to_mine)[0].body), "to my other device");
  EXPECT_EQ((*to_mine)[0].message_id, *req.sync_message_id);
  EXPECT_EQ((*to_mine)[0].sender, alice.address);
  EXPECT_EQ(messages_->queue_depth(alice.address).value(), 0u) << "never to the sending device";

  // A retry is one duplicate: nothing more for anyone.
  auto again = messages_->send(req, mismatches);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);
  EXPECT_EQ(messages_->queue_depth(alice2.address).value(), 1u);
  // The sync copy's id is recorded as sent too: sent alone later, it is a duplicate.
  SendRequest alone = make_send(alice.address, alice.address.account, 1, "to my other device");
  alone.message_id = *req.sync_message_id;
  auto late = send(alone);
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->duplicate);
  EXPECT_EQ(messages_->queue_depth(alice2.address).value(), 1u);
}

TEST_P(StoreConformance, AStaleOwnAccountRefusesTheWholeSendAndNamesBothAccounts) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto bob2 = link_device(bob.address, RegistrationId{700});
  auto alice2 = link_device(alice.address, RegistrationId{600});
  // Alice believes she has no other device, and knows only bob's first.
  SendRequest req = make_send(alice.address, bob.address.account, 1);
  req.copies.pop_back();
  req.sync_message_id = sync_id_of(req.message_id);
  std::vector<DeviceMismatch> mismatches;
  EXPECT_EQ(messages_->send(req, mismatches).code(), Errc::stale_devices);
  ASSERT_EQ(mismatches.size(), 2u);
  for (const DeviceMismatch& m : mismatches) {
    if (m.account == alice.address.account) {
      EXPECT_EQ(m.missing, std::vector<DeviceId>{alice2.address.device});
    } else {
      EXPECT_EQ(m.account, bob.address.account);
      EXPECT_EQ(m.missing, std::vector<DeviceId>{bob2.address.device});
    }
  }
  // Only the own account stale: still nothing stored for bob.
  SendRequest own_only = make_send(alice.address, bob.address.account, 2);
  own_only.sync_message_id = sync_id_of(own_only.message_id);
  EXPECT_EQ(messages_->send(own_only, mismatches).code(), Errc::stale_devices);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].account, alice.address.account);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 0u);
  EXPECT_EQ(messages_->queue_depth(bob2.address).value(), 0u);
  EXPECT_EQ(messages_->queue_depth(alice2.address).value(), 0u);
  EXPECT_TRUE(listener_.events().empty());

  // Without a sync id the own account is not checked (an older client).
  ASSERT_TRUE(send(make_send(alice.address, bob.address.account, 3)));
  EXPECT_EQ(messages_->queue_depth(alice2.address).value(), 0u);
}

TEST_P(StoreConformance, ASingleDeviceSenderNamesItsOwnAccountWithNoCopies) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  SendRequest req = make_send(alice.address, bob.address.account, 1);
  req.sync_message_id = sync_id_of(req.message_id);
  ASSERT_TRUE(send(req));
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);
}

TEST_P(StoreConformance, AnExpectedUsernameThatMovedIsNotFound) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  SendRequest req = make_send(alice.address, bob.address.account, 1);
  req.expected_username = "carol";
  std::vector<DeviceMismatch> mismatches;
  EXPECT_EQ(messages_->send(req, mismatches).code(), Errc::not_found);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 0u);
  req.expected_username = "bob";
  auto stored = messages_->send(req, mismatches);
  ASSERT_TRUE(stored) << errc_name(stored.code());
  EXPECT_FALSE(stored->duplicate);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);
}

TEST_P(StoreConformance, SyncCopiesAreCheckedLikeTheOthers) {
  auto alice = register_user("alice");
  auto alice2 = link_device(alice.address, RegistrationId{600});
  auto bob = register_user("bob");
  SendRequest req = make_send(alice.address, bob.address.account, 1);
  req.sync_copies.push_back(OutgoingCopy{alice2.address.device, RegistrationId{600}, 1, to_bytes("x")});
  std::vector<DeviceMismatch> mismatches;
  EXPECT_EQ(messages_->send(req, mismatches).code(), Errc::invalid_argument) << "sync copies need their id";
  req.sync_message_id = sync_id_of(req.message_id);
  req.sync_copies.push_back(req.sync_copies.back());
  EXPECT_EQ(messages_->send(req, mismatches).code(), Errc::invalid_argument) << "a device named twice";
  req.sync_copies.pop_back();
  req.sync_copies[0].type = 0;
  EXPECT_EQ(messages_->send(req, mismatches).code(), Errc::invalid_argument) << "a zero type";
  req.sync_copies[0].type = 1;
  req.sync_copies[0].body.clear();
  EXPECT_EQ(messages_->send(req, mismatches).code(), Errc::bad_length);
  SendRequest to_self = make_send(alice.address, alice.address.account, 2);
  to_self.sync_message_id = sync_id_of(to_self.message_id);
  EXPECT_EQ(messages_->send(to_self, mismatches).code(), Errc::invalid_argument) << "a note to self has no sync copy";
  EXPECT_EQ(messages_->queue_depth(alice2.address).value(), 0u);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 0u);
}

}  // namespace
}  // namespace hush::server::testing
