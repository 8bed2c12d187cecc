// SenderKeyRecord: storage round trip, chain derivations, and the state
// bookkeeping rules (bounded states, no rewinding on a repeated key).
#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/hmac.hpp>
#include <hush/signal/constants.hpp>
#include <hush/signal/sender_key_record.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {

SenderKeyState make_state(std::uint32_t id, testing::DeterministicRng& rng, bool with_private) {
  SecretBytes<32> ck;
  rng.fill(ck.expose_mut());
  auto kp = crypto::KeyPair::generate(rng);
  std::optional<crypto::PrivateKey> priv;
  if (with_private) priv = kp.private_key.clone();
  return SenderKeyState(SenderChainId{id}, SenderChainKey(std::move(ck), 0), kp.public_key, std::move(priv));
}

TEST(SenderChainKey, DerivationsAreLibsignals) {
  SecretBytes<32> ck;
  for (std::size_t i = 0; i < 32; ++i) ck.expose_mut()[i] = static_cast<std::uint8_t>(i);
  SenderChainKey chain(ck.clone(), 3);
  const std::uint8_t one = 1, two = 2;
  auto seed = crypto::hmac_sha256(ck.expose(), ByteView(&one, 1));
  auto next = crypto::hmac_sha256(ck.expose(), ByteView(&two, 1));
  auto mk = chain.message_key();
  EXPECT_EQ(mk.iteration, 3u);
  EXPECT_TRUE(ct_equal(mk.seed, seed));
  EXPECT_TRUE(ct_equal(chain.next().key(), next));
  EXPECT_EQ(chain.next().iteration(), 4u);
  auto material = crypto::hkdf_sha256(seed.expose(), {}, as_bytes("WhisperGroup"), 48);
  ASSERT_TRUE(material);
  EXPECT_TRUE(ct_equal(mk.derive().expose(), material->expose()));
}

TEST(SenderKeyState, SkippedKeysAreUsedOnceAndBounded) {
  testing::DeterministicRng rng(1);
  auto s = make_state(1, rng, false);
  auto k5 = s.take_message_key(5);
  ASSERT_TRUE(k5);
  EXPECT_EQ(s.skipped().size(), 5u);
  EXPECT_TRUE(s.take_message_key(2));
  EXPECT_EQ(s.take_message_key(2).code(), Errc::duplicate_message);
  EXPECT_EQ(s.take_message_key(5).code(), Errc::duplicate_message);
  EXPECT_TRUE(s.take_message_key(6));
  auto t = make_state(2, rng, false);
  ASSERT_TRUE(t.take_message_key(3000));
  EXPECT_EQ(t.skipped().size(), kMaxSenderMessageKeys);
  EXPECT_EQ(t.skipped().front().iteration, 1000u);
  EXPECT_EQ(t.skipped().back().iteration, 2999u);
}

TEST(SenderKeyRecord, RoundTripsThroughStorageFormat) {
  testing::DeterministicRng rng(2);
  SenderKeyRecord r;
  r.add_state(make_state(10, rng, false));
  r.add_state(make_state(11, rng, true));
  ASSERT_TRUE(r.current_state()->take_message_key(4));
  auto bytes = r.serialize();
  auto back = SenderKeyRecord::deserialize(bytes.expose());
  ASSERT_TRUE(back);
  ASSERT_EQ(back->states().size(), 2u);
  EXPECT_EQ(back->states()[0].chain_id(), SenderChainId{11});
  EXPECT_NE(back->states()[0].signing_private(), nullptr);
  EXPECT_EQ(back->states()[1].signing_private(), nullptr);
  EXPECT_EQ(back->states()[0].chain_key().iteration(), 5u);
  EXPECT_EQ(back->states()[0].skipped().size(), 4u);
  EXPECT_TRUE(ct_equal(back->serialize(), bytes));
}

TEST(SenderKeyRecord, CorruptRecordsAreRefusedNotTrusted) {
  testing::DeterministicRng rng(3);
  SenderKeyRecord r;
  r.add_state(make_state(10, rng, true));
  Bytes bytes = to_bytes(r.serialize().expose());
  for (std::size_t cut = 1; cut < bytes.size(); cut += 7) {
    auto back = SenderKeyRecord::deserialize(ByteView(bytes).first(cut));
    EXPECT_FALSE(back && back->states().size() == 1 && back->states()[0].signing_private()) << cut;
  }
  EXPECT_EQ(SenderKeyRecord::deserialize(Bytes{0x08, 0x02}).code(), Errc::unsupported_version);
}

TEST(SenderKeyRecord, KeepsAtMostFiveStatesNewestFirst) {
  testing::DeterministicRng rng(4);
  SenderKeyRecord r;
  for (std::uint32_t id = 1; id <= 7; ++id) r.add_state(make_state(id, rng, false));
  ASSERT_EQ(r.states().size(), kMaxSenderKeyStates);
  EXPECT_EQ(r.states().front().chain_id(), SenderChainId{7});
  EXPECT_EQ(r.states().back().chain_id(), SenderChainId{3});
  EXPECT_EQ(r.state_for(SenderChainId{2}), nullptr);
}

TEST(SenderKeyRecord, RepeatedKeyKeepsProgressAndDifferentKeyUnderSameIdReplaces) {
  testing::DeterministicRng rng(5);
  SenderKeyRecord r;
  auto original = make_state(9, rng, false);
  auto again = original.clone();
  r.add_state(std::move(original));
  ASSERT_TRUE(r.current_state()->take_message_key(10));
  r.add_state(std::move(again));  // same id, same key, iteration 0
  ASSERT_EQ(r.states().size(), 1u);
  EXPECT_EQ(r.current_state()->chain_key().iteration(), 11u);
  r.add_state(make_state(9, rng, false));  // same id, another key
  ASSERT_EQ(r.states().size(), 1u);
  EXPECT_EQ(r.current_state()->chain_key().iteration(), 0u);
}

}  // namespace
}  // namespace hush::signal
