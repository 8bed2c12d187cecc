// PQXDH and message version 4 between two Hush devices (issue #15): setup
// from a bundle with a Kyber pre-key, the version-4 wire forms, Kyber pre-key
// consumption, refusals that leave every store unchanged, and no downgrade.
#include <hush/signal/constants.hpp>
#include <hush/signal/messages.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {

using testing::SignalParty;

std::string text_of(Result<std::string> r) {
  return r ? *r : std::string("error: ") + std::string(errc_name(r.code()));
}

std::uint32_t current_version(const SignalParty& party, const ProtocolAddress& peer) {
  auto record = SessionRecord::deserialize(party.session_bytes(peer));
  HUSH_CHECK(record.has_value() && record->has_current_state());
  return record->current_state()->session_version;
}

TEST(Pqxdh, SessionFromAKyberBundleIsVersion4BothWays) {
  SignalParty alice("alice", 1);
  SignalParty bob("bob", 2);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  EXPECT_EQ(current_version(alice, bob.address()), 4u);

  auto first = alice.encrypt(bob.address(), "hello, post-quantum bob");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->type, MessageType::pre_key);
  EXPECT_EQ(first->serialized[0], 0x44);
  auto parsed = PreKeySignalMessage::deserialize(first->serialized);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->version(), 4);
  ASSERT_TRUE(parsed->kyber().has_value());
  EXPECT_EQ(parsed->kyber()->id, KyberPreKeyId{1});
  EXPECT_EQ(parsed->message().serialized()[0], 0x44);
  EXPECT_FALSE(parsed->message().pq_ratchet().empty()) << "every version-4 message carries SPQR (V1)";

  ASSERT_EQ(bob.store().kyber_pre_keys.size(), 1u);
  auto got = bob.decrypt(alice.address(), *first);
  ASSERT_TRUE(got) << errc_name(got.code());
  EXPECT_EQ(*got, "hello, post-quantum bob");
  EXPECT_EQ(current_version(bob, alice.address()), 4u);
  EXPECT_EQ(bob.store().kyber_pre_keys.size(), 0u) << "a one-time Kyber pre-key is used once";
  EXPECT_EQ(bob.store().pre_keys.size(), 0u);

  for (int round = 0; round < 5; ++round) {
    auto reply = bob.encrypt(alice.address(), "reply " + std::to_string(round));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->type, MessageType::whisper);
    EXPECT_EQ(reply->serialized[0], 0x44);
    ASSERT_EQ(text_of(alice.decrypt(bob.address(), *reply)), "reply " + std::to_string(round));
    auto next = alice.encrypt(bob.address(), "again " + std::to_string(round));
    ASSERT_TRUE(next);
    EXPECT_EQ(next->type, MessageType::whisper) << "the answer ends the pre-key phase";
    ASSERT_EQ(text_of(bob.decrypt(alice.address(), *next)), "again " + std::to_string(round));
  }
}

TEST(Pqxdh, SecondPreKeyMessageOfTheSameSessionDecryptsAndConsumesNothingMore) {
  SignalParty alice("alice", 3);
  SignalParty bob("bob", 4);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle(false)));
  auto m1 = alice.encrypt(bob.address(), "one");
  auto m2 = alice.encrypt(bob.address(), "two");
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), *m2)), "two");
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), *m1)), "one");
  EXPECT_EQ(bob.decrypt(alice.address(), *m1).code(), Errc::duplicate_message);
}

TEST(Pqxdh, LastResortKyberKeyIsKeptForTheNextInitiator) {
  SignalParty bob("bob", 5);
  auto bundle = bob.make_pq_bundle(false, true);
  for (std::uint64_t seed : {6, 7}) {
    SignalParty alice("alice" + std::to_string(seed), seed);
    ASSERT_TRUE(alice.start_session(bob.address(), bundle));
    auto m = alice.encrypt(bob.address(), "hi");
    ASSERT_TRUE(m);
    EXPECT_EQ(text_of(bob.decrypt(alice.address(), *m)), "hi");
    EXPECT_EQ(bob.store().kyber_pre_keys.size(), 1u);
  }
}

// libsignal's last-resort replay rule: the same {Kyber id, signed pre-key id,
// base key} again, once no kept state knows the base key, is refused and does
// not replace the current session.
TEST(Pqxdh, ReplayOnALastResortKyberKeyIsRefusedWhenItsStateIsGone) {
  SignalParty alice("alice", 24);
  SignalParty bob("bob", 25);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle(false, true)));
  auto m = alice.encrypt(bob.address(), "once");
  ASSERT_TRUE(m);
  ASSERT_EQ(text_of(bob.decrypt(alice.address(), *m)), "once");
  // Bob's state for that base key is gone (e.g. archived out); a later session replaces it.
  bob.store().sessions.put_raw(alice.address(), SessionRecord().serialize());
  SignalParty carol("alice", 26);  // another device state at the same address
  ASSERT_TRUE(carol.start_session(bob.address(), bob.make_pq_bundle(false, false)));
  ASSERT_TRUE(bob.store().identities.save_identity(alice.address(), carol.identity()));
  auto fresh = carol.encrypt(bob.address(), "fresh");
  ASSERT_TRUE(fresh);
  ASSERT_EQ(text_of(bob.decrypt(alice.address(), *fresh)), "fresh");
  const Bytes before = bob.session_bytes(alice.address());
  ASSERT_TRUE(bob.store().identities.save_identity(alice.address(), alice.identity()));
  EXPECT_EQ(bob.decrypt(alice.address(), *m).code(), Errc::duplicate_message);
  EXPECT_EQ(bob.session_bytes(alice.address()), before) << "the replay did not replace the session";
}

TEST(Pqxdh, BundleWithABadKyberSignatureIsRefused) {
  SignalParty alice("alice", 8);
  SignalParty bob("bob", 9);
  auto bundle = bob.make_pq_bundle();
  bundle.kyber_pre_key->signature[5] ^= 1;
  EXPECT_EQ(alice.start_session(bob.address(), bundle).code(), Errc::bad_signature);
  EXPECT_TRUE(alice.session_bytes(bob.address()).empty());
  // A signature over another Kyber key of the same identity does not transfer.
  auto a = bob.make_pq_bundle();
  auto b = bob.make_pq_bundle();
  a.kyber_pre_key->signature = b.kyber_pre_key->signature;
  EXPECT_EQ(alice.start_session(bob.address(), a).code(), Errc::bad_signature);
}

TEST(Pqxdh, BundleWithoutKyberDoesNotReplaceAVersion4Session) {
  SignalParty alice("alice", 10);
  SignalParty bob("bob", 11);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  const Bytes before = alice.session_bytes(bob.address());
  EXPECT_EQ(alice.start_session(bob.address(), bob.make_bundle()).code(), Errc::invalid_message);
  EXPECT_EQ(alice.session_bytes(bob.address()), before);
  // A version-3 session may still be upgraded.
  SignalParty carol("carol", 12);
  ASSERT_TRUE(carol.start_session(bob.address(), bob.make_bundle()));
  EXPECT_EQ(current_version(carol, bob.address()), 3u);
  ASSERT_TRUE(carol.start_session(bob.address(), bob.make_pq_bundle()));
  EXPECT_EQ(current_version(carol, bob.address()), 4u);
}

TEST(Pqxdh, UnknownKyberPreKeyIsRefusedAndNothingChanges) {
  SignalParty alice("alice", 13);
  SignalParty bob("bob", 14);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  auto m = alice.encrypt(bob.address(), "hi");
  ASSERT_TRUE(m);
  SignalParty bob_elsewhere("bob", 14);  // same keys, but no Kyber pre-key stored
  EXPECT_EQ(bob_elsewhere.decrypt(alice.address(), *m).code(), Errc::unknown_pre_key);
  EXPECT_TRUE(bob_elsewhere.session_bytes(alice.address()).empty());
}

// A ciphertext changed on the way decapsulates (implicit rejection) to a
// secret Alice does not have: the MAC fails and Bob's stores stay as they were.
TEST(Pqxdh, TamperedKyberCiphertextFailsTheMacAndChangesNothing) {
  SignalParty alice("alice", 15);
  SignalParty bob("bob", 16);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  auto m = alice.encrypt(bob.address(), "hi");
  ASSERT_TRUE(m);
  auto parsed = PreKeySignalMessage::deserialize(m->serialized);
  ASSERT_TRUE(parsed);
  Bytes ct = serialize_kyber_ciphertext(parsed->kyber()->ciphertext);
  ct[100] ^= 0x01;
  auto tampered_ct = deserialize_kyber_ciphertext(ct);
  ASSERT_TRUE(tampered_ct);
  auto tampered = PreKeySignalMessage::create(parsed->registration_id(), parsed->pre_key_id(),
                                              parsed->signed_pre_key_id(), parsed->base_key(), parsed->identity_key(),
                                              parsed->message(), KyberPayload{parsed->kyber()->id, *tampered_ct});
  EXPECT_EQ(bob.decrypt(alice.address(), {MessageType::pre_key, tampered.serialized()}).code(), Errc::bad_mac);
  EXPECT_TRUE(bob.session_bytes(alice.address()).empty());
  EXPECT_EQ(bob.store().kyber_pre_keys.size(), 1u);
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), *m)), "hi") << "the genuine message still decrypts";
}

// An SPQR part that is not SPQR's bytes is refused before the MAC check
// (decode_error) and the session is left as it was.
TEST(Pqxdh, MessageWithAForgedSpqrPartIsRefusedAndChangesNothing) {
  SignalParty alice("alice", 17);
  SignalParty bob("bob", 18);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  auto m = alice.encrypt(bob.address(), "hi");
  ASSERT_TRUE(m);
  ASSERT_TRUE(bob.decrypt(alice.address(), *m));
  auto reply = bob.encrypt(alice.address(), "reply");
  ASSERT_TRUE(reply);
  auto parsed = SignalMessage::deserialize(reply->serialized);
  ASSERT_TRUE(parsed);
  const Bytes spqr{0x01, 0x02, 0x03};
  auto with_spqr =
      SignalMessage::create(4, parsed->ratchet_key(), parsed->counter(), parsed->previous_counter(),
                            to_bytes(parsed->ciphertext()), Bytes(32, 7), bob.identity(), alice.identity(), spqr);
  auto reparsed = SignalMessage::deserialize(with_spqr.serialized());
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(to_bytes(reparsed->pq_ratchet()), spqr);
  const Bytes before = alice.session_bytes(bob.address());
  EXPECT_EQ(alice.decrypt(bob.address(), {MessageType::whisper, with_spqr.serialized()}).code(), Errc::decode_error);
  EXPECT_EQ(alice.session_bytes(bob.address()), before);
  EXPECT_EQ(text_of(alice.decrypt(bob.address(), *reply)), "reply");
}

TEST(PreKeySignalMessageV4, KyberFieldsMustMatchTheVersion) {
  SignalParty alice("alice", 19);
  SignalParty bob("bob", 20);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  auto m = alice.encrypt(bob.address(), "hi");
  ASSERT_TRUE(m);
  const Bytes& bytes = m->serialized;
  // Version byte 0x34 on a message with Kyber fields (and a version-4 inner message).
  Bytes v3 = bytes;
  v3[0] = 0x33;
  EXPECT_EQ(PreKeySignalMessage::deserialize(v3).code(), Errc::invalid_message);
  // Every truncation is refused or parses to something whose MAC fails.
  for (std::size_t cut = 0; cut < bytes.size(); cut += 7) {
    auto r = PreKeySignalMessage::deserialize(ByteView(bytes).first(cut));
    EXPECT_FALSE(r) << cut;
  }
  // A version-3 pre-key message between v3 parties has no Kyber fields.
  SignalParty carol("carol", 21);
  ASSERT_TRUE(carol.start_session(bob.address(), bob.make_bundle()));
  auto old = carol.encrypt(bob.address(), "hi");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->serialized[0], 0x33);
  auto parsed_old = PreKeySignalMessage::deserialize(old->serialized);
  ASSERT_TRUE(parsed_old);
  EXPECT_FALSE(parsed_old->kyber().has_value());
  Bytes v4 = old->serialized;
  v4[0] = 0x44;
  EXPECT_EQ(PreKeySignalMessage::deserialize(v4).code(), Errc::invalid_message) << "version 4 needs Kyber";
}

TEST(SessionRecordV4, RoundTripsAVersion4SessionByteForByte) {
  SignalParty alice("alice", 22);
  SignalParty bob("bob", 23);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  const Bytes bytes = alice.session_bytes(bob.address());
  auto record = SessionRecord::deserialize(bytes);
  ASSERT_TRUE(record);
  const SessionState& s = *record->current_state();
  EXPECT_EQ(s.session_version, 4u);
  ASSERT_TRUE(s.pq_ratchet_seed.has_value());
  ASSERT_TRUE(s.pending_pre_key && s.pending_pre_key->kyber);
  EXPECT_EQ(to_bytes(record->serialize().expose()), bytes);
  // Format 3 predates version-4 states: the same bytes labelled 3 are refused.
  Bytes as_format3 = bytes;
  ASSERT_EQ(as_format3[0], 0x08);  // field 1, varint
  ASSERT_EQ(as_format3[1], kSessionRecordFormatVersion);
  as_format3[1] = 3;
  EXPECT_EQ(SessionRecord::deserialize(as_format3).code(), Errc::decode_error);
  // Damage is refused or, where the layout cannot tell, changes the keys; never a crash.
  for (std::size_t i = 0; i < bytes.size(); i += 11) {
    Bytes damaged = bytes;
    damaged[i] ^= 0xA5;
    (void)SessionRecord::deserialize(damaged);
  }
}

}  // namespace
}  // namespace hush::signal
