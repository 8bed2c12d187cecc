// Wire-format parsing: complete validation before use.
#include <hush/signal/messages.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {
using testing::SignalParty;

TEST(SignalMessage, RoundTripsAndKeepsItsBytes) {
  testing::DeterministicRng rng(1);
  auto ratchet = crypto::KeyPair::generate(rng);
  auto a = crypto::KeyPair::generate(rng);
  auto b = crypto::KeyPair::generate(rng);
  Bytes mac_key(32, 7);
  auto m = SignalMessage::create(kCiphertextVersion, ratchet.public_key, 42, 7, Bytes(32, 1), mac_key, a.public_key,
                                 b.public_key);
  EXPECT_EQ(m.serialized()[0], 0x33);
  auto parsed = SignalMessage::deserialize(m.serialized());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->counter(), 42u);
  EXPECT_EQ(parsed->previous_counter(), 7u);
  EXPECT_EQ(parsed->ratchet_key(), ratchet.public_key);
  EXPECT_TRUE(parsed->verify_mac(a.public_key, b.public_key, mac_key));
  EXPECT_FALSE(parsed->verify_mac(b.public_key, a.public_key, mac_key)) << "direction is bound into the MAC";
}

TEST(SignalMessage, RefusesWrongVersionsTruncationAndGarbage) {
  testing::DeterministicRng rng(2);
  auto k = crypto::KeyPair::generate(rng);
  auto m = SignalMessage::create(kCiphertextVersion, k.public_key, 1, 0, Bytes(16, 1), Bytes(32, 1), k.public_key,
                                 k.public_key);
  Bytes bytes = m.serialized();
  for (std::uint8_t v : {0x23, 0x53, 0x13, 0x00, 0xff}) {
    Bytes b = bytes;
    b[0] = v;
    EXPECT_EQ(SignalMessage::deserialize(b).code(), Errc::unsupported_version);
  }
  EXPECT_EQ(SignalMessage::deserialize(ByteView(bytes).first(9)).code(), Errc::bad_length);
  EXPECT_FALSE(SignalMessage::deserialize(Bytes{0x33, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    auto r = SignalMessage::deserialize(ByteView(bytes).first(cut));
    if (r) {
      EXPECT_FALSE(r->verify_mac(k.public_key, k.public_key, Bytes(32, 1))) << cut;
    }
  }
}

TEST(SignalMessage, RefusesBadRatchetKeys) {
  testing::DeterministicRng rng(3);
  auto k = crypto::KeyPair::generate(rng);
  auto m = SignalMessage::create(kCiphertextVersion, k.public_key, 1, 0, Bytes(16, 1), Bytes(32, 1), k.public_key,
                                 k.public_key);
  Bytes bytes = m.serialized();
  // protobuf: field 1 (tag 0x0a), length 33, then 0x05 and the key.
  ASSERT_EQ(bytes[1], 0x0a);
  ASSERT_EQ(bytes[2], 33);
  Bytes zero = bytes;
  std::fill(zero.begin() + 4, zero.begin() + 36, 0);
  EXPECT_EQ(SignalMessage::deserialize(zero).code(), Errc::bad_key);
  Bytes high = bytes;
  high[35] |= 0x80;
  EXPECT_EQ(SignalMessage::deserialize(high).code(), Errc::bad_key);
  Bytes type = bytes;
  type[3] = 0x06;
  EXPECT_EQ(SignalMessage::deserialize(type).code(), Errc::bad_key);
}

TEST(PreKeySignalMessage, ParsesWhatEncryptProduces) {
  SignalParty alice{"alice", 1};
  SignalParty bob{"bob", 2};
  auto bundle = bob.make_bundle();
  ASSERT_TRUE(alice.start_session(bob.address(), bundle));
  auto m = alice.encrypt(bob.address(), "x");
  auto parsed = PreKeySignalMessage::deserialize(m->serialized);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->identity_key(), alice.identity());
  EXPECT_EQ(parsed->pre_key_id(), bundle.pre_key_id);
  EXPECT_EQ(parsed->signed_pre_key_id(), bundle.signed_pre_key_id);
  EXPECT_EQ(parsed->registration_id(), *alice.store().identities.local_registration_id());
  EXPECT_EQ(parsed->message().counter(), 0u);
}

TEST(PreKeySignalMessage, RefusesMissingFieldsAndTruncation) {
  SignalParty alice{"alice", 1};
  SignalParty bob{"bob", 2};
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  Bytes bytes = alice.encrypt(bob.address(), "x")->serialized;
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(PreKeySignalMessage::deserialize(ByteView(bytes).first(cut))) << cut;
  }
  EXPECT_EQ(PreKeySignalMessage::deserialize(Bytes{0x33}).code(), Errc::bad_length);
  EXPECT_EQ(PreKeySignalMessage::deserialize(Bytes{0x33, 0x28, 0x01}).code(), Errc::decode_error);
}

}  // namespace
}  // namespace hush::signal
