// Sender Keys in today's libsignal format (a distribution id in every
// message) against @signalapp/libsignal-client 0.103 (issue #15), through
// tests/peers/kem-node/signal-peer.mjs:
//  - the distribution message Hush builds is byte-identical to libsignal's
//    from the same parts, and each side reads the other's messages' fields;
//  - libsignal creates a distribution message, Hush processes it and
//    decrypts hundreds of libsignal's group messages, out of order with some
//    never delivered, and the reverse;
//  - a tampered and a duplicate message are refused by both; Hush's record
//    is left exactly as it was.
#include "node_kem_peer.hpp"
#include "signal_peer_lines.hpp"

#include <hush/signal/distribution_id.hpp>
#include <hush/signal/group_cipher.hpp>
#include <hush/signal/group_session_builder.hpp>
#include <hush/signal/in_memory_stores.hpp>
#include <hush/signal/sender_key_messages.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace hush::signal {
namespace {

using namespace peer_lines;
using testing::NodeKemPeer;

const ProtocolAddress kLibsignal{"libsignal", DeviceId{1}};  // the peer's own address
const ProtocolAddress kHush{"hush", DeviceId{1}};            // how the peer names us
constexpr auto kFormat = SenderKeyFormat::distribution_id;

std::string text_of(const Result<SecretBuffer>& r) {
  if (!r) return std::string("error: ") + std::string(errc_name(r.code()));
  return std::string(reinterpret_cast<const char*>(r->expose().data()), r->size());
}

// A delivery order: every index once, shuffled within windows of 16, and
// every seventh message never delivered (the receiver skips its key).
std::vector<std::size_t> delivery_order(std::size_t n, crypto::Rng& dice) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 7 != 3) order.push_back(i);
  }
  for (std::size_t start = 0; start < order.size(); start += 16) {
    const std::size_t end = std::min(order.size(), start + 16);
    for (std::size_t i = end - 1; i > start; --i) {
      std::swap(order[i], order[start + dice.uniform(static_cast<std::uint32_t>(i - start + 1))]);
    }
  }
  return order;
}

class LibsignalSenderKeys : public ::testing::Test {
 protected:
  NodeKemPeer peer_{HUSH_KEM_PEER_DIR "/signal-peer.mjs"};
  testing::DeterministicRng rng_{301};
  InMemorySenderKeyStore store_;
  const DistributionId id_ = DistributionId::generate(rng_);
};

TEST_F(LibsignalSenderKeys, DistributionMessagesAreByteIdenticalAndFieldsAgree) {
  SecretBytes<32> chain_key;
  rng_.fill(chain_key.expose_mut());
  const SenderChainKey chain(std::move(chain_key), 1234);
  const auto signing = crypto::KeyPair::generate(rng_);
  for (const std::uint32_t chain_id : {0u, 7u, 0x7fffffffu}) {
    const auto ours = SenderKeyDistributionMessage::create(id_, SenderChainId{chain_id}, chain, signing.public_key);
    const std::string theirs =
        peer_.call("skdm_new " + id_.to_string() + " " + std::to_string(chain_id) + " 1234 " +
                   to_hex(chain.key().expose()) + " " + to_hex(signing.public_key.serialize()));
    EXPECT_EQ(to_hex(ours.serialized().expose()), theirs) << "chain id " << chain_id;
  }

  // libsignal's own distribution message parses with its distribution id.
  auto created = SenderKeyDistributionMessage::deserialize(unhex(peer_.call("skdm_create " + id_.to_string())), kFormat);
  ASSERT_TRUE(created) << errc_name(created.code());
  EXPECT_EQ(created->distribution_id(), id_);
  EXPECT_EQ(created->iteration(), 0u);
  EXPECT_EQ(created->chain_id().value >> 31, 0u) << "31-bit chain ids";
  EXPECT_EQ(SenderKeyDistributionMessage::deserialize(created->serialized().expose()).code(), Errc::decode_error)
      << "not readable as the libsignal-protocol-c format";

  // libsignal reads the fields (and verifies the signature) of Hush's messages.
  ASSERT_TRUE(GroupSessionBuilder(store_).create_distribution(id_, kHush, rng_));
  GroupCipher ours(store_, id_, kHush);
  auto sent = ours.encrypt(as_bytes(std::string_view("fields")), rng_);
  ASSERT_TRUE(sent);
  auto skdm = GroupSessionBuilder(store_).create_distribution(id_, kHush, rng_);
  ASSERT_TRUE(skdm);
  auto parsed = SenderKeyMessage::deserialize(sent->serialized, kFormat);
  ASSERT_TRUE(parsed);
  const auto fields =
      words(peer_.call("skm_parse " + to_hex(sent->serialized) + " " + to_hex(skdm->signing_key().serialize())));
  ASSERT_EQ(fields.size(), 5u) << (fields.empty() ? "" : fields[0]);
  EXPECT_EQ(fields[0], id_.to_string());
  EXPECT_EQ(fields[1], std::to_string(parsed->chain_id().value));
  EXPECT_EQ(fields[2], "0");
  EXPECT_EQ(fields[3], to_hex(parsed->ciphertext()));
  EXPECT_EQ(fields[4], "1") << "libsignal verifies Hush's XEdDSA signature";
}

TEST_F(LibsignalSenderKeys, HushReadsLibsignalsGroupMessages) {
  auto skdm = SenderKeyDistributionMessage::deserialize(unhex(peer_.call("skdm_create " + id_.to_string())), kFormat);
  ASSERT_TRUE(skdm) << errc_name(skdm.code());
  ASSERT_TRUE(GroupSessionBuilder(store_).process(kLibsignal, *skdm));
  GroupCipher from_libsignal(store_, id_, kLibsignal);

  constexpr std::size_t kMessages = 400;
  std::vector<Bytes> sent;
  for (std::size_t i = 0; i < kMessages; ++i) {
    const std::string answer = peer_.call("group_encrypt " + id_.to_string() + " " + hex_text("group " + std::to_string(i)));
    ASSERT_FALSE(is_error(answer)) << answer;
    sent.push_back(unhex(answer));
  }
  // A long gap: libsignal sends 1,500 more that never arrive, then one that does.
  for (int i = 0; i < 1500; ++i) ASSERT_FALSE(is_error(peer_.call("group_encrypt " + id_.to_string() + " 00")));
  const Bytes after_gap = unhex(peer_.call("group_encrypt " + id_.to_string() + " " + hex_text("after the gap")));

  std::size_t delivered = 0;
  for (std::size_t i : delivery_order(kMessages, rng_)) {
    ASSERT_EQ(text_of(from_libsignal.decrypt(sent[i])), "group " + std::to_string(i));
    ++delivered;
  }
  EXPECT_GT(delivered, kMessages * 5 / 6);
  EXPECT_EQ(text_of(from_libsignal.decrypt(after_gap)), "after the gap");
  // Skipped keys are still there for messages that were never delivered.
  EXPECT_EQ(text_of(from_libsignal.decrypt(sent[kMessages - 5])), "group " + std::to_string(kMessages - 5));

  // A duplicate and a tampered message: refused, the record unchanged.
  const SenderKeyName name = sender_key_name(id_, kLibsignal);
  const Bytes before = to_bytes(store_.raw(name)->expose());
  EXPECT_EQ(from_libsignal.decrypt(sent[11]).code(), Errc::duplicate_message);
  Bytes next = unhex(peer_.call("group_encrypt " + id_.to_string() + " " + hex_text("next")));
  Bytes tampered = next;
  tampered[tampered.size() - 70] ^= 0x01;  // the ciphertext, under the signature
  EXPECT_EQ(from_libsignal.decrypt(tampered).code(), Errc::bad_signature);
  EXPECT_EQ(to_bytes(store_.raw(name)->expose()), before);
  EXPECT_EQ(text_of(from_libsignal.decrypt(next)), "next");
}

TEST_F(LibsignalSenderKeys, LibsignalReadsHushsGroupMessages) {
  auto skdm = GroupSessionBuilder(store_).create_distribution(id_, kHush, rng_);
  ASSERT_TRUE(skdm);
  ASSERT_EQ(peer_.call("skdm_process " + to_hex(skdm->serialized().expose())), "ok");
  GroupCipher ours(store_, id_, kHush);

  constexpr std::size_t kMessages = 400;
  std::vector<Bytes> sent;
  for (std::size_t i = 0; i < kMessages; ++i) {
    auto m = ours.encrypt(as_bytes("hush group " + std::to_string(i)), rng_);
    ASSERT_TRUE(m) << errc_name(m.code());
    EXPECT_EQ(m->type, MessageType::sender_key);
    sent.push_back(std::move(m->serialized));
  }
  for (int i = 0; i < 1500; ++i) ASSERT_TRUE(ours.encrypt(as_bytes(std::string_view("lost")), rng_));
  auto after_gap = ours.encrypt(as_bytes(std::string_view("after the gap")), rng_);
  ASSERT_TRUE(after_gap);

  for (std::size_t i : delivery_order(kMessages, rng_)) {
    ASSERT_EQ(peer_.call("group_decrypt " + to_hex(sent[i])), hex_text("hush group " + std::to_string(i))) << i;
  }
  EXPECT_EQ(peer_.call("group_decrypt " + to_hex(after_gap->serialized)), hex_text("after the gap"));
  EXPECT_EQ(peer_.call("group_decrypt " + to_hex(sent[kMessages - 5])),
            hex_text("hush group " + std::to_string(kMessages - 5)));

  // libsignal refuses a duplicate and a tampered message, then reads the genuine one.
  const std::string dup = peer_.call("group_decrypt " + to_hex(sent[11]));
  EXPECT_TRUE(is_error(dup)) << dup;
  auto next = ours.encrypt(as_bytes(std::string_view("next")), rng_);
  ASSERT_TRUE(next);
  Bytes tampered = next->serialized;
  tampered[tampered.size() - 70] ^= 0x01;
  const std::string refused = peer_.call("group_decrypt " + to_hex(tampered));
  EXPECT_TRUE(is_error(refused)) << refused;
  EXPECT_EQ(peer_.call("group_decrypt " + to_hex(next->serialized)), hex_text("next"));
}

}  // namespace
}  // namespace hush::signal
