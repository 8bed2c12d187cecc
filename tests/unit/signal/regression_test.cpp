// Regression tests for the known ways Double Ratchet code breaks, one named
// test each (issue #3).
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>
#include <hush/testing/weak_keys.hpp>

#include <algorithm>
#include <vector>

namespace hush::signal {
namespace {
using testing::SignalParty;

class Regression : public ::testing::Test {
 protected:
  SignalParty alice{"alice", 11};
  SignalParty bob{"bob", 12};

  void connect() { ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle())); }
  void establish() {
    connect();
    ASSERT_TRUE(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "setup")));
    ASSERT_TRUE(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), "setup reply")));
  }
  std::vector<CiphertextMessage> burst(int n) {
    std::vector<CiphertextMessage> out;
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) out.push_back(*alice.encrypt(bob.address(), "m" + std::to_string(i)));
    return out;
  }
};

TEST_F(Regression, DuplicateIsRefusedWithChainAndCounterNamedAndChangesNothing) {
  establish();
  auto m = burst(3);
  ASSERT_TRUE(bob.decrypt(alice.address(), m[1]));
  Bytes before = bob.session_bytes(alice.address());
  SessionCipher cipher(bob.store().stores(), alice.address());
  auto again = cipher.decrypt(m[1].type, m[1].serialized, bob.rng());
  EXPECT_EQ(again.code(), Errc::duplicate_message);
  ASSERT_TRUE(cipher.last_failure().counter.has_value());
  EXPECT_EQ(*cipher.last_failure().counter, 1u);
  ASSERT_TRUE(cipher.last_failure().chain.has_value());
  EXPECT_EQ(*cipher.last_failure().chain, SignalMessage::deserialize(m[1].serialized)->ratchet_key());
  EXPECT_NE(cipher.last_failure().describe().find("counter 1"), std::string::npos);
  EXPECT_EQ(bob.session_bytes(alice.address()), before);
  // The neighbours are unaffected.
  EXPECT_EQ(*bob.decrypt(alice.address(), m[0]), "m0");
  EXPECT_EQ(*bob.decrypt(alice.address(), m[2]), "m2");
}

TEST_F(Regression, After2300MessagesOutOfOrderWindowHoldsAndOldestAreDropped) {
  connect();
  auto m = burst(2300);  // counters 0..2299, all pre-key messages
  EXPECT_EQ(*bob.decrypt(alice.address(), m[2299]), "m2299");
  EXPECT_EQ(*bob.decrypt(alice.address(), m[1000]), "m1000");
  // Only the newest 2000 skipped keys are kept: message 5's key is gone.
  SessionCipher cipher(bob.store().stores(), alice.address());
  EXPECT_EQ(cipher.decrypt(m[5].type, m[5].serialized, bob.rng()).code(), Errc::duplicate_message);
  EXPECT_EQ(*bob.decrypt(alice.address(), m[299]), "m299");
  EXPECT_EQ(bob.decrypt(alice.address(), m[298]).code(), Errc::duplicate_message);
}

TEST_F(Regression, JumpOfExactly25000IsAcceptedAnd25001Refused) {
  establish();
  auto first = *alice.encrypt(bob.address(), "first");
  ASSERT_TRUE(bob.decrypt(alice.address(), first));  // bob's chain now expects counter 1
  auto m = burst(25002);                               // counters 1..25002
  Bytes before = bob.session_bytes(alice.address());
  EXPECT_EQ(bob.decrypt(alice.address(), m[25001]).code(), Errc::too_far_ahead);  // counter 25002: jump 25001
  EXPECT_EQ(bob.session_bytes(alice.address()), before);
  EXPECT_EQ(*bob.decrypt(alice.address(), m[25000]), "m25000");  // counter 25001: jump 25000
}

TEST_F(Regression, ForgedFarFutureMessageWithBadMacDoesNotAdvanceTheChain) {
  establish();
  auto m = burst(5001);
  Bytes before = bob.session_bytes(alice.address());
  CiphertextMessage forged = m[5000];
  forged.serialized.back() ^= 0x01;  // the MAC
  EXPECT_EQ(bob.decrypt(alice.address(), forged).code(), Errc::bad_mac);
  EXPECT_EQ(bob.session_bytes(alice.address()), before);
  EXPECT_EQ(*bob.decrypt(alice.address(), m[5000]), "m5000");
  EXPECT_EQ(*bob.decrypt(alice.address(), m[4000]), "m4000");  // within the 2000 kept skipped keys
}

TEST_F(Regression, FailedPreKeyMessageLeavesEveryStoreUntouched) {
  connect();
  auto m = *alice.encrypt(bob.address(), "first contact");
  CiphertextMessage tampered = m;
  // Flip the last byte of the inner SignalMessage's MAC.
  auto parsed = PreKeySignalMessage::deserialize(m.serialized);
  ASSERT_TRUE(parsed);
  const Bytes inner = parsed->message().serialized();
  auto at = std::search(tampered.serialized.begin(), tampered.serialized.end(), inner.begin(), inner.end());
  ASSERT_NE(at, tampered.serialized.end());
  *(at + static_cast<std::ptrdiff_t>(inner.size()) - 1) ^= 0x01;
  EXPECT_EQ(bob.store().pre_keys.size(), 1u);
  EXPECT_EQ(bob.decrypt(alice.address(), tampered).code(), Errc::bad_mac);
  EXPECT_EQ(bob.store().pre_keys.size(), 1u) << "one-time pre-key kept";
  EXPECT_TRUE(bob.session_bytes(alice.address()).empty()) << "no session stored";
  EXPECT_FALSE(bob.store().identities.identity(alice.address())->has_value()) << "no identity saved";
  EXPECT_EQ(*bob.decrypt(alice.address(), m), "first contact");
}

TEST_F(Regression, PreKeyMessageForAnUnknownPreKeyIsRefused) {
  auto bundle = bob.make_bundle();
  ASSERT_TRUE(bob.store().pre_keys.remove_pre_key(*bundle.pre_key_id));
  ASSERT_TRUE(alice.start_session(bob.address(), bundle));
  EXPECT_EQ(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "x")).code(), Errc::unknown_pre_key);
  EXPECT_TRUE(bob.session_bytes(alice.address()).empty());
}

TEST_F(Regression, EverySingleBitFlipOfTheSignedPreKeySignatureIsRefused) {
  auto bundle = bob.make_bundle();
  for (std::size_t bit = 0; bit < 512; ++bit) {
    PreKeyBundle flipped = bundle;
    flipped.signed_pre_key_signature[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_EQ(alice.start_session(bob.address(), flipped).code(), Errc::bad_signature) << "bit " << bit;
  }
  EXPECT_TRUE(alice.session_bytes(bob.address()).empty());
  EXPECT_TRUE(alice.start_session(bob.address(), bundle));
}

TEST_F(Regression, WeakPublicKeysAreRefusedAndAllZeroDhIsNeverUsed) {
  // Small order, high bit, out of range: refused by the parser every key on the wire goes through.
  const char* bad[] = {
      "050000000000000000000000000000000000000000000000000000000000000000",
      "050100000000000000000000000000000000000000000000000000000000000000",
      "05e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
      "055f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
      "05ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "05edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "05eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "05e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1cCc",
  };
  for (const char* hex : bad) {
    EXPECT_EQ(crypto::PublicKey::deserialize(*from_hex(hex)).code(), Errc::bad_key) << hex;
  }
  // A bundle whose unsigned one-time pre-key would give an all-zero DH: refused, nothing stored.
  auto bundle = bob.make_bundle();
  bundle.pre_key = crypto::PublicKey::from_trusted({});
  EXPECT_EQ(alice.start_session(bob.address(), bundle).code(), Errc::bad_key);
  EXPECT_TRUE(alice.session_bytes(bob.address()).empty());
}

TEST_F(Regression, TorsionShiftedRatchetKeyIsRefused) {
  establish();
  // Alice's next message, with its ratchet key replaced by the same key shifted
  // by a point of order 8: refused at parse time, before any DH.
  auto record = *SessionRecord::deserialize(alice.session_bytes(bob.address()));
  const auto& ratchet = record.current_state()->sender_ratchet;
  auto m = *alice.encrypt(bob.address(), "x");
  Bytes bytes = m.serialized;
  auto genuine = ratchet.public_key.serialize();
  auto at = std::search(bytes.begin(), bytes.end(), genuine.begin(), genuine.end());
  ASSERT_NE(at, bytes.end());
  auto shifted = testing::torsion_shifted_public_key(ratchet.private_key);
  std::copy(shifted.begin(), shifted.end(), at + 1);
  Bytes before = bob.session_bytes(alice.address());
  EXPECT_EQ(bob.decrypt(alice.address(), CiphertextMessage{m.type, bytes}).code(), Errc::bad_key);
  EXPECT_EQ(bob.session_bytes(alice.address()), before);
  EXPECT_EQ(*bob.decrypt(alice.address(), m), "x");
}

// The full check of an identity key is skipped when it equals the recorded
// one, so no unchecked key may ever be recorded: a new identity key is checked
// before the trust decision, and a torsion-shifted one is refused as bad_key,
// never offered to the application as a changed key it could accept.
TEST_F(Regression, TorsionShiftedIdentityKeyIsRefusedBeforeTheTrustDecision) {
  auto bundle = bob.make_bundle();
  ASSERT_TRUE(alice.start_session(bob.address(), bundle));
  auto m = *alice.encrypt(bob.address(), "first contact");
  auto identity_pair = *alice.store().identities.identity_key_pair();
  auto genuine = identity_pair.public_key.serialize();
  auto shifted = testing::torsion_shifted_public_key(identity_pair.private_key);
  Bytes bytes = m.serialized;
  auto at = std::search(bytes.begin(), bytes.end(), genuine.begin(), genuine.end());
  ASSERT_NE(at, bytes.end());
  std::copy(shifted.begin(), shifted.end(), at + 1);
  const CiphertextMessage forged{m.type, bytes};

  // First contact: nothing recorded, the key is refused.
  EXPECT_EQ(bob.decrypt(alice.address(), forged).code(), Errc::bad_key);
  EXPECT_FALSE(bob.store().identities.identity(alice.address())->has_value());

  // A different key recorded: still bad_key, not untrusted_identity, and the record stays.
  SignalParty other{"alice", 99};
  ASSERT_TRUE(bob.store().identities.save_identity(alice.address(), other.identity()));
  EXPECT_EQ(bob.decrypt(alice.address(), forged).code(), Errc::bad_key);
  EXPECT_EQ(**bob.store().identities.identity(alice.address()), other.identity());
  EXPECT_EQ(bob.decrypt(alice.address(), m).code(), Errc::untrusted_identity) << "the genuine changed key";
}

TEST_F(Regression, BundleWithAChangedIdentityIsCheckedBeforeTrustAndRefusedWhole) {
  auto bundle = bob.make_bundle();
  // A bundle whose signature does not verify is bad_signature whatever the
  // trust state: the check comes first, so nothing about the key is recorded.
  SignalParty other{"bob", 98};
  ASSERT_TRUE(alice.store().identities.save_identity(bob.address(), other.identity()));
  PreKeyBundle broken = bundle;
  broken.signed_pre_key_signature[0] ^= 1;
  EXPECT_EQ(alice.start_session(bob.address(), broken).code(), Errc::bad_signature);
  EXPECT_EQ(alice.start_session(bob.address(), bundle).code(), Errc::untrusted_identity);
  EXPECT_EQ(**alice.store().identities.identity(bob.address()), other.identity());
  EXPECT_TRUE(alice.session_bytes(bob.address()).empty());
}

TEST_F(Regression, SimultaneousInitiationWithLossAndRepeatsConverges) {
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  ASSERT_TRUE(bob.start_session(alice.address(), alice.make_bundle()));
  auto a1 = *alice.encrypt(bob.address(), "a1");
  auto b1 = *bob.encrypt(alice.address(), "b1");
  auto a2 = *alice.encrypt(bob.address(), "a2");  // lost
  auto b2 = *bob.encrypt(alice.address(), "b2");
  EXPECT_EQ(*bob.decrypt(alice.address(), a1), "a1");
  EXPECT_EQ(*alice.decrypt(bob.address(), b1), "b1");
  EXPECT_EQ(alice.decrypt(bob.address(), b1).code(), Errc::duplicate_message);  // repeated
  EXPECT_EQ(*alice.decrypt(bob.address(), b2), "b2");
  (void)a2;
  // A quiet exchange afterwards: both end on the same session.
  for (int i = 0; i < 3; ++i) {
    auto from_a = *alice.encrypt(bob.address(), "ping" + std::to_string(i));
    EXPECT_EQ(*bob.decrypt(alice.address(), from_a), "ping" + std::to_string(i));
    auto from_b = *bob.encrypt(alice.address(), "pong" + std::to_string(i));
    EXPECT_EQ(*alice.decrypt(bob.address(), from_b), "pong" + std::to_string(i));
  }
  auto ra = *SessionRecord::deserialize(alice.session_bytes(bob.address()));
  auto rb = *SessionRecord::deserialize(bob.session_bytes(alice.address()));
  EXPECT_EQ(ra.current_state()->alice_base_key, rb.current_state()->alice_base_key);
  EXPECT_EQ(alice.encrypt(bob.address(), "steady")->type, MessageType::whisper);
}

TEST_F(Regression, MessageReflectedToItsSenderIsRefused) {
  establish();
  auto m = *alice.encrypt(bob.address(), "to bob");
  Bytes before = alice.session_bytes(bob.address());
  EXPECT_FALSE(alice.decrypt(bob.address(), m));
  EXPECT_EQ(alice.session_bytes(bob.address()), before);
  EXPECT_EQ(*bob.decrypt(alice.address(), m), "to bob");
}

TEST_F(Regression, MessageRedirectedToAThirdPartyIsRefused) {
  SignalParty carol{"carol", 13};
  (void)carol.make_bundle();  // carol holds pre-key 1 and signed pre-key 1, like bob
  connect();
  auto first = *alice.encrypt(bob.address(), "for bob only");
  EXPECT_FALSE(carol.decrypt(alice.address(), first));
  EXPECT_TRUE(carol.session_bytes(alice.address()).empty());
  EXPECT_EQ(carol.store().pre_keys.size(), 1u);
  ASSERT_TRUE(bob.decrypt(alice.address(), first));
  ASSERT_TRUE(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), "reply")));
  auto later = *alice.encrypt(bob.address(), "whisper for bob");
  EXPECT_EQ(carol.decrypt(alice.address(), later).code(), Errc::no_session);
}

}  // namespace
}  // namespace hush::signal
