// PQXDH and message version 4 against @signalapp/libsignal-client 0.103
// (issue #15), through tests/peers/kem-node/signal-peer.mjs:
//  - libsignal builds a session from a Hush bundle, and the keys it derives
//    (read from its session record) are the ones Hush derives as responder:
//    RK, CK, the SPQR seed, and the first DH ratchet step;
//  - Hush builds a session from a libsignal bundle (libsignal's XEdDSA
//    signatures over the signed and the Kyber pre-key verify), and libsignal
//    decrypts Hush's version-4 PreKeySignalMessage (SPQR included);
//  - SignalMessage version 4 (and its MAC) is byte-identical to libsignal's;
//  - safety numbers (displayable and scannable) agree with libsignal's.
// Messages flowing both ways through the triple ratchet (PQXDH + Double
// Ratchet + SPQR) are in tests/interop_pq/triple_ratchet_interop_test.cpp.
#include "node_kem_peer.hpp"
#include "signal_peer_lines.hpp"
#include "x3dh.hpp"  // lib/signal/src: Hush's responder derivation, compared with libsignal's record

#include <hush/signal/constants.hpp>
#include <hush/signal/fingerprint.hpp>
#include <hush/signal/messages.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <sstream>
#include <vector>

namespace hush::signal {
namespace {

using testing::NodeKemPeer;
using testing::SignalParty;

const ProtocolAddress kLibsignal{"libsignal", DeviceId{1}};

using peer_lines::bundle_from;
using peer_lines::bundle_line;
using peer_lines::unhex;
using peer_lines::words;

std::unique_ptr<NodeKemPeer> start_libsignal() {
  auto peer = std::make_unique<NodeKemPeer>(HUSH_KEM_PEER_DIR "/signal-peer.mjs");
  return peer;
}

// ---- a minimal protobuf reader for libsignal's SessionRecord (storage.proto) ----

struct Fields {
  std::multimap<std::uint32_t, Bytes> bytes;
  std::map<std::uint32_t, std::uint64_t> varints;

  [[nodiscard]] Bytes one(std::uint32_t field) const {
    auto it = bytes.find(field);
    return it == bytes.end() ? Bytes{} : it->second;
  }
};

bool read_varint(ByteView in, std::size_t& pos, std::uint64_t& out) {
  out = 0;
  for (int shift = 0; shift < 64 && pos < in.size(); shift += 7) {
    const std::uint8_t b = in[pos++];
    out |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

Fields parse_fields(ByteView in) {
  Fields f;
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::uint64_t tag = 0;
    if (!read_varint(in, pos, tag)) break;
    const auto field = static_cast<std::uint32_t>(tag >> 3);
    std::uint64_t v = 0;
    switch (tag & 7) {
      case 0:
        if (!read_varint(in, pos, v)) return f;
        f.varints[field] = v;
        break;
      case 1:
        pos += 8;
        break;
      case 2:
        if (!read_varint(in, pos, v) || v > in.size() - pos) return f;
        f.bytes.emplace(field, to_bytes(in.subspan(pos, v)));
        pos += v;
        break;
      case 5:
        pos += 4;
        break;
      default:
        ADD_FAILURE() << "unexpected wire type";
        return f;
    }
  }
  return f;
}

/// The fields of libsignal's current session state that PQXDH determines.
struct LibsignalSession {
  Bytes root_key;
  Bytes sender_chain_key;
  std::uint64_t sender_chain_index = 0;
  Bytes receiver_chain_key;  ///< the first receiver chain: on our signed pre-key
  Bytes alice_base_key;
  Bytes pending_kyber_ciphertext;
  std::uint64_t pending_kyber_id = 0;
  Bytes spqr_auth_key;
  std::uint64_t session_version = 0;
};

LibsignalSession parse_libsignal_session(ByteView record) {
  // RecordStructure.current_session = 1 → SessionStructure.
  const Fields state = parse_fields(parse_fields(record).one(1));
  LibsignalSession s;
  s.session_version = state.varints.count(1) ? state.varints.at(1) : 0;
  s.root_key = state.one(4);
  const Fields sender = parse_fields(state.one(6));      // sender_chain
  const Fields sender_ck = parse_fields(sender.one(3));  // Chain.chain_key
  s.sender_chain_key = sender_ck.one(2);
  s.sender_chain_index = sender_ck.varints.count(1) ? sender_ck.varints.at(1) : 0;
  const Fields receiver = parse_fields(state.one(7));  // receiver_chains[0]
  s.receiver_chain_key = parse_fields(receiver.one(3)).one(2);
  s.alice_base_key = state.one(13);
  const Fields kyber = parse_fields(state.one(14));  // pending_kyber_pre_key
  s.pending_kyber_id = kyber.varints.count(1) ? kyber.varints.at(1) : 0;
  s.pending_kyber_ciphertext = kyber.one(2);
  // pq_ratchet_state = 15 → spqr PqRatchetState.version_negotiation = 1 → auth_key = 1.
  s.spqr_auth_key = parse_fields(parse_fields(state.one(15)).one(1)).one(1);
  return s;
}

TEST(LibsignalPqxdh, LibsignalDerivesTheKeysHushDerivesFromAHushBundle) {
  auto peer = start_libsignal();
  SignalParty hush("hush", 101);
  const PreKeyBundle bundle = hush.make_pq_bundle();
  ASSERT_EQ(peer->call("process " + bundle_line(bundle)), "ok") << "libsignal accepts Hush's bundle and signatures";
  const std::string session_hex = peer->call("session");
  ASSERT_NE(session_hex, "none");
  const LibsignalSession theirs = parse_libsignal_session(unhex(session_hex));
  EXPECT_EQ(theirs.session_version, 4u);

  auto sent = words(peer->call("encrypt " + to_hex(as_bytes(std::string_view("hello from libsignal")))));
  ASSERT_EQ(sent.size(), 2u) << sent[0];
  ASSERT_EQ(sent[0], "3") << "a PreKeySignalMessage";
  const Bytes wire = unhex(sent[1]);
  ASSERT_FALSE(wire.empty());
  EXPECT_EQ(wire[0], 0x44);
  auto message = PreKeySignalMessage::deserialize(wire);
  ASSERT_TRUE(message) << errc_name(message.code());
  EXPECT_EQ(message->version(), 4);
  ASSERT_TRUE(message->kyber().has_value());
  EXPECT_EQ(message->kyber()->id, bundle.kyber_pre_key->id);
  EXPECT_EQ(message->pre_key_id(), bundle.pre_key_id);
  EXPECT_EQ(message->signed_pre_key_id(), bundle.signed_pre_key_id);
  EXPECT_EQ(to_hex(serialize_kyber_ciphertext(message->kyber()->ciphertext)), to_hex(theirs.pending_kyber_ciphertext));
  EXPECT_EQ(theirs.pending_kyber_id, bundle.kyber_pre_key->id.value);
  EXPECT_EQ(to_hex(message->base_key().serialize()), to_hex(theirs.alice_base_key));
  EXPECT_FALSE(message->message().pq_ratchet().empty()) << "libsignal always runs SPQR (V1)";

  // Hush's responder derivation, from the keys Hush published.
  auto& store = hush.store();
  auto identity = store.identities.identity_key_pair();
  auto signed_pre_key = store.signed_pre_keys.load_signed_pre_key(bundle.signed_pre_key_id);
  auto one_time = store.pre_keys.load_pre_key(*bundle.pre_key_id);
  auto kyber = store.kyber_pre_keys.load_kyber_pre_key(bundle.kyber_pre_key->id);
  ASSERT_TRUE(identity && signed_pre_key && one_time && kyber);
  auto bob =
      detail::initialize_bob_session({*identity, signed_pre_key->key_pair, &one_time->key_pair, message->identity_key(),
                                      message->base_key(), &kyber->secret_key, &message->kyber()->ciphertext});
  ASSERT_TRUE(bob) << errc_name(bob.code());
  EXPECT_EQ(bob->session_version, 4u);
  // PQXDH output bytes 32..63 (CK) and 64..95 (the SPQR seed).
  EXPECT_EQ(to_hex(bob->sender_chain.key().expose()), to_hex(theirs.receiver_chain_key)) << "CK";
  ASSERT_TRUE(bob->pq_ratchet_seed.has_value());
  EXPECT_EQ(to_hex(bob->pq_ratchet_seed->expose()), to_hex(theirs.spqr_auth_key)) << "SPQR auth key";
  // Bytes 0..31 (RK), through the first DH ratchet step: libsignal's root and
  // sending chain keys are KDF_RK(RK, DH(their ratchet key, our signed pre-key)).
  auto step = bob->root_key.create_chain(message->message().ratchet_key(), signed_pre_key->key_pair.private_key);
  ASSERT_TRUE(step);
  EXPECT_EQ(to_hex(step->first.key().expose()), to_hex(theirs.root_key)) << "RK after the ratchet step";
  EXPECT_EQ(theirs.sender_chain_index, 0u);
  EXPECT_EQ(to_hex(step->second.key().expose()), to_hex(theirs.sender_chain_key)) << "CK_s";

  // Hush decrypts it: the triple ratchet (SPQR's key salts the message keys)
  // agrees with libsignal's, and the one-time keys are used up.
  auto got = hush.decrypt(kLibsignal, {MessageType::pre_key, wire});
  ASSERT_TRUE(got) << errc_name(got.code());
  EXPECT_EQ(*got, "hello from libsignal");
  EXPECT_FALSE(hush.session_bytes(kLibsignal).empty());
  EXPECT_EQ(store.kyber_pre_keys.size(), 0u);
  EXPECT_EQ(store.pre_keys.size(), 0u);
}

TEST(LibsignalPqxdh, HushBuildsASessionFromALibsignalBundleAndLibsignalDecryptsIt) {
  auto peer = start_libsignal();
  SignalParty hush("hush", 102);
  const PreKeyBundle bundle = bundle_from(words(peer->call("bundle")));
  ASSERT_TRUE(bundle.kyber_pre_key.has_value());
  ASSERT_TRUE(hush.start_session(kLibsignal, bundle)) << "libsignal's XEdDSA signatures verify";
  auto sent = hush.encrypt(kLibsignal, "hello from hush");
  ASSERT_TRUE(sent);
  ASSERT_EQ(sent->type, MessageType::pre_key);
  EXPECT_EQ(sent->serialized[0], 0x44);
  EXPECT_EQ(peer->call("kyber_count"), "1");
  // libsignal runs PQXDH, the Double Ratchet step and SPQR and decrypts.
  const std::string answer = peer->call("decrypt 3 " + to_hex(sent->serialized));
  EXPECT_EQ(answer, to_hex(as_bytes(std::string_view("hello from hush")))) << answer;
  EXPECT_EQ(peer->call("kyber_count"), "0") << "the one-time Kyber pre-key is used";

  // A bundle with a bad Kyber signature is refused by Hush.
  PreKeyBundle bad = bundle_from(words(peer->call("bundle")));
  bad.kyber_pre_key->signature[0] ^= 1;
  SignalParty other("hush", 103);
  EXPECT_EQ(other.start_session(kLibsignal, bad).code(), Errc::bad_signature);
}

// Why version 4 is needed at all: libsignal refuses X3DH (version 3) pre-key messages.
TEST(LibsignalPqxdh, LibsignalRefusesAnX3dhSession) {
  auto peer = start_libsignal();
  SignalParty hush("hush", 104);
  PreKeyBundle bundle = bundle_from(words(peer->call("bundle")));
  bundle.kyber_pre_key.reset();
  ASSERT_TRUE(hush.start_session(kLibsignal, bundle));
  auto sent = hush.encrypt(kLibsignal, "hello");
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->serialized[0], 0x33);
  const std::string answer = peer->call("decrypt 3 " + to_hex(sent->serialized));
  EXPECT_NE(answer.find("X3DH no longer supported"), std::string::npos) << answer;
}

// SignalMessage bytes, version byte and MAC (HMAC-SHA256 over sender identity ‖
// receiver identity ‖ version ‖ protobuf, truncated to 8) agree with libsignal's
// SignalMessage::new for version 4, with and without an SPQR part.
TEST(LibsignalPqxdh, Version4SignalMessagesAreByteIdentical) {
  auto peer = start_libsignal();
  testing::DeterministicRng rng(105);
  for (const std::string pq : {"", "01020304a0b0c0d0e0f0"}) {
    const auto ratchet = crypto::KeyPair::generate(rng).public_key;
    const auto sender = crypto::KeyPair::generate(rng).public_key;
    const auto receiver = crypto::KeyPair::generate(rng).public_key;
    Bytes mac_key(32);
    rng.fill(mac_key);
    Bytes body(48);
    rng.fill(body);
    const Bytes pq_bytes = unhex(pq);
    auto ours =
        SignalMessage::create(kPqxdhCiphertextVersion, ratchet, 300, 17, body, mac_key, sender, receiver, pq_bytes);
    const std::string theirs = peer->call("signal_message 4 " + to_hex(mac_key) + " " + to_hex(ratchet.serialize()) +
                                          " 300 17 " + to_hex(body) + " " + to_hex(sender.serialize()) + " " +
                                          to_hex(receiver.serialize()) + " " + (pq.empty() ? "-" : pq));
    EXPECT_EQ(to_hex(ours.serialized()), theirs) << "pq part: " << (pq.empty() ? "none" : pq);
    auto parsed = SignalMessage::deserialize(unhex(theirs));
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(parsed->verify_mac(sender, receiver, mac_key));
    EXPECT_EQ(to_bytes(parsed->pq_ratchet()), pq_bytes);
  }
}

// libsignal writes version 3 messages with version byte 0x34 (the low nibble
// is its current version, 4); libsignal-protocol-c and Hush write 0x33. Hush
// reads libsignal's, MAC included (the MAC covers the version byte).
TEST(LibsignalPqxdh, Version3MessagesFromLibsignalParse) {
  auto peer = start_libsignal();
  testing::DeterministicRng rng(106);
  const auto ratchet = crypto::KeyPair::generate(rng).public_key;
  const auto sender = crypto::KeyPair::generate(rng).public_key;
  const auto receiver = crypto::KeyPair::generate(rng).public_key;
  Bytes mac_key(32, 0x42);
  Bytes body(32, 0x17);
  const Bytes theirs =
      unhex(peer->call("signal_message 3 " + to_hex(mac_key) + " " + to_hex(ratchet.serialize()) + " 5 0 " +
                       to_hex(body) + " " + to_hex(sender.serialize()) + " " + to_hex(receiver.serialize()) + " -"));
  ASSERT_FALSE(theirs.empty());
  EXPECT_EQ(theirs[0], 0x34);
  auto parsed = SignalMessage::deserialize(theirs);
  ASSERT_TRUE(parsed) << errc_name(parsed.code());
  EXPECT_EQ(parsed->version(), 3);
  EXPECT_TRUE(parsed->verify_mac(sender, receiver, mac_key));
  auto ours = SignalMessage::create(kCiphertextVersion, ratchet, 5, 0, body, mac_key, sender, receiver);
  EXPECT_EQ(ours.serialized()[0], 0x33);
  EXPECT_EQ(to_hex(ByteView(ours.serialized()).subspan(1, ours.serialized().size() - 9)),
            to_hex(ByteView(theirs).subspan(1, theirs.size() - 9)))
      << "the same protobuf";
}

// Safety numbers: libsignal's Fingerprint (displayable digits, scannable
// CombinedFingerprints bytes, scannable version 1) equals Hush's on both
// people's sides, each side's code scanned by the other matches (Hush scans
// libsignal's, libsignal scans Hush's), and a code for another key matches
// on neither.
TEST(LibsignalFingerprint, DisplayableAndScannableAgree) {
  auto peer = start_libsignal();
  testing::DeterministicRng rng(107);
  const auto alice = crypto::KeyPair::generate(rng).public_key;
  const auto bob = crypto::KeyPair::generate(rng).public_key;
  const std::string alice_id = "a1b2c3d4-0000-4000-8000-00000000000a";
  const std::string bob_id = "b1b2c3d4-0000-4000-8000-00000000000b";
  auto ours = create_fingerprint(alice_id, alice, bob_id, bob);
  ASSERT_TRUE(ours);
  auto theirs =
      words(peer->call("fingerprint " + std::to_string(kFingerprintIterations) + " " +
                       std::to_string(kScannableFingerprintVersion) + " " + to_hex(as_bytes(alice_id)) + " " +
                       to_hex(alice.serialize()) + " " + to_hex(as_bytes(bob_id)) + " " + to_hex(bob.serialize())));
  ASSERT_EQ(theirs.size(), 2u) << (theirs.empty() ? std::string("no answer from the peer") : theirs[0]);
  EXPECT_EQ(ours->displayable.text(), theirs[0]);
  EXPECT_EQ(to_hex(ours->scannable.serialize()), theirs[1]);
  // Bob's libsignal code, scanned by Alice's Hush.
  auto bobs =
      words(peer->call("fingerprint " + std::to_string(kFingerprintIterations) + " " +
                       std::to_string(kScannableFingerprintVersion) + " " + to_hex(as_bytes(bob_id)) + " " +
                       to_hex(bob.serialize()) + " " + to_hex(as_bytes(alice_id)) + " " + to_hex(alice.serialize())));
  ASSERT_EQ(bobs.size(), 2u);
  EXPECT_EQ(bobs[0], theirs[0]) << "both people read the same number";
  auto match = ours->scannable.compare(unhex(bobs[1]));
  ASSERT_TRUE(match);
  EXPECT_EQ(*match, FingerprintMatch::match);

  // The reverse: Bob's libsignal scans Alice's Hush code and matches it;
  // Bob's Hush number reads the same digits as Bob's libsignal one.
  const std::string bob_side = std::to_string(kFingerprintIterations) + " " +
                               std::to_string(kScannableFingerprintVersion) + " " + to_hex(as_bytes(bob_id)) + " " +
                               to_hex(bob.serialize()) + " " + to_hex(as_bytes(alice_id)) + " " +
                               to_hex(alice.serialize());
  EXPECT_EQ(peer->call("fingerprint_scan " + bob_side + " " + to_hex(ours->scannable.serialize())), "match");
  auto bob_hush = create_fingerprint(bob_id, bob, alice_id, alice);
  ASSERT_TRUE(bob_hush);
  EXPECT_EQ(bob_hush->displayable.text(), bobs[0]);
  EXPECT_EQ(to_hex(bob_hush->scannable.serialize()), bobs[1]);
  // A code for another key: libsignal and Hush both say mismatch.
  testing::DeterministicRng other_rng(108);
  const auto mallory = crypto::KeyPair::generate(other_rng).public_key;
  auto forged = create_fingerprint(alice_id, mallory, bob_id, bob);
  ASSERT_TRUE(forged);
  EXPECT_EQ(peer->call("fingerprint_scan " + bob_side + " " + to_hex(forged->scannable.serialize())), "mismatch");
  auto forged_theirs = words(peer->call("fingerprint " + std::to_string(kFingerprintIterations) + " " +
                                        std::to_string(kScannableFingerprintVersion) + " " + to_hex(as_bytes(bob_id)) +
                                        " " + to_hex(bob.serialize()) + " " + to_hex(as_bytes(alice_id)) + " " +
                                        to_hex(mallory.serialize())));
  ASSERT_EQ(forged_theirs.size(), 2u);
  auto no_match = ours->scannable.compare(unhex(forged_theirs[1]));
  ASSERT_TRUE(no_match);
  EXPECT_NE(*no_match, FingerprintMatch::match);
}

}  // namespace
}  // namespace hush::signal
