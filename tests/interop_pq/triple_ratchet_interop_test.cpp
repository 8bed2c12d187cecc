// The triple ratchet (PQXDH + Double Ratchet + SPQR) against
// @signalapp/libsignal-client 0.103 (issue #15), through
// tests/peers/kem-node/signal-peer.mjs: sessions started from either side's
// bundle, then thousands of messages both ways with random interleaving,
// out-of-order delivery and drops while SPQR's epochs advance; a duplicate
// and a tampered message are refused by both, and Hush's session is left
// exactly as it was.
#include "node_kem_peer.hpp"
#include "signal_peer_lines.hpp"

#include <hush/signal/session_record.hpp>
#include <hush/signal/spqr.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

namespace hush::signal {
namespace {

using namespace peer_lines;
using testing::NodeKemPeer;
using testing::SignalParty;

const ProtocolAddress kLibsignal{"libsignal", DeviceId{1}};

std::string text_of(Result<std::string> r) {
  return r ? *r : std::string("error: ") + std::string(errc_name(r.code()));
}

std::uint64_t hush_epoch(const SignalParty& hush) {
  auto record = SessionRecord::deserialize(hush.session_bytes(kLibsignal));
  HUSH_CHECK(record.has_value() && record->has_current_state());
  return record->current_state()->pq_ratchet.epoch();
}

class TripleRatchetInterop : public ::testing::TestWithParam<bool> {
 protected:
  NodeKemPeer peer_{HUSH_KEM_PEER_DIR "/signal-peer.mjs"};
  SignalParty hush_{"hush", 201};

  // Starts the session from one side's bundle and delivers its first message.
  void start(bool hush_initiates) {
    if (hush_initiates) {
      ASSERT_TRUE(hush_.start_session(kLibsignal, bundle_from(words(peer_.call("bundle")))));
      auto first = hush_.encrypt(kLibsignal, "first from hush");
      ASSERT_TRUE(first);
      ASSERT_EQ(peer_.call("decrypt 3 " + to_hex(first->serialized)), hex_text("first from hush"));
    } else {
      ASSERT_EQ(peer_.call("process " + bundle_line(hush_.make_pq_bundle())), "ok");
      auto first = words(peer_.call("encrypt " + hex_text("first from libsignal")));
      ASSERT_EQ(first.size(), 2u) << first[0];
      ASSERT_EQ(text_of(hush_.decrypt(kLibsignal, {static_cast<MessageType>(std::stoi(first[0])), unhex(first[1])})),
                "first from libsignal");
    }
  }
};

struct InFlight {
  MessageType type;
  Bytes bytes;
  std::string text;
};

TEST_P(TripleRatchetInterop, MessagesBothWaysWithReorderingAndDropsAdvanceSpqr) {
  ASSERT_NO_FATAL_FAILURE(start(GetParam()));
  testing::DeterministicRng dice(GetParam() ? 202 : 203);
  std::deque<InFlight> to_peer;
  std::deque<InFlight> to_hush;
  int from_hush = 0;
  int from_peer = 0;
  int delivered = 0;
  int dropped = 0;
  // One of the first few in flight (reordering within the chains both sides
  // keep), or, one time in twenty, dropped.
  auto pick = [&](std::deque<InFlight>& queue) {
    const auto window = static_cast<std::uint32_t>(std::min<std::size_t>(queue.size(), 4));
    return queue.begin() + dice.uniform(window);
  };
  auto deliver_to_peer = [&] {
    if (to_peer.empty()) return;
    auto at = pick(to_peer);
    if (dice.uniform(20) == 0) {
      ++dropped;
    } else {
      ASSERT_EQ(peer_.call("decrypt " + std::to_string(static_cast<int>(at->type)) + " " + to_hex(at->bytes)),
                hex_text(at->text));
      ++delivered;
    }
    to_peer.erase(at);
  };
  auto deliver_to_hush = [&] {
    if (to_hush.empty()) return;
    auto at = pick(to_hush);
    if (dice.uniform(20) == 0) {
      ++dropped;
    } else {
      ASSERT_EQ(text_of(hush_.decrypt(kLibsignal, {at->type, at->bytes})), at->text);
      ++delivered;
    }
    to_hush.erase(at);
  };
  constexpr int kSteps = 4000;  // about 1,000 messages each way
  for (int step = 0; step < kSteps; ++step) {
    switch (dice.uniform(4)) {
      case 0: {
        const std::string text = "hush " + std::to_string(step);
        auto m = hush_.encrypt(kLibsignal, text);
        ASSERT_TRUE(m) << errc_name(m.code());
        to_peer.push_back({m->type, std::move(m->serialized), text});
        ++from_hush;
        break;
      }
      case 1: {
        const std::string text = "libsignal " + std::to_string(step);
        auto m = words(peer_.call("encrypt " + hex_text(text)));
        ASSERT_EQ(m.size(), 2u) << m[0];
        to_hush.push_back({static_cast<MessageType>(std::stoi(m[0])), unhex(m[1]), text});
        ++from_peer;
        break;
      }
      case 2:
        deliver_to_peer();
        break;
      default:
        deliver_to_hush();
        break;
    }
    if (HasFatalFailure()) return;
  }
  while (!to_peer.empty() && !HasFatalFailure()) deliver_to_peer();
  while (!to_hush.empty() && !HasFatalFailure()) deliver_to_hush();
  EXPECT_EQ(delivered + dropped, from_hush + from_peer);
  EXPECT_GT(from_hush, 900);
  EXPECT_GT(from_peer, 900);
  EXPECT_GT(dropped, 0);
  EXPECT_GE(hush_epoch(hush_), 3u) << "SPQR's epochs advanced";
}

TEST_P(TripleRatchetInterop, DuplicateAndTamperedMessagesAreRefusedByBoth) {
  ASSERT_NO_FATAL_FAILURE(start(GetParam()));
  // Get both sides past the pre-key phase.
  auto reply = words(peer_.call("encrypt " + hex_text("libsignal reply")));
  ASSERT_EQ(reply.size(), 2u);
  ASSERT_EQ(text_of(hush_.decrypt(kLibsignal, {static_cast<MessageType>(std::stoi(reply[0])), unhex(reply[1])})),
            "libsignal reply");
  auto m = hush_.encrypt(kLibsignal, "hush reply");
  ASSERT_TRUE(m);
  ASSERT_EQ(peer_.call("decrypt 2 " + to_hex(m->serialized)), hex_text("hush reply"));

  // Hush → libsignal: a duplicate, then a tampered message before its genuine twin.
  const std::string dup = peer_.call("decrypt 2 " + to_hex(m->serialized));
  EXPECT_EQ(dup.rfind("error", 0), 0u) << dup;
  auto next = hush_.encrypt(kLibsignal, "hush next");
  ASSERT_TRUE(next);
  Bytes tampered = next->serialized;
  tampered[tampered.size() - 1] ^= 0x01;  // the MAC
  const std::string refused = peer_.call("decrypt 2 " + to_hex(tampered));
  EXPECT_EQ(refused.rfind("error", 0), 0u) << refused;
  EXPECT_EQ(peer_.call("decrypt 2 " + to_hex(next->serialized)), hex_text("hush next"));

  // libsignal → Hush: the same, and Hush's session bytes do not move.
  auto theirs = words(peer_.call("encrypt " + hex_text("libsignal next")));
  ASSERT_EQ(theirs.size(), 2u);
  const Bytes genuine = unhex(theirs[1]);
  Bytes bad = genuine;
  bad[bad.size() - 1] ^= 0x01;
  const Bytes before = hush_.session_bytes(kLibsignal);
  EXPECT_EQ(hush_.decrypt(kLibsignal, {MessageType::whisper, bad}).code(), Errc::bad_mac);
  EXPECT_EQ(hush_.session_bytes(kLibsignal), before);
  ASSERT_EQ(text_of(hush_.decrypt(kLibsignal, {MessageType::whisper, genuine})), "libsignal next");
  const Bytes after = hush_.session_bytes(kLibsignal);
  EXPECT_EQ(hush_.decrypt(kLibsignal, {MessageType::whisper, genuine}).code(), Errc::duplicate_message);
  EXPECT_EQ(hush_.session_bytes(kLibsignal), after);
}

INSTANTIATE_TEST_SUITE_P(Initiator, TripleRatchetInterop, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "Hush" : "Libsignal"; });

}  // namespace
}  // namespace hush::signal
