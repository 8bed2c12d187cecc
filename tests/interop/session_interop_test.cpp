// Hush against libsignal-protocol-c 2.3.3 on the wire: sessions set up from
// either side, a long two-way conversation with random interleaving,
// reordering and replays, sessions replaced while old messages are in flight,
// tampering, plaintext edge cases and identity changes. libhush runs through
// SignalParty, the peer through LibsignalPeer; peer_conversion.hpp translates.
#include <hush/signal/session_record.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/libsignal_peer.hpp>
#include <hush/testing/peer_conversion.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hush::testing {
namespace {

using signal::MessageType;

constexpr std::int32_t kDevice = 1;
constexpr const char* kHushName = "alice";  // how the peer addresses the Hush device
constexpr const char* kPeerName = "bob";    // how Hush addresses the peer

// Random bytes as a std::string (SignalParty speaks strings; any bytes are fine).
std::string random_text(crypto::Rng& rng, std::size_t size) {
  Bytes b(size);
  rng.fill(b);
  return to_string(b);
}

std::string as_string(const Bytes& b) { return to_string(b); }

// The Hush record's current session, identified by its X3DH base key.
std::optional<crypto::PublicKey> current_base_key(const SignalParty& party, const signal::ProtocolAddress& peer) {
  auto record = signal::SessionRecord::deserialize(party.session_bytes(peer));
  if (!record || !record->has_current_state()) return std::nullopt;
  return record->current_state()->alice_base_key;
}

// Where the inner SignalMessage sits inside a serialized PreKeySignalMessage.
std::pair<std::size_t, std::size_t> inner_message_range(const Bytes& pre_key_message) {
  auto parsed = signal::PreKeySignalMessage::deserialize(pre_key_message);
  HUSH_CHECK(parsed.has_value());
  const Bytes& inner = parsed->message().serialized();
  auto at = std::search(pre_key_message.begin(), pre_key_message.end(), inner.begin(), inner.end());
  HUSH_CHECK(at != pre_key_message.end());
  return {static_cast<std::size_t>(at - pre_key_message.begin()), inner.size()};
}

// Every single-byte change in [from, from + count): one bit per byte, rotating.
std::vector<Bytes> bit_flips(const Bytes& message, std::size_t from, std::size_t count) {
  std::vector<Bytes> out;
  for (std::size_t i = from; i < from + count; ++i) {
    Bytes bad = message;
    bad[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    out.push_back(std::move(bad));
  }
  return out;
}

class SessionInterop : public ::testing::Test {
 protected:
  SignalParty alice{kHushName, 1};
  LibsignalPeer bob{2, 2222};
  const signal::ProtocolAddress bob_address{kPeerName, signal::DeviceId{kDevice}};
  std::uint32_t next_peer_pre_key_id_ = 31;
  std::uint32_t next_peer_signed_id_ = 7;

  PeerBundle fresh_peer_bundle(LibsignalPeer& peer, bool one_time = true) {
    return peer.make_bundle(next_peer_pre_key_id_++, next_peer_signed_id_++, one_time);
  }

  // Hush starts a session from the peer's fresh bundle.
  void hush_initiates(bool one_time = true) {
    auto bundle = to_hush_bundle(fresh_peer_bundle(bob, one_time));
    ASSERT_TRUE(bundle) << errc_name(bundle.code());
    ASSERT_TRUE(alice.start_session(bob_address, *bundle));
  }

  // The peer starts a session from Hush's fresh bundle.
  void peer_initiates(bool one_time = true) {
    ASSERT_EQ(bob.process_bundle(kHushName, kDevice, to_peer_bundle(alice.make_bundle(one_time))), sg::kSuccess)
        << bob.last_log();
  }

  // One message Hush → peer; `type` 0 accepts either wire type.
  ::testing::AssertionResult hush_to_peer(const std::string& text, int type = 0) {
    auto m = alice.encrypt(bob_address, text);
    if (!m) return ::testing::AssertionFailure() << "Hush encrypt: " << errc_name(m.code());
    if (type != 0 && to_peer_type(m->type) != type) {
      return ::testing::AssertionFailure() << "Hush sent type " << to_peer_type(m->type) << ", expected " << type;
    }
    PeerPlaintext got = bob.decrypt(kHushName, kDevice, to_peer_type(m->type), m->serialized);
    if (got.rc != sg::kSuccess) return ::testing::AssertionFailure() << "peer decrypt rc " << got.rc;
    if (as_string(got.plaintext) != text) return ::testing::AssertionFailure() << "peer got another plaintext";
    return ::testing::AssertionSuccess();
  }

  // One message peer → Hush.
  ::testing::AssertionResult peer_to_hush(const std::string& text, int type = 0) {
    PeerCiphertext c = bob.encrypt(kHushName, kDevice, as_bytes(text));
    if (c.rc != sg::kSuccess) return ::testing::AssertionFailure() << "peer encrypt rc " << c.rc;
    if (type != 0 && c.type != type) {
      return ::testing::AssertionFailure() << "peer sent type " << c.type << ", expected " << type;
    }
    auto got = alice.decrypt(bob_address, to_hush_message(c));
    if (!got) return ::testing::AssertionFailure() << "Hush decrypt: " << errc_name(got.code());
    if (*got != text) return ::testing::AssertionFailure() << "Hush got another plaintext";
    return ::testing::AssertionSuccess();
  }
};

// ---------------------------------------------------------------- setup

TEST_F(SessionInterop, HushInitiatesAndLibsignalResponds) {
  hush_initiates();
  ASSERT_TRUE(hush_to_peer("hello from hush", sg::kPreKeySignalMessage));
  ASSERT_TRUE(hush_to_peer("still unanswered", sg::kPreKeySignalMessage));
  EXPECT_TRUE(bob.has_session(kHushName, kDevice));
  EXPECT_FALSE(bob.has_pre_key(31)) << "the peer consumed its one-time pre-key";
  ASSERT_TRUE(peer_to_hush("hello from libsignal", sg::kSignalMessage));
  ASSERT_TRUE(hush_to_peer("answered now", sg::kSignalMessage));
  ASSERT_TRUE(peer_to_hush("and back", sg::kSignalMessage));
  EXPECT_EQ(bob.stored_identity(kHushName), alice.identity().serialize());
}

TEST_F(SessionInterop, LibsignalInitiatesAndHushResponds) {
  peer_initiates();
  EXPECT_EQ(alice.store().pre_keys.size(), 1u);
  ASSERT_TRUE(peer_to_hush("hello from libsignal", sg::kPreKeySignalMessage));
  ASSERT_TRUE(peer_to_hush("still unanswered", sg::kPreKeySignalMessage));
  EXPECT_EQ(alice.store().pre_keys.size(), 0u) << "Hush consumed its one-time pre-key";
  ASSERT_TRUE(hush_to_peer("hello from hush", sg::kSignalMessage));
  ASSERT_TRUE(peer_to_hush("answered now", sg::kSignalMessage));
  ASSERT_TRUE(hush_to_peer("and back", sg::kSignalMessage));
  auto recorded = alice.store().identities.identity(bob_address);
  ASSERT_TRUE(recorded && recorded->has_value());
  EXPECT_EQ((*recorded)->serialize(), bob.identity_public());
}

TEST_F(SessionInterop, SessionsWithoutOneTimePreKeyBothWays) {
  hush_initiates(false);
  ASSERT_TRUE(hush_to_peer("no one-time key, hush first", sg::kPreKeySignalMessage));
  ASSERT_TRUE(peer_to_hush("reply", sg::kSignalMessage));

  SignalParty carol{"carol", 3};
  ASSERT_EQ(bob.process_bundle("carol", kDevice, to_peer_bundle(carol.make_bundle(false))), sg::kSuccess);
  PeerCiphertext c = bob.encrypt("carol", kDevice, as_bytes(std::string_view("no one-time key, libsignal first")));
  ASSERT_EQ(c.type, sg::kPreKeySignalMessage);
  EXPECT_FALSE(signal::PreKeySignalMessage::deserialize(c.serialized)->pre_key_id().has_value());
  auto got = carol.decrypt(bob_address, to_hush_message(c));
  ASSERT_TRUE(got) << errc_name(got.code());
  EXPECT_EQ(*got, "no one-time key, libsignal first");
  auto reply = carol.encrypt(bob_address, "reply");
  ASSERT_TRUE(reply);
  EXPECT_EQ(bob.decrypt("carol", kDevice, to_peer_type(reply->type), reply->serialized).plaintext,
            to_bytes(std::string_view("reply")));
}

TEST_F(SessionInterop, EmptyAnd64KiBPlaintextsBothWays) {
  DeterministicRng rng(64);
  const std::string big = random_text(rng, 64 * 1024);
  hush_initiates();
  ASSERT_TRUE(hush_to_peer("", sg::kPreKeySignalMessage));
  ASSERT_TRUE(hush_to_peer(big, sg::kPreKeySignalMessage));
  ASSERT_TRUE(peer_to_hush(""));
  ASSERT_TRUE(peer_to_hush(big));
  ASSERT_TRUE(hush_to_peer("", sg::kSignalMessage));
  ASSERT_TRUE(hush_to_peer(big, sg::kSignalMessage));
  // Block boundaries of AES-CBC with PKCS#7 padding.
  for (std::size_t size : {1u, 15u, 16u, 17u, 65535u}) {
    ASSERT_TRUE(peer_to_hush(random_text(rng, size))) << size;
    ASSERT_TRUE(hush_to_peer(random_text(rng, size))) << size;
  }
}

// ---------------------------------------------------------------- a long conversation

// A message in flight. `stamp` is how many messages the other direction had
// delivered when it was sent: each such delivery can start one new sending
// chain, and a receiver keeps only kMaxReceiverChains of them.
struct Flight {
  std::string text;
  int type = 0;
  Bytes bytes;
  int stamp = 0;
};

struct Lane {
  std::deque<Flight> pending;
  std::vector<Flight> delivered;  // in delivery order
  int sent = 0;
};

// A message may wait while the other direction delivers this many messages:
// its chain is then at most 4 chains old, inside both libraries' 5.
constexpr int kMaxWaitingDeliveries = 3;
// Reordering picks one of the oldest kReorderWindow messages of a lane.
constexpr std::uint32_t kReorderWindow = 16;
constexpr int kMessagesEachWay = 1000;

class Conversation {
 public:
  Conversation(SignalParty& hush, LibsignalPeer& peer, const signal::ProtocolAddress& peer_address, std::uint64_t seed,
               bool hush_initiated)
      : hush_(hush), peer_(peer), peer_address_(peer_address), rng_(seed), hush_can_send_(hush_initiated),
        peer_can_send_(!hush_initiated) {}

  void run() {
    while (to_peer_.sent < kMessagesEachWay || to_hush_.sent < kMessagesEachWay || !to_peer_.pending.empty() ||
           !to_hush_.pending.empty()) {
      step();
      if (::testing::Test::HasFatalFailure() || failures_ > 0) return;
    }
    EXPECT_EQ(static_cast<int>(to_peer_.delivered.size()), kMessagesEachWay);
    EXPECT_EQ(static_cast<int>(to_hush_.delivered.size()), kMessagesEachWay);
    EXPECT_GT(replays_, 20);
    EXPECT_GT(largest_jump_, 200u) << "the schedule should skip far inside a chain at least once";
  }

 private:
  void step() {
    const std::uint32_t r = rng_.uniform(100);
    if (r < 25) {
      send_to_peer(1);
    } else if (r < 50) {
      send_to_hush(1);
    } else if (r < 52) {
      // A burst in one chain, often followed by its newest message: a jump of
      // up to a few hundred keys (libsignal-protocol-c refuses more than 2000).
      const int burst = 10 + static_cast<int>(rng_.uniform(300));
      const bool to_peer = rng_.uniform(2) == 0;
      to_peer ? send_to_peer(burst) : send_to_hush(burst);
      if (rng_.uniform(2) == 0) deliver_newest(to_peer);
    } else if (r < 72) {
      deliver_to_peer(pick(to_peer_));
    } else if (r < 92) {
      deliver_to_hush(pick(to_hush_));
    } else if (r < 94) {
      deliver_newest(rng_.uniform(2) == 0);
    } else {
      replay(rng_.uniform(2) == 0, r < 97);
    }
  }

  std::size_t pick(const Lane& lane) {
    if (lane.pending.empty()) return 0;
    return rng_.uniform(std::min<std::uint32_t>(kReorderWindow, static_cast<std::uint32_t>(lane.pending.size())));
  }

  void deliver_newest(bool to_peer) {
    Lane& lane = to_peer ? to_peer_ : to_hush_;
    if (lane.pending.empty()) return;
    to_peer ? deliver_to_peer(lane.pending.size() - 1) : deliver_to_hush(lane.pending.size() - 1);
  }

  void send_to_peer(int count) {
    for (int i = 0; i < count && hush_can_send_ && to_peer_.sent < kMessagesEachWay; ++i) {
      std::string text = "h" + std::to_string(to_peer_.sent) + ":" + random_text(rng_, rng_.uniform(200));
      auto m = hush_.encrypt(peer_address_, text);
      if (!m) return fail("Hush encrypt failed: " + std::string(errc_name(m.code())));
      to_peer_.pending.push_back({text, to_peer_type(m->type), m->serialized, static_cast<int>(to_hush_.delivered.size())});
      ++to_peer_.sent;
    }
  }

  void send_to_hush(int count) {
    for (int i = 0; i < count && peer_can_send_ && to_hush_.sent < kMessagesEachWay; ++i) {
      std::string text = "p" + std::to_string(to_hush_.sent) + ":" + random_text(rng_, rng_.uniform(200));
      PeerCiphertext c = peer_.encrypt(kHushName, kDevice, as_bytes(text));
      if (c.rc != sg::kSuccess) return fail("peer encrypt rc " + std::to_string(c.rc));
      to_hush_.pending.push_back({text, c.type, c.serialized, static_cast<int>(to_peer_.delivered.size())});
      ++to_hush_.sent;
    }
  }

  // Called before the other direction delivers once more (reaching
  // `other_delivered_after`): whatever in `lane` would grow too old goes first.
  void flush_old(bool lane_to_peer, int other_delivered_after) {
    Lane& lane = lane_to_peer ? to_peer_ : to_hush_;
    while (!lane.pending.empty() && other_delivered_after - lane.pending.front().stamp > kMaxWaitingDeliveries) {
      lane_to_peer ? deliver_to_peer_now(0) : deliver_to_hush_now(0);
      if (failures_ > 0) return;
    }
  }

  void deliver_to_peer(std::size_t index) {
    if (to_peer_.pending.empty()) return;
    flush_old(false, static_cast<int>(to_peer_.delivered.size()) + 1);
    if (failures_ > 0 || to_peer_.pending.empty()) return;
    deliver_to_peer_now(std::min(index, to_peer_.pending.size() - 1));
  }

  void deliver_to_hush(std::size_t index) {
    if (to_hush_.pending.empty()) return;
    flush_old(true, static_cast<int>(to_hush_.delivered.size()) + 1);
    if (failures_ > 0 || to_hush_.pending.empty()) return;
    deliver_to_hush_now(std::min(index, to_hush_.pending.size() - 1));
  }

  void deliver_to_peer_now(std::size_t index) {
    largest_jump_ = std::max<std::size_t>(largest_jump_, index);
    Flight f = std::move(to_peer_.pending[index]);
    to_peer_.pending.erase(to_peer_.pending.begin() + static_cast<std::ptrdiff_t>(index));
    PeerPlaintext got = peer_.decrypt(kHushName, kDevice, f.type, f.bytes);
    if (got.rc != sg::kSuccess) return fail("peer refused " + f.text.substr(0, 6) + " rc " + std::to_string(got.rc));
    if (as_string(got.plaintext) != f.text) return fail("peer got another plaintext for " + f.text.substr(0, 6));
    to_peer_.delivered.push_back(std::move(f));
    peer_can_send_ = true;
  }

  void deliver_to_hush_now(std::size_t index) {
    largest_jump_ = std::max<std::size_t>(largest_jump_, index);
    Flight f = std::move(to_hush_.pending[index]);
    to_hush_.pending.erase(to_hush_.pending.begin() + static_cast<std::ptrdiff_t>(index));
    auto got = hush_.decrypt(peer_address_, {static_cast<MessageType>(f.type), f.bytes});
    if (!got) return fail("Hush refused " + f.text.substr(0, 6) + ": " + std::string(errc_name(got.code())));
    if (*got != f.text) return fail("Hush got another plaintext for " + f.text.substr(0, 6));
    to_hush_.delivered.push_back(std::move(f));
    hush_can_send_ = true;
  }

  // Replays the last delivered message of a lane (its chain is certainly still
  // kept: the duplicate must be named as such) or one of the last 32 (refused,
  // whatever the reason). Hush's session must not change either way.
  void replay(bool to_peer, bool last) {
    Lane& lane = to_peer ? to_peer_ : to_hush_;
    if (lane.delivered.empty()) return;
    const std::size_t back = last ? 0 : rng_.uniform(std::min<std::uint32_t>(32, static_cast<std::uint32_t>(lane.delivered.size())));
    const Flight& f = lane.delivered[lane.delivered.size() - 1 - back];
    ++replays_;
    if (to_peer) {
      PeerPlaintext got = peer_.decrypt(kHushName, kDevice, f.type, f.bytes);
      if (got.rc == sg::kSuccess) return fail("peer accepted a replay of " + f.text.substr(0, 6));
      if (last && got.rc != sg::kErrDuplicateMessage) return fail("peer replay rc " + std::to_string(got.rc));
    } else {
      Bytes before = hush_.session_bytes(peer_address_);
      auto got = hush_.decrypt(peer_address_, {static_cast<MessageType>(f.type), f.bytes});
      if (got) return fail("Hush accepted a replay of " + f.text.substr(0, 6));
      if (last && got.code() != Errc::duplicate_message) {
        return fail("Hush replay error " + std::string(errc_name(got.code())));
      }
      if (hush_.session_bytes(peer_address_) != before) return fail("a refused replay changed Hush's session");
    }
  }

  void fail(const std::string& what) {
    ++failures_;
    ADD_FAILURE() << what << " (to peer: " << to_peer_.delivered.size() << " delivered, to Hush: "
                  << to_hush_.delivered.size() << " delivered)";
  }

  SignalParty& hush_;
  LibsignalPeer& peer_;
  const signal::ProtocolAddress& peer_address_;
  DeterministicRng rng_;
  bool hush_can_send_;
  bool peer_can_send_;
  Lane to_peer_;
  Lane to_hush_;
  int replays_ = 0;
  int failures_ = 0;
  std::size_t largest_jump_ = 0;
};

TEST_F(SessionInterop, ThousandMessagesEachWayInterleavedOutOfOrderWithReplaysHushFirst) {
  hush_initiates();
  Conversation(alice, bob, bob_address, 1001, true).run();
}

TEST_F(SessionInterop, ThousandMessagesEachWayInterleavedOutOfOrderWithReplaysLibsignalFirst) {
  peer_initiates();
  Conversation(alice, bob, bob_address, 1002, false).run();
}

// ---------------------------------------------------------------- session replacement

// After a replacement, both libraries make whichever session last decrypted a
// message current again; the test requires that they settle on one session.
void expect_converged(SignalParty& alice, const signal::ProtocolAddress& bob_address,
                      const std::function<::testing::AssertionResult(const std::string&)>& hush_to_peer,
                      const std::function<::testing::AssertionResult(const std::string&)>& peer_to_hush) {
  std::optional<crypto::PublicKey> settled;
  for (int round = 0; round < 6; ++round) {
    ASSERT_TRUE(peer_to_hush("converge p" + std::to_string(round))) << round;
    ASSERT_TRUE(hush_to_peer("converge h" + std::to_string(round))) << round;
    auto now = current_base_key(alice, bob_address);
    ASSERT_TRUE(now);
    if (round >= 1) {
      EXPECT_EQ(now, settled) << "Hush's current session still changes in round " << round;
    }
    settled = now;
  }
  auto m = alice.encrypt(bob_address, "settled");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, MessageType::whisper) << "Hush's current session has been answered";
}

TEST_F(SessionInterop, HushStartsANewSessionAndLateOldMessagesStillDecrypt) {
  hush_initiates();
  ASSERT_TRUE(hush_to_peer("old a1"));
  ASSERT_TRUE(peer_to_hush("old b1"));
  ASSERT_TRUE(hush_to_peer("old a2"));
  auto late_from_hush = alice.encrypt(bob_address, "late from the old session (hush)");
  PeerCiphertext late_from_peer = bob.encrypt(kHushName, kDevice, as_bytes(std::string_view("late from the old session (peer)")));
  ASSERT_TRUE(late_from_hush);
  ASSERT_EQ(late_from_peer.type, sg::kSignalMessage);
  const auto old_session = current_base_key(alice, bob_address);

  hush_initiates();  // e.g. the session was lost: a new one from a fresh bundle
  const auto new_session = current_base_key(alice, bob_address);
  ASSERT_NE(old_session, new_session);
  ASSERT_TRUE(hush_to_peer("new a1", sg::kPreKeySignalMessage));
  ASSERT_TRUE(hush_to_peer("new a2", sg::kPreKeySignalMessage));

  PeerPlaintext got = bob.decrypt(kHushName, kDevice, to_peer_type(late_from_hush->type), late_from_hush->serialized);
  ASSERT_EQ(got.rc, sg::kSuccess);
  EXPECT_EQ(as_string(got.plaintext), "late from the old session (hush)");
  auto got_hush = alice.decrypt(bob_address, to_hush_message(late_from_peer));
  ASSERT_TRUE(got_hush) << errc_name(got_hush.code());
  EXPECT_EQ(*got_hush, "late from the old session (peer)");

  expect_converged(
      alice, bob_address, [this](const std::string& s) { return hush_to_peer(s); },
      [this](const std::string& s) { return peer_to_hush(s); });
}

TEST_F(SessionInterop, LibsignalStartsANewSessionAndLateOldMessagesStillDecrypt) {
  hush_initiates();
  ASSERT_TRUE(hush_to_peer("old a1"));
  ASSERT_TRUE(peer_to_hush("old b1"));
  auto late_from_hush = alice.encrypt(bob_address, "late from the old session (hush)");
  PeerCiphertext late_from_peer = bob.encrypt(kHushName, kDevice, as_bytes(std::string_view("late from the old session (peer)")));
  ASSERT_TRUE(late_from_hush);
  const auto old_session = current_base_key(alice, bob_address);

  peer_initiates();  // the responder now re-runs setup from Hush's fresh bundle
  ASSERT_TRUE(peer_to_hush("new b1", sg::kPreKeySignalMessage));
  EXPECT_NE(current_base_key(alice, bob_address), old_session) << "Hush switched to the new session";
  ASSERT_TRUE(hush_to_peer("new a1", sg::kSignalMessage));
  ASSERT_TRUE(peer_to_hush("new b2", sg::kSignalMessage));

  auto got_hush = alice.decrypt(bob_address, to_hush_message(late_from_peer));
  ASSERT_TRUE(got_hush) << errc_name(got_hush.code());
  EXPECT_EQ(*got_hush, "late from the old session (peer)");
  PeerPlaintext got = bob.decrypt(kHushName, kDevice, to_peer_type(late_from_hush->type), late_from_hush->serialized);
  ASSERT_EQ(got.rc, sg::kSuccess);
  EXPECT_EQ(as_string(got.plaintext), "late from the old session (hush)");

  expect_converged(
      alice, bob_address, [this](const std::string& s) { return hush_to_peer(s); },
      [this](const std::string& s) { return peer_to_hush(s); });
}

// ---------------------------------------------------------------- tampering

// The next message from the peer starts a new chain and skips counter 0, so a
// refused forgery would have had a ratchet step and skipped keys to roll back.
TEST_F(SessionInterop, TamperedSignalMessageFromLibsignalIsRefusedByHushAndChangesNothing) {
  hush_initiates();
  ASSERT_TRUE(hush_to_peer("a1"));
  ASSERT_TRUE(peer_to_hush("b1"));
  ASSERT_TRUE(hush_to_peer("a2"));
  PeerCiphertext skipped = bob.encrypt(kHushName, kDevice, as_bytes(std::string_view("b2, delivered last")));
  PeerCiphertext target = bob.encrypt(kHushName, kDevice, as_bytes(std::string_view("b3, tampered first")));
  ASSERT_EQ(target.type, sg::kSignalMessage);

  const Bytes before = alice.session_bytes(bob_address);
  std::vector<Bytes> forgeries = bit_flips(target.serialized, 0, target.serialized.size());
  forgeries.emplace_back(target.serialized.begin(), target.serialized.end() - 1);
  forgeries.emplace_back(target.serialized.begin(), target.serialized.end() - signal::kMacSize);
  for (std::size_t i = 0; i < forgeries.size(); ++i) {
    auto got = alice.decrypt(bob_address, {MessageType::whisper, forgeries[i]});
    EXPECT_FALSE(got) << "forgery " << i << " accepted";
    EXPECT_EQ(alice.session_bytes(bob_address), before) << "forgery " << i << " changed the session";
  }
  auto got = alice.decrypt(bob_address, to_hush_message(target));
  ASSERT_TRUE(got) << errc_name(got.code());
  EXPECT_EQ(*got, "b3, tampered first");
  EXPECT_EQ(*alice.decrypt(bob_address, to_hush_message(skipped)), "b2, delivered last");
  ASSERT_TRUE(hush_to_peer("a3"));
}

TEST_F(SessionInterop, TamperedSignalMessageFromHushIsRefusedByLibsignal) {
  peer_initiates();
  ASSERT_TRUE(peer_to_hush("b1"));
  ASSERT_TRUE(hush_to_peer("a1"));
  ASSERT_TRUE(peer_to_hush("b2"));
  auto skipped = alice.encrypt(bob_address, "a2, delivered last");
  auto target = alice.encrypt(bob_address, "a3, tampered first");
  ASSERT_TRUE(skipped && target);
  ASSERT_EQ(target->type, MessageType::whisper);

  std::vector<Bytes> forgeries = bit_flips(target->serialized, 0, target->serialized.size());
  forgeries.emplace_back(target->serialized.begin(), target->serialized.end() - 1);
  forgeries.emplace_back(target->serialized.begin(), target->serialized.end() - signal::kMacSize);
  for (std::size_t i = 0; i < forgeries.size(); ++i) {
    EXPECT_NE(bob.decrypt(kHushName, kDevice, sg::kSignalMessage, forgeries[i]).rc, sg::kSuccess) << "forgery " << i;
  }
  PeerPlaintext got = bob.decrypt(kHushName, kDevice, sg::kSignalMessage, target->serialized);
  ASSERT_EQ(got.rc, sg::kSuccess);
  EXPECT_EQ(as_string(got.plaintext), "a3, tampered first");
  got = bob.decrypt(kHushName, kDevice, sg::kSignalMessage, skipped->serialized);
  ASSERT_EQ(got.rc, sg::kSuccess);
  EXPECT_EQ(as_string(got.plaintext), "a2, delivered last");
  ASSERT_TRUE(peer_to_hush("b3"));
}

TEST_F(SessionInterop, TamperedPreKeyMessageFromLibsignalIsRefusedByHushAndChangesNothing) {
  peer_initiates();
  PeerCiphertext target = bob.encrypt(kHushName, kDevice, as_bytes(std::string_view("first words")));
  ASSERT_EQ(target.type, sg::kPreKeySignalMessage);
  auto [from, count] = inner_message_range(target.serialized);
  for (const Bytes& forgery : bit_flips(target.serialized, from, count)) {
    auto got = alice.decrypt(bob_address, {MessageType::pre_key, forgery});
    EXPECT_FALSE(got) << "a forgery was accepted";
    EXPECT_TRUE(alice.session_bytes(bob_address).empty()) << "a refused pre-key message stored a session";
    EXPECT_EQ(alice.store().pre_keys.size(), 1u) << "a refused pre-key message consumed the pre-key";
    EXPECT_FALSE(alice.store().identities.identity(bob_address)->has_value()) << "identity recorded on failure";
  }
  auto got = alice.decrypt(bob_address, to_hush_message(target));
  ASSERT_TRUE(got) << errc_name(got.code());
  EXPECT_EQ(*got, "first words");
  EXPECT_EQ(alice.store().pre_keys.size(), 0u);
  ASSERT_TRUE(hush_to_peer("reply", sg::kSignalMessage));
}

TEST_F(SessionInterop, TamperedPreKeyMessageFromHushIsRefusedByLibsignal) {
  hush_initiates();
  auto target = alice.encrypt(bob_address, "first words");
  ASSERT_TRUE(target);
  ASSERT_EQ(target->type, MessageType::pre_key);
  auto [from, count] = inner_message_range(target->serialized);
  for (const Bytes& forgery : bit_flips(target->serialized, from, count)) {
    EXPECT_NE(bob.decrypt(kHushName, kDevice, sg::kPreKeySignalMessage, forgery).rc, sg::kSuccess);
    EXPECT_FALSE(bob.has_session(kHushName, kDevice)) << "a refused pre-key message stored a session";
    EXPECT_TRUE(bob.has_pre_key(31)) << "a refused pre-key message consumed the pre-key";
  }
  PeerPlaintext got = bob.decrypt(kHushName, kDevice, sg::kPreKeySignalMessage, target->serialized);
  ASSERT_EQ(got.rc, sg::kSuccess);
  EXPECT_EQ(as_string(got.plaintext), "first words");
  EXPECT_FALSE(bob.has_pre_key(31));
  ASSERT_TRUE(peer_to_hush("reply", sg::kSignalMessage));
}

// ---------------------------------------------------------------- identity

TEST_F(SessionInterop, HushRefusesAChangedLibsignalIdentityUntilTrusted) {
  hush_initiates();
  ASSERT_TRUE(hush_to_peer("hi bob"));
  ASSERT_TRUE(peer_to_hush("hi alice"));
  LibsignalPeer new_bob(3, 3333);  // "bob" reinstalled: same address, new identity

  // Sending: a bundle under the new identity is refused.
  auto bundle = to_hush_bundle(fresh_peer_bundle(new_bob));
  ASSERT_TRUE(bundle);
  const Bytes before = alice.session_bytes(bob_address);
  EXPECT_EQ(alice.start_session(bob_address, *bundle).code(), Errc::untrusted_identity);
  EXPECT_EQ(alice.session_bytes(bob_address), before);

  // Receiving: a pre-key message from the new identity is refused and changes nothing.
  ASSERT_EQ(new_bob.process_bundle(kHushName, kDevice, to_peer_bundle(alice.make_bundle())), sg::kSuccess);
  PeerCiphertext m = new_bob.encrypt(kHushName, kDevice, as_bytes(std::string_view("it's bob, new phone")));
  ASSERT_EQ(m.type, sg::kPreKeySignalMessage);
  EXPECT_EQ(alice.decrypt(bob_address, to_hush_message(m)).code(), Errc::untrusted_identity);
  EXPECT_EQ(alice.session_bytes(bob_address), before);
  EXPECT_EQ(alice.store().pre_keys.size(), 1u);
  ASSERT_TRUE(peer_to_hush("the old bob still gets through"));

  // The user accepts the new key.
  ASSERT_TRUE(alice.store().identities.save_identity(bob_address, bundle->identity_key));
  auto got = alice.decrypt(bob_address, to_hush_message(m));
  ASSERT_TRUE(got) << errc_name(got.code());
  EXPECT_EQ(*got, "it's bob, new phone");
  auto reply = alice.encrypt(bob_address, "welcome back");
  ASSERT_TRUE(reply);
  EXPECT_EQ(as_string(new_bob.decrypt(kHushName, kDevice, to_peer_type(reply->type), reply->serialized).plaintext),
            "welcome back");
  EXPECT_TRUE(alice.start_session(bob_address, *bundle));
}

TEST_F(SessionInterop, LibsignalRefusesAChangedHushIdentityUntilTrusted) {
  bob.set_trust_on_first_use(true);
  hush_initiates();
  ASSERT_TRUE(hush_to_peer("hi bob"));
  ASSERT_EQ(bob.stored_identity(kHushName), alice.identity().serialize());
  SignalParty new_alice{kHushName, 77};  // "alice" reinstalled: same address, new identity

  // Receiving: a pre-key message from the new identity.
  auto bundle = to_hush_bundle(fresh_peer_bundle(bob));
  ASSERT_TRUE(bundle);
  const std::uint32_t pre_key_id = bundle->pre_key_id->value;
  ASSERT_TRUE(new_alice.start_session(bob_address, *bundle));
  auto m = new_alice.encrypt(bob_address, "it's alice, new phone");
  ASSERT_TRUE(m);
  EXPECT_EQ(bob.decrypt(kHushName, kDevice, to_peer_type(m->type), m->serialized).rc, sg::kErrUntrustedIdentity);
  EXPECT_TRUE(bob.has_pre_key(pre_key_id));
  // Sending: a bundle under the new identity.
  EXPECT_EQ(bob.process_bundle(kHushName, kDevice, to_peer_bundle(new_alice.make_bundle())),
            sg::kErrUntrustedIdentity);
  ASSERT_TRUE(hush_to_peer("the old alice still gets through"));

  bob.trust_identity(kHushName, new_alice.identity().serialize());
  PeerPlaintext got = bob.decrypt(kHushName, kDevice, to_peer_type(m->type), m->serialized);
  ASSERT_EQ(got.rc, sg::kSuccess);
  EXPECT_EQ(as_string(got.plaintext), "it's alice, new phone");
  PeerCiphertext reply = bob.encrypt(kHushName, kDevice, as_bytes(std::string_view("welcome back")));
  auto back = new_alice.decrypt(bob_address, to_hush_message(reply));
  ASSERT_TRUE(back) << errc_name(back.code());
  EXPECT_EQ(*back, "welcome back");
}

}  // namespace
}  // namespace hush::testing
