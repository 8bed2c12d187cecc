// Account recovery end to end (issue #16, "I have a new computer and lost the
// old one"): the recovery code printed at registration makes a new device
// the account's only one, under a NEW identity key. The lost device's
// credential stops working; a contact's next send is refused as an identity
// change until the contact accepts the new key (nothing trusted silently);
// then messages flow both ways. A code works once; the renewed one works next.
#include "sdk_fixture.hpp"

#include <hush/client/client.hpp>

#include <gtest/gtest.h>

#include <string>

namespace hush::client {
namespace {

using namespace std::chrono_literals;

class Recovery : public testing::SdkFixture {
 protected:
  Recovery() : SdkFixture("hush-recovery") {}

  /// Registers `name` in home `name`, returning the recovery code.
  std::string register_keeping_code(const std::string& name) {
    auto id = created(name).register_account(next_url(), name, ca());
    EXPECT_TRUE(id) << name << ": " << errc_name(id.code());
    if (!id) return {};
    EXPECT_EQ(id->recovery_code.size(), 26u + 6u) << "26 characters in dash-separated groups of four";
    return id->recovery_code;
  }
};

TEST_F(Recovery, ANewDeviceReplacesTheLostOneUnderANewIdentityThatContactsMustAccept) {
  const std::string code = register_keeping_code("alice");
  ASSERT_FALSE(code.empty());
  Client& bob = registered("bob");
  ASSERT_TRUE(at("alice").send_text("bob", "before"));
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  ASSERT_TRUE(bob.send_text("alice", "reply"));
  ASSERT_EQ(receive_n(at("alice"), 1).size(), 1u);
  const std::string old_key = at("alice").whoami()->identity_key_hex;

  // Alice's computer is lost. On a new one, the code brings the account back.
  clients_.erase("alice");
  Client& fresh = created("alice-new");
  Bytes lower(code.begin(), code.end());
  for (auto& c : lower) c = static_cast<std::uint8_t>(std::tolower(c));
  auto recovered = fresh.recover_account(next_url(), "alice", to_string(lower), ca());  // typed in lower case
  ASSERT_TRUE(recovered) << errc_name(recovered.code()) << " " << recovered.error().context;
  EXPECT_EQ(recovered->username, "alice");
  EXPECT_EQ(recovered->device_id, 2u) << "device ids are never reused";
  EXPECT_NE(recovered->identity_key_hex, old_key) << "a new identity";
  EXPECT_FALSE(recovered->recovery_code.empty());
  EXPECT_NE(recovered->recovery_code, code) << "the code is renewed";

  // The lost device (were it found) is no longer part of the account.
  Client& lost = reopen("alice");
  auto refused = lost.receive(1s);
  EXPECT_EQ(refused.code(), Errc::unauthorized);
  clients_.erase("alice");

  // Bob's next send is refused: alice's identity changed.
  auto blocked = bob.send_text("alice", "who are you now?");
  EXPECT_EQ(blocked.code(), Errc::untrusted_identity);
  auto contacts = bob.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_TRUE(contacts->front().identity_changed);
  auto number = bob.safety_number("alice");
  ASSERT_TRUE(number);
  EXPECT_EQ(number->pending_key_hex, recovered->identity_key_hex) << "what bob compares before accepting";

  // Bob accepts the new key (after comparing safety numbers); messages flow.
  ASSERT_TRUE(bob.trust("alice", recovered->identity_key_hex));
  auto sent = bob.send_text("alice", "welcome back");
  ASSERT_TRUE(sent) << errc_name(sent.code());
  auto got = receive_n(fresh, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sender, "bob");
  EXPECT_EQ(text(got[0]), "welcome back");
  ASSERT_TRUE(fresh.send_text("bob", "thanks"));
  auto answer = receive_n(bob, 1);
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(text(answer[0]), "thanks");
  EXPECT_FALSE(answer[0].failure.has_value());

  // The old code works no more; the renewed one does.
  auto again = created("alice-third").recover_account(next_url(), "alice", code, ca());
  EXPECT_EQ(again.code(), Errc::unauthorized);
  clients_.erase("alice-third");
  auto next = created("alice-fourth").recover_account(next_url(), "alice", recovered->recovery_code, ca());
  ASSERT_TRUE(next) << errc_name(next.code());
  EXPECT_EQ(next->device_id, 3u);
}

TEST_F(Recovery, AWrongCodeOrAnotherAccountsCodeRecoversNothing) {
  const std::string alice_code = register_keeping_code("alice");
  const std::string bob_code = register_keeping_code("bob");
  ASSERT_FALSE(alice_code.empty());
  EXPECT_EQ(created("x1").recover_account(next_url(), "alice", bob_code, ca()).code(), Errc::unauthorized);
  EXPECT_EQ(created("x2").recover_account(next_url(), "carol", alice_code, ca()).code(), Errc::unauthorized)
      << "no such account: the same answer";
  EXPECT_EQ(created("x3").recover_account(next_url(), "alice", "not a code", ca()).code(), Errc::invalid_argument);
  // Alice's device is untouched.
  auto still = at("alice").send_text("bob", "still here");
  ASSERT_TRUE(still) << errc_name(still.code());
  EXPECT_EQ(receive_n(at("bob"), 1).size(), 1u);
}

}  // namespace
}  // namespace hush::client
