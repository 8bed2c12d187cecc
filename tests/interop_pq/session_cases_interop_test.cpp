// The remaining 1:1 cases of issue #15 against @signalapp/libsignal-client
// 0.103 (tests/peers/kem-node/signal-peer.mjs), each in both directions:
//  - long gaps: 1,500 messages in a row of which only the last arrives
//    (both libraries: 25,000 forward jumps, 2,000 skipped keys kept), a late
//    one from inside the gap, then traffic both ways; a late one once its
//    chain left the 5 receiving chains kept, refused by both; and a gap past
//    the 2,000 kept keys, whose oldest message both refuse;
//  - a message of a replaced session (the sender built a new session from a
//    fresh bundle) arriving after the new session is in use: both libraries
//    decrypt it from the archived state (they keep 40) and make that state
//    current again; its duplicate is refused by both;
//  - both start a session at the same moment: they converge;
//  - with Service ID addresses both bind sender and recipient into their
//    pre-key messages (field 6) and check the other's binding;
//  - libsignal reports the session as post-quantum where its API says so:
//    every message it sends is version 4 with an SPQR part, and it holds a
//    current session; Hush's state says version 4 with SPQR V1 negotiated.
#include "node_kem_peer.hpp"
#include "signal_peer_lines.hpp"

#include <hush/signal/bound_addresses.hpp>
#include <hush/signal/messages.hpp>
#include <hush/signal/session_cipher.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/signal/spqr.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <optional>

namespace hush::signal {
namespace {

using namespace peer_lines;
using testing::NodeKemPeer;
using testing::SignalParty;

const ProtocolAddress kLibsignal{"libsignal", DeviceId{1}};

std::string text_of(const Result<std::string>& r) {
  return r ? *r : std::string("error: ") + std::string(errc_name(r.code()));
}

struct Sent {
  MessageType type;
  Bytes bytes;
};

class SessionCasesInterop : public ::testing::Test {
 protected:
  NodeKemPeer peer_{HUSH_KEM_PEER_DIR "/signal-peer.mjs"};
  SignalParty hush_{"hush", 401};

  // Hush → libsignal: one message, encrypted and delivered.
  Sent hush_sends(const std::string& text) {
    auto m = hush_.encrypt(kLibsignal, text);
    HUSH_CHECK(m.has_value());
    return {m->type, std::move(m->serialized)};
  }
  std::string peer_reads(const Sent& m) {
    return peer_.call("decrypt " + std::to_string(static_cast<int>(m.type)) + " " + to_hex(m.bytes));
  }
  // libsignal → Hush.
  Sent peer_sends(const std::string& text) {
    auto w = words(peer_.call("encrypt " + hex_text(text)));
    HUSH_CHECK(w.size() == 2);
    return {static_cast<MessageType>(std::stoi(w[0])), unhex(w[1])};
  }
  std::string hush_reads(const Sent& m) { return text_of(hush_.decrypt(kLibsignal, {m.type, m.bytes})); }

  // A session from one side's bundle, one message each way.
  void start(bool hush_initiates) {
    if (hush_initiates) {
      ASSERT_TRUE(hush_.start_session(kLibsignal, bundle_from(words(peer_.call("bundle")))));
      ASSERT_EQ(peer_reads(hush_sends("hello")), hex_text("hello"));
      ASSERT_EQ(hush_reads(peer_sends("hi")), "hi");
    } else {
      ASSERT_EQ(peer_.call("process " + bundle_line(hush_.make_pq_bundle())), "ok");
      ASSERT_EQ(hush_reads(peer_sends("hello")), "hello");
      ASSERT_EQ(peer_reads(hush_sends("hi")), hex_text("hi"));
    }
  }

  // Some traffic both ways, each message delivered at once.
  void ping_pong(int rounds, const std::string& tag) {
    for (int i = 0; i < rounds; ++i) {
      const std::string a = tag + " hush " + std::to_string(i);
      ASSERT_EQ(peer_reads(hush_sends(a)), hex_text(a));
      const std::string b = tag + " libsignal " + std::to_string(i);
      ASSERT_EQ(hush_reads(peer_sends(b)), b);
    }
  }
};

TEST_F(SessionCasesInterop, LongGapsBothWaysThenTrafficResumes) {
  ASSERT_NO_FATAL_FAILURE(start(true));
  constexpr int kGap = 1500;
  // Hush sends 1,500; only the last reaches libsignal, then one from the gap.
  std::vector<Sent> from_hush;
  for (int i = 0; i < kGap; ++i) from_hush.push_back(hush_sends("hush gap " + std::to_string(i)));
  ASSERT_EQ(peer_reads(from_hush.back()), hex_text("hush gap " + std::to_string(kGap - 1)));
  ASSERT_EQ(peer_reads(from_hush[3]), hex_text("hush gap 3")) << "its key was kept";
  // libsignal sends 1,500; only the last reaches Hush, then one from the gap.
  std::vector<Sent> from_peer;
  for (int i = 0; i < kGap; ++i) from_peer.push_back(peer_sends("libsignal gap " + std::to_string(i)));
  ASSERT_EQ(hush_reads(from_peer.back()), "libsignal gap " + std::to_string(kGap - 1));
  ASSERT_EQ(hush_reads(from_peer[5]), "libsignal gap 5");
  ASSERT_NO_FATAL_FAILURE(ping_pong(2, "after"));
  // A late message from each gap still decrypts after a few DH steps: its
  // receiving chain is among the 5 both libraries keep (MAX_RECEIVER_CHAINS).
  EXPECT_EQ(peer_reads(from_hush[700]), hex_text("hush gap 700"));
  EXPECT_EQ(hush_reads(from_peer[900]), "libsignal gap 900");
  // Many DH steps later that chain is gone: both refuse (libsignal: "MAC
  // verification failed" against the current chains; Hush: bad_mac), and
  // Hush's state is untouched.
  ASSERT_NO_FATAL_FAILURE(ping_pong(8, "later"));
  const std::string gone = peer_reads(from_hush[800]);
  EXPECT_TRUE(is_error(gone)) << gone;
  const Bytes before = hush_.session_bytes(kLibsignal);
  EXPECT_EQ(hush_.decrypt(kLibsignal, {from_peer[1000].type, from_peer[1000].bytes}).code(), Errc::bad_mac);
  EXPECT_EQ(hush_.session_bytes(kLibsignal), before);
  ASSERT_NO_FATAL_FAILURE(ping_pong(3, "still"));
}

TEST_F(SessionCasesInterop, PastTheKeptKeysTheOldestMessageIsRefusedByBoth) {
  ASSERT_NO_FATAL_FAILURE(start(false));
  constexpr int kGap = 2100;  // 2,000 skipped keys are kept, both sides
  std::vector<Sent> from_hush;
  for (int i = 0; i < kGap; ++i) from_hush.push_back(hush_sends("h" + std::to_string(i)));
  ASSERT_EQ(peer_reads(from_hush.back()), hex_text("h" + std::to_string(kGap - 1)));
  const std::string dropped = peer_reads(from_hush[0]);
  EXPECT_TRUE(is_error(dropped)) << dropped;
  EXPECT_EQ(peer_reads(from_hush[kGap - 2000]), hex_text("h" + std::to_string(kGap - 2000)));

  std::vector<Sent> from_peer;
  for (int i = 0; i < kGap; ++i) from_peer.push_back(peer_sends("l" + std::to_string(i)));
  ASSERT_EQ(hush_reads(from_peer.back()), "l" + std::to_string(kGap - 1));
  const Bytes before = hush_.session_bytes(kLibsignal);
  EXPECT_EQ(hush_.decrypt(kLibsignal, {from_peer[0].type, from_peer[0].bytes}).code(), Errc::duplicate_message);
  EXPECT_EQ(hush_.session_bytes(kLibsignal), before) << "state untouched";
  EXPECT_EQ(hush_reads(from_peer[kGap - 2000]), "l" + std::to_string(kGap - 2000));
  ASSERT_NO_FATAL_FAILURE(ping_pong(5, "after"));
}

// libsignal replaces the session: it builds a new one from a fresh Hush
// bundle while a message of the old one is still on its way to Hush.
TEST_F(SessionCasesInterop, LateMessageOfASessionLibsignalReplacedDecryptsFromTheArchive) {
  ASSERT_NO_FATAL_FAILURE(start(false));
  ASSERT_NO_FATAL_FAILURE(ping_pong(3, "old"));
  const Sent late = peer_sends("late, old session");
  ASSERT_EQ(peer_.call("process " + bundle_line(hush_.make_pq_bundle())), "ok");
  const Sent fresh = peer_sends("new session");
  ASSERT_EQ(fresh.type, MessageType::pre_key);
  ASSERT_EQ(hush_reads(fresh), "new session");
  ASSERT_EQ(peer_reads(hush_sends("reply on the new session")), hex_text("reply on the new session"));
  auto record = SessionRecord::deserialize(hush_.session_bytes(kLibsignal));
  ASSERT_TRUE(record);
  ASSERT_EQ(record->previous_states().size(), 1u) << "the old session is archived";
  const auto new_base_key = record->current_state()->alice_base_key;

  // Hush decrypts it from the archived state, which becomes current again
  // (libsignal's decrypt does the same: promote_old_session).
  ASSERT_EQ(hush_reads(late), "late, old session");
  record = SessionRecord::deserialize(hush_.session_bytes(kLibsignal));
  ASSERT_TRUE(record);
  EXPECT_NE(record->current_state()->alice_base_key, new_base_key);
  // Its duplicate is refused, and nothing changes.
  const Bytes before = hush_.session_bytes(kLibsignal);
  EXPECT_EQ(hush_.decrypt(kLibsignal, {late.type, late.bytes}).code(), Errc::duplicate_message);
  EXPECT_EQ(hush_.session_bytes(kLibsignal), before);
  // Hush now answers on the old session; libsignal finds it among its
  // previous states, promotes it in turn, and the two go on.
  ASSERT_NO_FATAL_FAILURE(ping_pong(5, "converged"));
}

// Hush replaces the session: a message of the old one reaches libsignal late.
TEST_F(SessionCasesInterop, LateMessageOfASessionHushReplacedDecryptsFromTheArchive) {
  ASSERT_NO_FATAL_FAILURE(start(true));
  ASSERT_NO_FATAL_FAILURE(ping_pong(3, "old"));
  const Sent late = hush_sends("late, old session");
  ASSERT_TRUE(hush_.start_session(kLibsignal, bundle_from(words(peer_.call("bundle")))));
  const Sent fresh = hush_sends("new session");
  ASSERT_EQ(fresh.type, MessageType::pre_key);
  ASSERT_EQ(peer_reads(fresh), hex_text("new session"));
  ASSERT_EQ(hush_reads(peer_sends("reply on the new session")), "reply on the new session");

  ASSERT_EQ(peer_reads(late), hex_text("late, old session")) << "libsignal keeps the old state and decrypts";
  const std::string dup = peer_reads(late);
  EXPECT_TRUE(is_error(dup)) << dup;
  ASSERT_NO_FATAL_FAILURE(ping_pong(5, "converged"));
}

// Both start a session at the same moment (each from the other's bundle);
// each reads the other's first message, one of them twice; the first answer
// on either session makes the other side's matching state current (from the
// archive), and the two converge. Before the fix in session_cipher.cpp, an
// SPQR "key already used" from the wrong state ended Hush's search of its
// archived states as a duplicate.
TEST_F(SessionCasesInterop, SimultaneousInitiationConverges) {
  ASSERT_TRUE(hush_.start_session(kLibsignal, bundle_from(words(peer_.call("bundle")))));
  ASSERT_EQ(peer_.call("process " + bundle_line(hush_.make_pq_bundle())), "ok");
  const Sent h1 = hush_sends("h1");
  const Sent l1 = peer_sends("l1");
  const Sent h2 = hush_sends("h2");
  const Sent l2 = peer_sends("l2");
  ASSERT_EQ(h1.type, MessageType::pre_key);
  ASSERT_EQ(l1.type, MessageType::pre_key);
  ASSERT_EQ(peer_reads(h1), hex_text("h1"));
  ASSERT_EQ(hush_reads(l1), "l1");
  EXPECT_EQ(hush_.decrypt(kLibsignal, {l1.type, l1.bytes}).code(), Errc::duplicate_message);
  ASSERT_EQ(hush_reads(l2), "l2");
  ASSERT_EQ(peer_reads(h2), hex_text("h2"));
  // libsignal answers first, on the session Hush started (its current one),
  // which Hush holds archived behind the session libsignal started.
  ASSERT_EQ(hush_reads(peer_sends("l3")), "l3");
  ASSERT_NO_FATAL_FAILURE(ping_pong(10, "converged"));
  EXPECT_EQ(hush_sends("steady").type, MessageType::whisper);
}

// libsignal (since 0.91) binds sender and recipient into the SignalMessage of
// each pre-key message when both addresses are Service IDs (ACI UUIDs, as
// Signal names devices): field 6 `addresses` = sender service id (17 bytes) ‖
// device ‖ recipient service id (17) ‖ device, under the MAC, checked on
// receipt when present and accepted when absent (older senders). Hush does
// the same when its SessionCipher knows its own address (docs/protocol.md 2a.6).
const std::string kLibsignalAci = "9d0652a3-dcc3-4d11-975f-74d61598733f";
const std::string kHushAci = "796abedb-ca4e-4f18-8803-1fde5b921f9f";
const std::string kMalloryAci = "e80f7bbe-5b94-471e-bd8c-2173654ea3d1";

TEST_F(SessionCasesInterop, ServiceIdAddressesAreBoundByLibsignalAndCheckedByHush) {
  ASSERT_EQ(peer_.call("names " + kLibsignalAci + " " + kHushAci), "ok");
  const ProtocolAddress libsignal{kLibsignalAci, DeviceId{1}};
  ASSERT_EQ(peer_.call("process " + bundle_line(hush_.make_pq_bundle())), "ok");
  const Sent first = peer_sends("first");
  auto pre_key = PreKeySignalMessage::deserialize(first.bytes);
  ASSERT_TRUE(pre_key);
  const auto expected = bound_addresses(libsignal, {kHushAci, DeviceId{1}});
  ASSERT_TRUE(expected);
  ASSERT_TRUE(pre_key->message().addresses()) << "libsignal wrote the addresses field";
  EXPECT_EQ(to_hex(*pre_key->message().addresses()), to_hex(*expected)) << "the bytes Hush computes";

  // A Hush device that takes itself for another recipient refuses it.
  SessionCipher as_mallory(hush_.store().stores(), libsignal, {kMalloryAci, DeviceId{1}});
  EXPECT_EQ(as_mallory.decrypt(first.type, first.bytes, hush_.rng()).code(), Errc::bad_mac);
  EXPECT_TRUE(hush_.session_bytes(libsignal).empty());
  SessionCipher hush(hush_.store().stores(), libsignal, {kHushAci, DeviceId{1}});
  auto got = hush.decrypt(first.type, first.bytes, hush_.rng());
  ASSERT_TRUE(got) << errc_name(got.code());
  EXPECT_EQ(to_string(got->expose()), "first");
  for (int i = 0; i < 3; ++i) {
    const std::string a = "hush " + std::to_string(i);
    auto m = hush.encrypt(as_bytes(a), hush_.rng());
    ASSERT_TRUE(m);
    EXPECT_FALSE(SignalMessage::deserialize(m->serialized)->addresses()) << "whisper messages carry none";
    ASSERT_EQ(peer_.call("decrypt 2 " + to_hex(m->serialized)), hex_text(a));
    const Sent from_peer = peer_sends("libsignal " + std::to_string(i));
    EXPECT_FALSE(SignalMessage::deserialize(from_peer.bytes)->addresses());
    auto read = hush.decrypt(from_peer.type, from_peer.bytes, hush_.rng());
    ASSERT_TRUE(read);
    EXPECT_EQ(to_string(read->expose()), "libsignal " + std::to_string(i));
  }
}

TEST_F(SessionCasesInterop, HushBindsServiceIdAddressesAndLibsignalChecksThem) {
  ASSERT_EQ(peer_.call("names " + kLibsignalAci + " " + kHushAci), "ok");
  const ProtocolAddress libsignal{kLibsignalAci, DeviceId{1}};
  ASSERT_TRUE(hush_.start_session(libsignal, bundle_from(words(peer_.call("bundle")))));
  // Hush believing it is someone else: libsignal refuses the binding.
  SessionCipher as_mallory(hush_.store().stores(), libsignal, {kMalloryAci, DeviceId{1}});
  auto wrong = as_mallory.encrypt(as_bytes(std::string_view("wrong")), hush_.rng());
  ASSERT_TRUE(wrong);
  ASSERT_EQ(wrong->type, MessageType::pre_key);
  const std::string refused = peer_.call("decrypt 3 " + to_hex(wrong->serialized));
  EXPECT_TRUE(is_error(refused)) << refused;
  EXPECT_EQ(peer_.call("has_session"), "0") << "libsignal kept nothing";
  // The right binding: libsignal checks it and reads the message.
  SessionCipher hush(hush_.store().stores(), libsignal, {kHushAci, DeviceId{1}});
  auto m = hush.encrypt(as_bytes(std::string_view("bound")), hush_.rng());
  ASSERT_TRUE(m);
  auto parsed = PreKeySignalMessage::deserialize(m->serialized);
  ASSERT_TRUE(parsed && parsed->message().addresses());
  ASSERT_EQ(peer_.call("decrypt 3 " + to_hex(m->serialized)), hex_text("bound"));
  const Sent reply = peer_sends("reply");
  auto read = hush.decrypt(reply.type, reply.bytes, hush_.rng());
  ASSERT_TRUE(read);
  EXPECT_EQ(to_string(read->expose()), "reply");
}

// Without its own address (the two-argument SessionCipher) Hush neither
// writes nor checks the field, as libsignal without a local address; the
// two still interoperate.
TEST_F(SessionCasesInterop, WithoutItsOwnAddressHushStillInteroperates) {
  ASSERT_EQ(peer_.call("names " + kLibsignalAci + " " + kHushAci), "ok");
  const ProtocolAddress libsignal{kLibsignalAci, DeviceId{1}};
  ASSERT_EQ(peer_.call("process " + bundle_line(hush_.make_pq_bundle())), "ok");
  const Sent first = peer_sends("first");
  ASSERT_EQ(text_of(hush_.decrypt(libsignal, {first.type, first.bytes})), "first");
  auto m = hush_.encrypt(libsignal, "answer");
  ASSERT_TRUE(m);
  ASSERT_EQ(peer_.call("decrypt 2 " + to_hex(m->serialized)), hex_text("answer"));
}

// What libsignal-client 0.103's API can say about post-quantum protection:
// SessionRecord has no version query (hasCurrentState only); the messages it
// sends carry their version (SignalMessage.messageVersion,
// PreKeySignalMessage.version) and their SPQR part (SignalMessage.pqRatchet).
TEST_F(SessionCasesInterop, LibsignalReportsTheSessionAsPostQuantum) {
  EXPECT_EQ(peer_.call("has_session"), "0");
  ASSERT_EQ(peer_.call("process " + bundle_line(hush_.make_pq_bundle())), "ok");
  EXPECT_EQ(peer_.call("has_session"), "1");
  const Sent first = peer_sends("first");
  EXPECT_EQ(peer_.call("inspect 3 " + to_hex(first.bytes)), "4 -") << "PreKeySignalMessage version 4 (PQXDH)";
  ASSERT_EQ(hush_reads(first), "first");
  int spqr_parts = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string a = "hush " + std::to_string(i);
    ASSERT_EQ(peer_reads(hush_sends(a)), hex_text(a));
    const Sent m = peer_sends("libsignal " + std::to_string(i));
    ASSERT_EQ(m.type, MessageType::whisper);
    const auto info = words(peer_.call("inspect 2 " + to_hex(m.bytes)));
    ASSERT_EQ(info.size(), 2u);
    EXPECT_EQ(info[0], "4") << "SignalMessage version 4";
    if (std::stoul(info[1]) > 0) ++spqr_parts;
    ASSERT_EQ(hush_reads(m), "libsignal " + std::to_string(i));
  }
  EXPECT_EQ(spqr_parts, 30) << "every message carries an SPQR (V1) part";
  EXPECT_EQ(peer_.call("has_session"), "1");
  // Hush's side of the same session.
  auto record = SessionRecord::deserialize(hush_.session_bytes(kLibsignal));
  ASSERT_TRUE(record && record->has_current_state());
  EXPECT_EQ(record->current_state()->session_version, 4u);
  const spqr::SpqrState* spqr = &record->current_state()->pq_ratchet;
  EXPECT_EQ(spqr->version(), spqr::Version::v1);
  EXPECT_FALSE(spqr->negotiating()) << "libsignal answered in V1";
  EXPECT_GE(spqr->epoch(), 1u);  // epochs advance over hundreds of messages: triple_ratchet_interop_test
}

}  // namespace
}  // namespace hush::signal
