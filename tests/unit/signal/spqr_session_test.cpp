// The triple ratchet between two Hush devices (issue #15): every version-4
// message carries SPQR and its keys are salted with SPQR's key; many messages
// with interleaving, reordering and drops move SPQR through its epochs; each
// kind of refusal leaves the session exactly as it was; skipped keys are kept
// as seeds, so a late message decrypts once its own SPQR key is known.
#include <hush/signal/constants.hpp>
#include <hush/signal/messages.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/signal/spqr.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <variant>

namespace hush::signal {
namespace {

using testing::SignalParty;

std::string text_of(Result<std::string> r) {
  return r ? *r : std::string("error: ") + std::string(errc_name(r.code()));
}

// The SPQR epoch of `party`'s current session with `peer`.
std::uint64_t spqr_epoch(const SignalParty& party, const ProtocolAddress& peer) {
  auto record = SessionRecord::deserialize(party.session_bytes(peer));
  HUSH_CHECK(record.has_value() && record->has_current_state());
  return record->current_state()->pq_ratchet.epoch();
}

// A started version-4 session: alice's first message delivered, bob answered.
struct Pair {
  SignalParty alice{"alice", 31};
  SignalParty bob{"bob", 32};

  Pair() {
    HUSH_CHECK(alice.start_session(bob.address(), bob.make_pq_bundle()).has_value());
    auto first = alice.encrypt(bob.address(), "first");
    HUSH_CHECK(first.has_value() && bob.decrypt(alice.address(), *first).has_value());
  }
};

// A message rebuilt with the same fields but the given SPQR part and a MAC
// under a wrong key: what an attacker without the keys can produce.
CiphertextMessage rebuilt(const CiphertextMessage& m, ByteView pq, const IdentityKey& from, const IdentityKey& to) {
  auto parsed = SignalMessage::deserialize(m.serialized);
  HUSH_CHECK(parsed.has_value());
  auto forged = SignalMessage::create(4, parsed->ratchet_key(), parsed->counter(), parsed->previous_counter(),
                                      to_bytes(parsed->ciphertext()), Bytes(32, 7), from, to, pq);
  return {MessageType::whisper, forged.serialized()};
}

TEST(TripleRatchet, EveryVersion4MessageCarriesSpqrAndIsSaltedWithItsKey) {
  Pair p;
  auto m = p.bob.encrypt(p.alice.address(), "reply");
  ASSERT_TRUE(m);
  auto parsed = SignalMessage::deserialize(m->serialized);
  ASSERT_TRUE(parsed);
  ASSERT_FALSE(parsed->pq_ratchet().empty());
  EXPECT_EQ(parsed->pq_ratchet()[0], 0x01) << "SPQR V1";
  // Stripping SPQR's part (a V0 message) is refused: the session requires V1.
  const Bytes before = p.alice.session_bytes(p.bob.address());
  auto stripped = rebuilt(*m, {}, p.bob.identity(), p.alice.identity());
  EXPECT_EQ(p.alice.decrypt(p.bob.address(), stripped).code(), Errc::unsupported_version);
  EXPECT_EQ(p.alice.session_bytes(p.bob.address()), before);
  EXPECT_EQ(text_of(p.alice.decrypt(p.bob.address(), *m)), "reply");
}

TEST(TripleRatchet, ThousandsOfMessagesWithReorderingAndDropsAdvanceTheEpochs) {
  Pair p;
  testing::DeterministicRng dice(33);
  struct InFlight {
    CiphertextMessage message;
    std::string text;
  };
  std::deque<InFlight> to_bob;
  std::deque<InFlight> to_alice;
  int sent = 0;
  int delivered = 0;
  int dropped = 0;
  // Delivers one of the first few in flight (reordering within a window the
  // ratchet keeps chains for), or drops it now and then.
  auto deliver = [&](std::deque<InFlight>& queue, SignalParty& to, const ProtocolAddress& from) {
    if (queue.empty()) return;
    const auto window = static_cast<std::uint32_t>(std::min<std::size_t>(queue.size(), 4));
    const auto at = queue.begin() + dice.uniform(window);
    if (dice.uniform(20) == 0) {
      ++dropped;
    } else {
      ASSERT_EQ(text_of(to.decrypt(from, at->message)), at->text);
      ++delivered;
    }
    queue.erase(at);
  };
  for (int step = 0; step < 4000; ++step) {
    switch (dice.uniform(4)) {
      case 0: {
        const std::string text = "a" + std::to_string(step);
        auto m = p.alice.encrypt(p.bob.address(), text);
        ASSERT_TRUE(m);
        to_bob.push_back({std::move(*m), text});
        ++sent;
        break;
      }
      case 1: {
        const std::string text = "b" + std::to_string(step);
        auto m = p.bob.encrypt(p.alice.address(), text);
        ASSERT_TRUE(m);
        to_alice.push_back({std::move(*m), text});
        ++sent;
        break;
      }
      case 2:
        deliver(to_bob, p.bob, p.alice.address());
        break;
      default:
        deliver(to_alice, p.alice, p.bob.address());
        break;
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
  while (!to_bob.empty()) deliver(to_bob, p.bob, p.alice.address());
  while (!to_alice.empty()) deliver(to_alice, p.alice, p.bob.address());
  EXPECT_EQ(delivered + dropped, sent);
  EXPECT_GT(dropped, 0);
  // SPQR moved on: each epoch is one ML-KEM exchange completed in chunks.
  EXPECT_GE(spqr_epoch(p.alice, p.bob.address()), 3u);
  EXPECT_GE(spqr_epoch(p.bob, p.alice.address()), 3u);
}

TEST(TripleRatchet, LateMessageDecryptsFromItsStoredSeedAndItsOwnSpqrKey) {
  Pair p;
  std::vector<CiphertextMessage> sent;
  // Enough messages that SPQR keys change along the way.
  for (int i = 0; i < 60; ++i) {
    auto m = p.bob.encrypt(p.alice.address(), "m" + std::to_string(i));
    ASSERT_TRUE(m);
    sent.push_back(std::move(*m));
  }
  ASSERT_EQ(text_of(p.alice.decrypt(p.bob.address(), sent.back())), "m59");
  auto record = SessionRecord::deserialize(p.alice.session_bytes(p.bob.address()));
  ASSERT_TRUE(record);
  const auto& skipped = record->current_state()->receiver_chains.front().skipped;
  ASSERT_EQ(skipped.size(), 59u);
  EXPECT_TRUE(std::holds_alternative<MessageKeySeed>(skipped.front())) << "kept as a seed, not as keys";
  for (int i = 58; i >= 0; --i) {
    ASSERT_EQ(text_of(p.alice.decrypt(p.bob.address(), sent[static_cast<std::size_t>(i)])), "m" + std::to_string(i));
  }
  EXPECT_EQ(p.alice.decrypt(p.bob.address(), sent[3]).code(), Errc::duplicate_message);
}

// Each refusal kind, on a message whose SPQR part is valid: the session
// bytes stay exactly as they were and the genuine message still decrypts
// (had SPQR's step been kept, it would not).
TEST(TripleRatchet, EveryRefusalLeavesTheSessionUnchanged) {
  Pair p;
  auto genuine = p.bob.encrypt(p.alice.address(), "genuine");
  ASSERT_TRUE(genuine);
  auto parsed = SignalMessage::deserialize(genuine->serialized);
  ASSERT_TRUE(parsed);
  const Bytes pq = to_bytes(parsed->pq_ratchet());
  const Bytes before = p.alice.session_bytes(p.bob.address());

  struct Case {
    const char* what;
    CiphertextMessage message;
    Errc expected;
  };
  Bytes tampered_body = genuine->serialized;
  const ByteView body = parsed->ciphertext();
  auto in_body = std::search(tampered_body.begin(), tampered_body.end(), body.begin(), body.end());
  ASSERT_NE(in_body, tampered_body.end());
  *(in_body + 5) ^= 0x01;  // in the AES ciphertext (SPQR's part follows it)
  Bytes bad_pq = pq;
  bad_pq[bad_pq.size() / 2] ^= 0x40;
  Bytes short_pq(pq.begin(), pq.begin() + 3);
  const std::vector<Case> cases = {
      {"valid SPQR part, MAC under a wrong key", rebuilt(*genuine, pq, p.bob.identity(), p.alice.identity()),
       Errc::bad_mac},
      {"ciphertext flipped", {MessageType::whisper, tampered_body}, Errc::bad_mac},
      {"SPQR part truncated", rebuilt(*genuine, short_pq, p.bob.identity(), p.alice.identity()), Errc::decode_error},
      {"SPQR part stripped", rebuilt(*genuine, {}, p.bob.identity(), p.alice.identity()), Errc::unsupported_version},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(p.alice.decrypt(p.bob.address(), c.message).code(), c.expected) << c.what;
    EXPECT_EQ(p.alice.session_bytes(p.bob.address()), before) << c.what;
  }
  // A flipped bit inside SPQR's part: refused (SPQR's own check or the MAC), unchanged.
  EXPECT_FALSE(p.alice.decrypt(p.bob.address(), rebuilt(*genuine, bad_pq, p.bob.identity(), p.alice.identity())));
  EXPECT_EQ(p.alice.session_bytes(p.bob.address()), before);

  ASSERT_EQ(text_of(p.alice.decrypt(p.bob.address(), *genuine)), "genuine");
  const Bytes after = p.alice.session_bytes(p.bob.address());
  EXPECT_EQ(p.alice.decrypt(p.bob.address(), *genuine).code(), Errc::duplicate_message);
  EXPECT_EQ(p.alice.session_bytes(p.bob.address()), after);
}

TEST(TripleRatchet, EncryptWithoutRandomnessIsRefusedOnAVersion4Session) {
  Pair p;
  const Bytes before = p.alice.session_bytes(p.bob.address());
  SessionCipher cipher(p.alice.store().stores(), p.bob.address());
  EXPECT_EQ(cipher.encrypt(as_bytes(std::string_view("no rng"))).code(), Errc::invalid_argument);
  EXPECT_EQ(p.alice.session_bytes(p.bob.address()), before);
}

TEST(TripleRatchet, RecordKeepsSpqrStateAndSeedsByteForByte) {
  Pair p;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(p.bob.encrypt(p.alice.address(), "x"));
  auto m = p.bob.encrypt(p.alice.address(), "y");
  ASSERT_TRUE(m);
  ASSERT_EQ(text_of(p.alice.decrypt(p.bob.address(), *m)), "y");
  const Bytes bytes = p.alice.session_bytes(p.bob.address());
  auto record = SessionRecord::deserialize(bytes);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->current_state()->pq_ratchet.version(), spqr::Version::v1);
  EXPECT_EQ(record->current_state()->receiver_chains.front().skipped.size(), 5u);
  EXPECT_EQ(to_bytes(record->serialize().expose()), bytes);
  // A damaged skipped-key kind is refused.
  Bytes damaged = bytes;
  bool found = false;
  auto seed = std::get<MessageKeySeed>(record->current_state()->receiver_chains.front().skipped.front()).seed.clone();
  const auto s = seed.expose();
  auto at = std::search(damaged.begin(), damaged.end(), s.begin(), s.end());
  if (at != damaged.end() && at - damaged.begin() >= 5) {
    *(at - 5) = 0x07;  // the kind byte before counter ‖ seed
    found = true;
  }
  ASSERT_TRUE(found);
  EXPECT_EQ(SessionRecord::deserialize(damaged).code(), Errc::decode_error);
}

// Two version-4 sessions started at once (each side fetched a bundle before
// the other's first message arrived; the SDK's ReceiveWhileTheSameHomeSends
// e2e test): messages of the archived session must still decrypt. SPQR runs
// before the MAC check, so the current state can see such a message's SPQR
// counter as used; that is not a duplicate, and the archived state must get
// its turn (a duplicate_message from the wrong state used to end the search).
TEST(TripleRatchet, SessionsStartedAtOnceConvergeWithoutAFalseDuplicate) {
  SignalParty alice("alice", 41);
  SignalParty bob("bob", 42);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_pq_bundle()));
  auto hello = alice.encrypt(bob.address(), "hello");
  ASSERT_TRUE(bob.start_session(alice.address(), alice.make_pq_bundle()));
  auto hello_back = bob.encrypt(alice.address(), "hello back");
  ASSERT_TRUE(hello && hello_back);
  std::vector<CiphertextMessage> to_bob;
  for (int i = 0; i < 4; ++i) to_bob.push_back(*alice.encrypt(bob.address(), "to bob " + std::to_string(i)));
  auto before = bob.encrypt(alice.address(), "before");
  ASSERT_TRUE(before);
  EXPECT_EQ(text_of(bob.decrypt(alice.address(), *hello)), "hello");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(text_of(bob.decrypt(alice.address(), to_bob[i])), "to bob " + std::to_string(i));
  std::vector<CiphertextMessage> to_alice;
  for (int i = 0; i < 4; ++i) to_alice.push_back(*bob.encrypt(alice.address(), "to alice " + std::to_string(i)));
  EXPECT_EQ(text_of(alice.decrypt(bob.address(), *hello_back)), "hello back");
  EXPECT_EQ(text_of(alice.decrypt(bob.address(), *before)), "before");
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(text_of(alice.decrypt(bob.address(), to_alice[i])), "to alice " + std::to_string(i));
  }
  // A real duplicate is still one.
  EXPECT_EQ(alice.decrypt(bob.address(), to_alice[3]).code(), Errc::duplicate_message);
}

}  // namespace
}  // namespace hush::signal
