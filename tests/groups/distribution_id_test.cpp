// Sender Keys in today's libsignal format (issue #15): the distribution id,
// both wire messages with their exact field layout, the parser's typed
// refusals, and groups run through GroupSessionBuilder / GroupCipher with
// records keyed by (sender, distribution id). The key_id format's own tests
// are in sender_key_messages_test.cpp and group_session_test.cpp.
#include <hush/crypto/xeddsa.hpp>
#include <hush/signal/distribution_id.hpp>
#include <hush/signal/group_cipher.hpp>
#include <hush/signal/group_session_builder.hpp>
#include <hush/signal/in_memory_stores.hpp>
#include <hush/signal/sender_key_messages.hpp>
#include <hush/signal/sender_key_record.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {

constexpr auto kKeyId = SenderKeyFormat::key_id;
constexpr auto kDistribution = SenderKeyFormat::distribution_id;

const DistributionId kId = *DistributionId::parse("d1d1d1d1-0000-4000-8000-000000000001");
const ProtocolAddress kAlice{"alice", DeviceId{1}};

std::string text(const SecretBuffer& b) {
  return std::string(reinterpret_cast<const char*>(b.expose().data()), b.size());
}

Bytes bytes_of(const SecretBuffer& b) {
  return to_bytes(b.expose());
}

// A version byte to append fields to (reserved: g++ 12 warns wrongly about
// inserting into a one-byte vector).
Bytes versioned() {
  Bytes b;
  b.reserve(256);
  b.push_back(0x33);
  return b;
}

// A protobuf length-delimited field: tag, length, bytes.
void put_field(Bytes& out, std::uint8_t tag, ByteView value) {
  out.push_back(tag);
  out.push_back(static_cast<std::uint8_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
}

TEST(DistributionId, TextFormRoundTripsAndIsStrict) {
  const std::string canonical = "5f3a0c1e-9b2d-4e6f-8a7b-0123456789ab";
  auto id = DistributionId::parse(canonical);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->to_string(), canonical);
  EXPECT_EQ(id->bytes()[0], 0x5f);
  EXPECT_EQ(id->bytes()[15], 0xab);
  EXPECT_EQ(DistributionId::parse("5F3A0C1E-9B2D-4E6F-8A7B-0123456789AB")->to_string(), canonical);
  for (const char* bad : {"", "5f3a0c1e9b2d4e6f8a7b0123456789ab", "5f3a0c1e-9b2d-4e6f-8a7b-0123456789a",
                          "5f3a0c1e-9b2d-4e6f-8a7b0-123456789ab", "5f3a0c1e-9b2d-4e6f-8a7b-0123456789ag",
                          "{f3a0c1e-9b2d-4e6f-8a7b-0123456789ab"}) {
    EXPECT_EQ(DistributionId::parse(bad).code(), Errc::decode_error) << bad;
  }
  EXPECT_EQ(DistributionId::from_bytes(Bytes(15, 1)).code(), Errc::bad_length);
  EXPECT_EQ(DistributionId::from_bytes(Bytes(17, 1)).code(), Errc::bad_length);
  testing::DeterministicRng rng(1);
  const DistributionId random = DistributionId::generate(rng);
  EXPECT_EQ(random.bytes()[6] >> 4, 4) << "version 4";
  EXPECT_EQ(random.bytes()[8] >> 6, 2) << "RFC variant";
  EXPECT_NE(random, DistributionId::generate(rng));
  EXPECT_EQ(sender_key_name(kId, kAlice), (SenderKeyName{kId.to_string(), kAlice}));
}

struct Fixture {
  testing::DeterministicRng rng{21};
  crypto::KeyPair signing = crypto::KeyPair::generate(rng);
  crypto::XeddsaSigner signer{signing.private_key};
};

// libsignal's wire.proto: distribution_uuid = 1, chain_id = 2, iteration = 3,
// ciphertext = 4, each written (prost writes every Some field, in order).
TEST(DistributionSenderKeyMessage, LayoutIsLibsignalsAndRoundTrips) {
  Fixture f;
  auto m = SenderKeyMessage::create(kId, SenderChainId{42}, 0, Bytes(32, 0xab), f.signer, f.rng);
  EXPECT_EQ(m.format(), kDistribution);
  Bytes expected = versioned();
  put_field(expected, 0x0a, kId.bytes());
  expected.insert(expected.end(), {0x10, 42, 0x18, 0});
  put_field(expected, 0x22, Bytes(32, 0xab));
  const Bytes& s = m.serialized();
  ASSERT_EQ(s.size(), expected.size() + crypto::kSignatureSize);
  EXPECT_EQ(to_hex(ByteView(s).first(expected.size())), to_hex(expected));
  auto parsed = SenderKeyMessage::deserialize(s, kDistribution);
  ASSERT_TRUE(parsed) << errc_name(parsed.code());
  EXPECT_EQ(parsed->distribution_id(), kId);
  EXPECT_EQ(parsed->chain_id(), SenderChainId{42});
  EXPECT_EQ(parsed->iteration(), 0u);
  EXPECT_EQ(to_bytes(parsed->ciphertext()), Bytes(32, 0xab));
  EXPECT_TRUE(parsed->verify_signature(f.signing.public_key));
  // The signature covers the distribution id.
  Bytes other_id = s;
  other_id[3] ^= 1;
  auto reparsed = SenderKeyMessage::deserialize(other_id, kDistribution);
  ASSERT_TRUE(reparsed);
  EXPECT_FALSE(reparsed->verify_signature(f.signing.public_key));
}

TEST(DistributionSenderKeyMessage, RefusesMalformedInputWithTypedErrors) {
  Fixture f;
  const Bytes good = SenderKeyMessage::create(kId, SenderChainId{1}, 5, Bytes(16, 1), f.signer, f.rng).serialized();
  const Bytes signature(crypto::kSignatureSize, 0);
  auto framed = [&](const Bytes& body) {
    Bytes out = versioned();
    out.insert(out.end(), body.begin(), body.end());
    out.insert(out.end(), signature.begin(), signature.end());
    return out;
  };
  EXPECT_EQ(SenderKeyMessage::deserialize(ByteView(good).first(1 + crypto::kSignatureSize), kDistribution).code(),
            Errc::bad_length);
  Bytes version = good;
  version[0] = 0x43;
  EXPECT_EQ(SenderKeyMessage::deserialize(version, kDistribution).code(), Errc::unsupported_version);
  Bytes short_id;
  put_field(short_id, 0x0a, Bytes(15, 7));
  short_id.insert(short_id.end(), {0x10, 1, 0x18, 1, 0x22, 1, 9});
  EXPECT_EQ(SenderKeyMessage::deserialize(framed(short_id), kDistribution).code(), Errc::decode_error);
  Bytes no_id{0x10, 1, 0x18, 1, 0x22, 1, 9};
  EXPECT_EQ(SenderKeyMessage::deserialize(framed(no_id), kDistribution).code(), Errc::decode_error);
  Bytes truncated{0x22, 40, 9};
  EXPECT_EQ(SenderKeyMessage::deserialize(framed(truncated), kDistribution).code(), Errc::decode_error);
  // Each format refuses the other's bytes: never read with the wrong fields.
  EXPECT_EQ(SenderKeyMessage::deserialize(good, kKeyId).code(), Errc::decode_error);
  const Bytes legacy = SenderKeyMessage::create(SenderChainId{1}, 5, Bytes(16, 1), f.signer, f.rng).serialized();
  EXPECT_EQ(SenderKeyMessage::deserialize(legacy, kDistribution).code(), Errc::decode_error);
  EXPECT_EQ(SenderKeyMessage::deserialize(legacy)->format(), kKeyId);
}

// distribution_uuid = 1, chain_id = 2, iteration = 3, chain_key = 4, signing_key = 5.
TEST(DistributionSenderKeyDistributionMessage, LayoutIsLibsignalsAndRefusesBadInput) {
  Fixture f;
  SenderChainKey chain(SecretBytes<32>::from(Bytes(32, 0x11)), 3);
  auto m = SenderKeyDistributionMessage::create(kId, SenderChainId{7}, chain, f.signing.public_key);
  Bytes expected = versioned();
  put_field(expected, 0x0a, kId.bytes());
  expected.insert(expected.end(), {0x10, 7, 0x18, 3});
  put_field(expected, 0x22, Bytes(32, 0x11));
  put_field(expected, 0x2a, f.signing.public_key.serialize());
  EXPECT_EQ(to_hex(m.serialized().expose()), to_hex(expected));
  auto parsed = SenderKeyDistributionMessage::deserialize(expected, kDistribution);
  ASSERT_TRUE(parsed) << errc_name(parsed.code());
  EXPECT_EQ(parsed->distribution_id(), kId);
  EXPECT_EQ(parsed->chain_id(), SenderChainId{7});
  EXPECT_EQ(parsed->iteration(), 3u);
  EXPECT_TRUE(ct_equal(parsed->chain_key().key(), chain.key()));
  EXPECT_EQ(parsed->signing_key(), f.signing.public_key);
  EXPECT_EQ(parsed->clone().distribution_id(), kId);

  auto with = [&](std::uint8_t tag, ByteView value) {
    Bytes out = versioned();
    put_field(out, 0x0a, tag == 0x0a ? value : ByteView(kId.bytes()));
    out.insert(out.end(), {0x10, 7, 0x18, 3});
    put_field(out, 0x22, tag == 0x22 ? value : ByteView(Bytes(32, 0x11)));
    put_field(out, 0x2a, tag == 0x2a ? value : ByteView(f.signing.public_key.serialize()));
    return out;
  };
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(with(0x0a, Bytes(16, 2)), kDistribution)->distribution_id(),
            DistributionId::from_bytes(Bytes(16, 2)).value());
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(with(0x0a, Bytes(17, 2)), kDistribution).code(),
            Errc::decode_error);
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(with(0x22, Bytes(31, 1)), kDistribution).code(),
            Errc::bad_length);
  Bytes small_order(33, 0);
  small_order[0] = 0x05;
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(with(0x2a, small_order), kDistribution).code(), Errc::bad_key);
  Bytes missing = expected;
  missing.resize(missing.size() - 35);  // no signing key
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(missing, kDistribution).code(), Errc::decode_error);
  Bytes version = expected;
  version[0] = 0x23;
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(version, kDistribution).code(), Errc::unsupported_version);
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(expected, kKeyId).code(), Errc::decode_error);
  const auto legacy = SenderKeyDistributionMessage::create(SenderChainId{7}, chain, f.signing.public_key);
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(legacy.serialized().expose(), kDistribution).code(),
            Errc::decode_error);
}

struct Group {
  testing::DeterministicRng rng{31};
  InMemorySenderKeyStore alice_store;
  InMemorySenderKeyStore bob_store;
  GroupCipher alice{alice_store, kId, kAlice};
  GroupCipher bob_reads_alice{bob_store, kId, kAlice};

  void distribute() {
    GroupSessionBuilder builder(alice_store);
    auto skdm = builder.create_distribution(kId, kAlice, rng);
    ASSERT_TRUE(skdm);
    EXPECT_EQ(skdm->format(), kDistribution);
    auto received = SenderKeyDistributionMessage::deserialize(skdm->serialized().expose(), kDistribution);
    ASSERT_TRUE(received);
    ASSERT_TRUE(GroupSessionBuilder(bob_store).process(kAlice, *received));
  }
};

TEST(DistributionGroupCipher, MessagesFlowOutOfOrderAndDuplicatesAreRefused) {
  Group g;
  ASSERT_NO_FATAL_FAILURE(g.distribute());
  EXPECT_NE(g.alice_store.raw(sender_key_name(kId, kAlice)), nullptr) << "keyed by (sender, distribution id)";
  std::vector<Bytes> sent;
  for (int i = 0; i < 10; ++i) {
    auto m = g.alice.encrypt(as_bytes("message " + std::to_string(i)), g.rng);
    ASSERT_TRUE(m);
    auto parsed = SenderKeyMessage::deserialize(m->serialized, kDistribution);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->distribution_id(), kId);
    EXPECT_EQ(parsed->iteration(), static_cast<std::uint32_t>(i));
    sent.push_back(m->serialized);
  }
  for (int i : {9, 2, 0, 5, 1, 3, 4, 8, 6, 7}) {
    auto got = g.bob_reads_alice.decrypt(sent[i]);
    ASSERT_TRUE(got) << i << ": " << errc_name(got.code());
    EXPECT_EQ(text(*got), "message " + std::to_string(i));
  }
  const Bytes before = bytes_of(*g.bob_store.raw(sender_key_name(kId, kAlice)));
  EXPECT_EQ(g.bob_reads_alice.decrypt(sent[4]).code(), Errc::duplicate_message);
  Bytes tampered = g.alice.encrypt(as_bytes("x"), g.rng)->serialized;
  tampered[tampered.size() - 1] ^= 1;
  EXPECT_EQ(g.bob_reads_alice.decrypt(tampered).code(), Errc::bad_signature);
  EXPECT_EQ(bytes_of(*g.bob_store.raw(sender_key_name(kId, kAlice))), before) << "state untouched";
}

TEST(DistributionGroupCipher, KeysStayWithTheirDistributionIdAndFormat) {
  Group g;
  ASSERT_NO_FATAL_FAILURE(g.distribute());
  auto m = g.alice.encrypt(as_bytes("hello"), g.rng);
  ASSERT_TRUE(m);
  // Another distribution id of the same sender holds no key.
  const DistributionId other = *DistributionId::parse("d1d1d1d1-0000-4000-8000-000000000002");
  GroupCipher wrong_id(g.bob_store, other, kAlice);
  EXPECT_EQ(wrong_id.decrypt(m->serialized).code(), Errc::no_session);
  // A cipher of this distribution id refuses a message naming another one,
  // even one signed with the right key.
  GroupCipher alice_other(g.alice_store, other, kAlice);
  ASSERT_TRUE(GroupSessionBuilder(g.alice_store).create_distribution(other, kAlice, g.rng));
  auto for_other = alice_other.encrypt(as_bytes("elsewhere"), g.rng);
  ASSERT_TRUE(for_other);
  EXPECT_EQ(g.bob_reads_alice.decrypt(for_other->serialized).code(), Errc::no_session);
  // The same key under the key_id cipher: the bytes do not parse as that format.
  GroupCipher legacy(g.bob_store, sender_key_name(kId, kAlice));
  EXPECT_EQ(legacy.decrypt(m->serialized).code(), Errc::decode_error);
  // Distribution messages go through the builder overload of their format.
  GroupSessionBuilder builder(g.bob_store);
  auto skdm = GroupSessionBuilder(g.alice_store).create_distribution(kId, kAlice, g.rng);
  ASSERT_TRUE(skdm);
  EXPECT_EQ(builder.process("group", kAlice, *skdm).code(), Errc::invalid_argument);
  auto old_skdm = GroupSessionBuilder(g.alice_store).create_distribution(SenderKeyName{"group", kAlice}, g.rng);
  ASSERT_TRUE(old_skdm);
  EXPECT_EQ(builder.process(kAlice, *old_skdm).code(), Errc::invalid_argument);
  // Still readable after all the refusals.
  auto got = g.bob_reads_alice.decrypt(m->serialized);
  ASSERT_TRUE(got);
  EXPECT_EQ(text(*got), "hello");
}

TEST(DistributionGroupCipher, RotationGivesANewChainUnderTheSameDistributionId) {
  Group g;
  ASSERT_NO_FATAL_FAILURE(g.distribute());
  auto before = g.alice.encrypt(as_bytes("before"), g.rng);
  ASSERT_TRUE(before);
  auto rotated = GroupSessionBuilder(g.alice_store).rotate(kId, kAlice, g.rng);
  ASSERT_TRUE(rotated);
  EXPECT_EQ(rotated->distribution_id(), kId);
  auto after = g.alice.encrypt(as_bytes("after"), g.rng);
  ASSERT_TRUE(after);
  EXPECT_EQ(g.bob_reads_alice.decrypt(after->serialized).code(), Errc::no_session) << "new chain not yet received";
  ASSERT_TRUE(GroupSessionBuilder(g.bob_store).process(kAlice, *rotated));
  EXPECT_EQ(text(*g.bob_reads_alice.decrypt(after->serialized)), "after");
  EXPECT_EQ(text(*g.bob_reads_alice.decrypt(before->serialized)), "before") << "older state kept";
}

}  // namespace
}  // namespace hush::signal
