// Regression cases from libsignal's own tests (rust/protocol/tests/session.rs
// and ratchet.rs) that apply to Hush's version-4 sessions (PQXDH + SPQR),
// written as Hush tests (issue #15). Each names the case it mirrors. Cases
// libsignal has that Hush already covers for version 4 elsewhere:
// test_repeat_bundle_message (Pqxdh.SecondPreKeyMessageOfTheSameSession...),
// test_pqr_state_and_message_contents_nonempty (TripleRatchet.EveryVersion4...),
// test_duplicate_message_error_returned (TripleRatchet.EveryRefusal...).
// Not applicable: x3dh_prekey_rejected_as_invalid_message_specifically (Hush
// still speaks version 3 with libsignal-protocol-c, on purpose), the
// note-to-self jump limit and session expiry (no such notions in libhush).
#include <hush/signal/bound_addresses.hpp>
#include <hush/signal/constants.hpp>
#include <hush/signal/kyber_pre_key.hpp>
#include <hush/signal/messages.hpp>
#include <hush/signal/pre_key.hpp>
#include <hush/signal/session_cipher.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace hush::signal {
namespace {

using testing::SignalParty;

std::string text_of(Result<std::string> r) {
  return r ? *r : std::string("error: ") + std::string(errc_name(r.code()));
}

// The inner SignalMessage's last byte (its MAC) changed, nothing else.
CiphertextMessage with_bad_inner_mac(const CiphertextMessage& m) {
  CiphertextMessage out = m;
  auto parsed = PreKeySignalMessage::deserialize(m.serialized);
  HUSH_CHECK(parsed.has_value());
  const Bytes inner = parsed->message().serialized();
  auto at = std::search(out.serialized.begin(), out.serialized.end(), inner.begin(), inner.end());
  HUSH_CHECK(at != out.serialized.end());
  *(at + static_cast<std::ptrdiff_t>(inner.size()) - 1) ^= 0x01;
  return out;
}

Bytes base_key_of(const SignalParty& party, const ProtocolAddress& peer) {
  auto record = SessionRecord::deserialize(party.session_bytes(peer));
  HUSH_CHECK(record.has_value() && record->has_current_state());
  return record->current_state()->alice_base_key.serialize();
}

class LibsignalCases : public ::testing::Test {
 protected:
  SignalParty alice{"alice", 501};
  SignalParty bob{"bob", 502};
};

// Mirrors session.rs test_chain_jump_over_limit: a counter 25,001 ahead is
// refused before any key is derived, here on a version-4 session.
TEST_F(LibsignalCases, ChainJumpOverLimitIsRefused) {
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  ASSERT_EQ(text_of(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "hi"))), "hi");
  ASSERT_EQ(text_of(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), "hello"))), "hello");
  for (std::uint32_t i = 0; i < kMaxForwardJumps; ++i) ASSERT_TRUE(alice.encrypt(bob.address(), "x"));
  auto too_far = alice.encrypt(bob.address(), "too far");
  ASSERT_TRUE(too_far);
  const Bytes before = bob.session_bytes(alice.address());
  EXPECT_EQ(bob.decrypt(alice.address(), *too_far).code(), Errc::too_far_ahead);
  EXPECT_EQ(bob.session_bytes(alice.address()), before);
}

// Mirrors session.rs test_message_key_limits: of 2,300 messages, the 1,000th
// and the last decrypt; the 5th, whose key fell out of the 2,000 kept, is a
// duplicate.
TEST_F(LibsignalCases, MessageKeyLimits) {
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  ASSERT_EQ(text_of(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "hi"))), "hi");
  ASSERT_EQ(text_of(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), "hello"))), "hello");
  constexpr std::size_t kTooMany = kMaxSkippedKeysPerChain + 300;
  std::vector<CiphertextMessage> inflight;
  for (std::size_t i = 0; i < kTooMany; ++i) inflight.push_back(*alice.encrypt(bob.address(), std::to_string(i)));
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), inflight[1000])), "1000");
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), inflight[kTooMany - 1])), std::to_string(kTooMany - 1));
  const Bytes before = bob.session_bytes(alice.address());
  EXPECT_EQ(bob.decrypt(alice.address(), inflight[5]).code(), Errc::duplicate_message);
  EXPECT_EQ(bob.session_bytes(alice.address()), before);
}

// Mirrors session.rs test_bad_message_bundle and
// prekey_message_failed_decryption_does_not_update_stores: a version-4
// pre-key message whose inner message fails leaves the one-time EC and
// Kyber pre-keys, the sessions and the identities as they were.
TEST_F(LibsignalCases, FailedPreKeyMessageDoesNotUpdateStores) {
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  const auto genuine = *alice.encrypt(bob.address(), "from alice");
  EXPECT_EQ(bob.decrypt(alice.address(), with_bad_inner_mac(genuine)).code(), Errc::bad_mac);
  EXPECT_EQ(bob.store().pre_keys.size(), 1u);
  EXPECT_EQ(bob.store().kyber_pre_keys.size(), 1u);
  EXPECT_TRUE(bob.session_bytes(alice.address()).empty());
  EXPECT_FALSE(bob.store().identities.identity(alice.address())->has_value());
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), genuine)), "from alice");
  EXPECT_EQ(bob.store().kyber_pre_keys.size(), 0u);
}

// Mirrors session.rs
// prekey_message_failed_decryption_does_not_update_stores_even_when_previously_archived:
// the session a failing pre-key message belongs to stays archived.
TEST_F(LibsignalCases, FailedPreKeyMessageLeavesAnArchivedSessionArchived) {
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  ASSERT_EQ(text_of(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "one"))), "one");
  const auto still_pre_key = *alice.encrypt(bob.address(), "two");  // no answer yet: a pre-key message
  ASSERT_EQ(still_pre_key.type, MessageType::pre_key);
  // Bob archives the session.
  auto record = bob.store().sessions.load_session(alice.address());
  ASSERT_TRUE(record && record->has_value());
  (*record)->archive_current_state();
  ASSERT_TRUE(bob.store().sessions.store_session(alice.address(), **record));
  const Bytes archived = bob.session_bytes(alice.address());

  EXPECT_FALSE(bob.decrypt(alice.address(), with_bad_inner_mac(still_pre_key)));
  EXPECT_EQ(bob.session_bytes(alice.address()), archived) << "still archived, nothing else changed";
  auto after = SessionRecord::deserialize(bob.session_bytes(alice.address()));
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->has_current_state());
}

// Mirrors session.rs prekey_message_to_archived_session: Bob starts a
// session; Alice reads his first message, then starts her own from Bob's
// bundle; Bob's second pre-key message (same session, no answer yet) brings
// his session back to the front of Alice's record.
TEST_F(LibsignalCases, PreKeyMessageToArchivedSessionPromotesIt) {
  ASSERT_TRUE(bob.start_session(alice.address(), alice.make_pq_bundle()));
  ASSERT_EQ(text_of(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), "from bob"))), "from bob");
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  const auto unsent = alice.encrypt(bob.address(), "never sent");
  ASSERT_TRUE(unsent);
  EXPECT_EQ(unsent->type, MessageType::pre_key);
  const auto second = bob.encrypt(alice.address(), "from bob 2");
  ASSERT_TRUE(second);
  ASSERT_EQ(second->type, MessageType::pre_key);
  ASSERT_EQ(text_of(alice.decrypt(bob.address(), *second)), "from bob 2");
  EXPECT_EQ(base_key_of(alice, bob.address()), base_key_of(bob, alice.address()));
  // And the conversation goes on, on Bob's session.
  const auto reply = alice.encrypt(bob.address(), "reply");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, MessageType::whisper);
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), *reply)), "reply");
}

// Mirrors session.rs prekey_message_sent_from_different_user_is_rejected: a
// pre-key message replayed under another sender's address creates no session
// for that sender (libsignal: "reused base key"; Hush: its one-time Kyber
// pre-key is used up).
TEST_F(LibsignalCases, PreKeyMessageReplayedFromAnotherSenderIsRefused) {
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle(/*with_one_time_pre_key=*/false)));
  const auto m = *alice.encrypt(bob.address(), "from alice");
  ASSERT_EQ(text_of(bob.decrypt(alice.address(), m)), "from alice");
  const ProtocolAddress mallory{"mallory", DeviceId{'M'}};
  auto replayed = bob.decrypt(mallory, m);
  EXPECT_FALSE(replayed);
  EXPECT_EQ(replayed.code(), Errc::unknown_pre_key);
  EXPECT_TRUE(bob.session_bytes(mallory).empty()) << "no second session";
}

// Mirrors session.rs test_basic_simultaneous_initiate,
// test_simultaneous_initiate_lost_message and
// test_simultaneous_initiate_repeated_messages on version 4: both start a
// session at once, one message is lost, one repeated; they converge on one
// session and keep talking.
TEST_F(LibsignalCases, SimultaneousInitiateWithLossAndRepeatsConverges) {
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  ASSERT_TRUE(bob.start_session(alice.address(), alice.make_pq_bundle()));
  const auto a1 = *alice.encrypt(bob.address(), "a1");
  const auto b1 = *bob.encrypt(alice.address(), "b1");
  (void)*alice.encrypt(bob.address(), "a2");  // lost
  const auto b2 = *bob.encrypt(alice.address(), "b2");
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), a1)), "a1");
  EXPECT_EQ(text_of(alice.decrypt(bob.address(), b1)), "b1");
  EXPECT_EQ(alice.decrypt(bob.address(), b1).code(), Errc::duplicate_message);
  EXPECT_EQ(text_of(alice.decrypt(bob.address(), b2)), "b2");
  for (int i = 0; i < 5; ++i) {
    const std::string ping = "ping " + std::to_string(i);
    const std::string pong = "pong " + std::to_string(i);
    ASSERT_EQ(text_of(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), ping))), ping);
    ASSERT_EQ(text_of(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), pong))), pong);
  }
  EXPECT_EQ(base_key_of(alice, bob.address()), base_key_of(bob, alice.address()));
  EXPECT_EQ(alice.encrypt(bob.address(), "steady")->type, MessageType::whisper);
}

// Mirrors session.rs test_zero_is_a_valid_prekey_id: one-time, signed and
// Kyber pre-keys with id 0 make a working version-4 session, and the
// pre-key message names them as 0 (present, not absent).
TEST_F(LibsignalCases, ZeroIsAValidPreKeyId) {
  auto identity = bob.store().identities.identity_key_pair();
  ASSERT_TRUE(identity);
  PreKeyRecord one_time{PreKeyId{0}, crypto::KeyPair::generate(bob.rng())};
  ASSERT_TRUE(bob.store().pre_keys.store_pre_key(one_time));
  const auto signed_pre_key = generate_signed_pre_key(*identity, SignedPreKeyId{0}, 0, bob.rng());
  ASSERT_TRUE(bob.store().signed_pre_keys.store_signed_pre_key(signed_pre_key));
  const auto kyber = generate_kyber_pre_key(*identity, KyberPreKeyId{0}, 0, false, bob.rng());
  ASSERT_TRUE(bob.store().kyber_pre_keys.store_kyber_pre_key(kyber));
  PreKeyBundle bundle{*bob.store().identities.local_registration_id(),
                      bob.address().device,
                      PreKeyId{0},
                      one_time.key_pair.public_key,
                      SignedPreKeyId{0},
                      signed_pre_key.key_pair.public_key,
                      signed_pre_key.signature,
                      bob.identity()};
  bundle.kyber_pre_key = BundleKyberPreKey{KyberPreKeyId{0}, kyber.public_key(), kyber.signature};

  ASSERT_TRUE(alice.start_session(bob.address(), bundle));
  const auto m = *alice.encrypt(bob.address(), "zero");
  auto parsed = PreKeySignalMessage::deserialize(m.serialized);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->version(), 4);
  EXPECT_EQ(parsed->pre_key_id(), PreKeyId{0});
  EXPECT_EQ(parsed->signed_pre_key_id(), SignedPreKeyId{0});
  ASSERT_TRUE(parsed->kyber().has_value());
  EXPECT_EQ(parsed->kyber()->id, KyberPreKeyId{0});
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), m)), "zero");
  EXPECT_EQ(bob.store().pre_keys.size(), 0u);
  EXPECT_EQ(bob.store().kyber_pre_keys.size(), 0u);
  EXPECT_EQ(text_of(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), "back"))), "back");
}

// Mirrors ratchet.rs test_bob_rejects_highbit_basekey: a version-4 pre-key
// message whose base key has the top bit of u set (not canonical) is refused
// and changes nothing.
TEST_F(LibsignalCases, HighBitBaseKeyIsRefused) {
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  const auto m = *alice.encrypt(bob.address(), "hi");
  auto parsed = PreKeySignalMessage::deserialize(m.serialized);
  ASSERT_TRUE(parsed);
  const Bytes base_key = parsed->base_key().serialize();
  CiphertextMessage tweaked = m;
  auto at = std::search(tweaked.serialized.begin(), tweaked.serialized.end(), base_key.begin(), base_key.end());
  ASSERT_NE(at, tweaked.serialized.end());
  *(at + 32) |= 0x80;  // the last byte of u, little-endian: bit 255
  auto refused = bob.decrypt(alice.address(), tweaked);
  EXPECT_FALSE(refused);
  EXPECT_TRUE(refused.code() == Errc::bad_key || refused.code() == Errc::decode_error) << errc_name(refused.code());
  EXPECT_TRUE(bob.session_bytes(alice.address()).empty());
  EXPECT_EQ(bob.store().kyber_pre_keys.size(), 1u);
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), m)), "hi");
}

// Mirrors session.rs prekey_message_rejects_wrong_local_recipient_address:
// with Service ID addresses the pre-key message binds sender and recipient
// (libsignal's field 6); decrypted by a device that takes itself for another
// recipient, it is refused, and nothing changes; the right recipient reads it.
TEST_F(LibsignalCases, PreKeyMessageRejectsWrongLocalRecipientAddress) {
  const ProtocolAddress alice_aci{"9d0652a3-dcc3-4d11-975f-74d61598733f", DeviceId{1}};
  const ProtocolAddress bob_aci{"796abedb-ca4e-4f18-8803-1fde5b921f9f", DeviceId{1}};
  const ProtocolAddress mallory_aci{"e80f7bbe-5b94-471e-bd8c-2173654ea3d1", DeviceId{1}};
  ASSERT_TRUE(alice.start_session(bob_aci, bob.make_pq_bundle()));
  SessionCipher alice_to_bob(alice.store().stores(), bob_aci, alice_aci);
  auto m = alice_to_bob.encrypt(as_bytes(std::string_view("bound")), alice.rng());
  ASSERT_TRUE(m);
  ASSERT_EQ(m->type, MessageType::pre_key);
  auto parsed = PreKeySignalMessage::deserialize(m->serialized);
  ASSERT_TRUE(parsed);
  const auto expected = bound_addresses(alice_aci, bob_aci);
  ASSERT_TRUE(expected);
  ASSERT_TRUE(parsed->message().addresses());
  EXPECT_EQ(*parsed->message().addresses(), Bytes(expected->begin(), expected->end()));
  EXPECT_EQ((*expected)[0], 0) << "ACI kind";
  EXPECT_EQ((*expected)[17], 1) << "device";

  SessionCipher as_mallory(bob.store().stores(), alice_aci, mallory_aci);
  EXPECT_EQ(as_mallory.decrypt(m->type, m->serialized, bob.rng()).code(), Errc::bad_mac);
  EXPECT_TRUE(bob.session_bytes(alice_aci).empty());
  EXPECT_EQ(bob.store().kyber_pre_keys.size(), 1u);
  SessionCipher as_bob(bob.store().stores(), alice_aci, bob_aci);
  auto got = as_bob.decrypt(m->type, m->serialized, bob.rng());
  ASSERT_TRUE(got) << errc_name(got.code());
  EXPECT_EQ(to_string(got->expose()), "bound");
  // Without its own address a device neither writes nor checks the field.
  auto reply = bob.encrypt(alice_aci, "reply");
  ASSERT_TRUE(reply);
  EXPECT_EQ(text_of(alice.decrypt(bob_aci, *reply)), "reply");
}

TEST(BoundAddresses, ServiceIdsAsLibsignalParsesThem) {
  const ProtocolAddress aci{"9D0652A3-DCC3-4D11-975F-74D61598733F", DeviceId{2}};
  const ProtocolAddress pni{"PNI:796abedb-ca4e-4f18-8803-1fde5b921f9f", DeviceId{3}};
  auto both = bound_addresses(aci, pni);
  ASSERT_TRUE(both) << "either case";
  EXPECT_EQ((*both)[0], 0);
  EXPECT_EQ((*both)[1], 0x9d);
  EXPECT_EQ((*both)[17], 2);
  EXPECT_EQ((*both)[18], 1) << "PNI kind";
  EXPECT_EQ((*both)[19], 0x79);
  EXPECT_EQ((*both)[35], 3);
  for (const char* name : {"alice", "", "PNI:", "9d0652a3dcc34d11975f74d61598733f",
                           "{9d0652a3-dcc3-4d11-975f-74d61598733f}", "ACI:9d0652a3-dcc3-4d11-975f-74d61598733f"}) {
    EXPECT_FALSE(bound_addresses({name, DeviceId{1}}, pni)) << name;
  }
  EXPECT_FALSE(bound_addresses({aci.name, DeviceId{256}}, pni)) << "a device id is one byte";
}

}  // namespace
}  // namespace hush::signal
