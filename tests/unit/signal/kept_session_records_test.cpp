// InMemorySessionStore::keep_parsed: the store hands out the parsed record
// it was last given instead of parsing its bytes. Sessions must behave
// exactly as they do when every load parses: same ciphertexts, same
// plaintexts, same refusals, same stored bytes, through failures that store
// nothing (the kept record was taken out by the load and is gone, so the
// next load parses the bytes, which are still the truth).
#include <hush/signal/messages.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <random>

namespace hush::signal {
namespace {
using testing::SignalParty;

std::string text_of(const Result<std::string>& r) {
  return r ? *r : "error: " + std::string(errc_name(r.code()));
}

// Two devices with a version-4 session; `keep` turns keep_parsed on for both.
struct Pair {
  SignalParty alice{"alice", 61};
  SignalParty bob{"bob", 62};
  explicit Pair(bool keep) {
    alice.store().sessions.keep_parsed(keep);
    bob.store().sessions.keep_parsed(keep);
    HUSH_CHECK(alice.start_session(bob.address(), bob.make_pq_bundle()).has_value());
  }
};

// The same conversation on a parsing pair and a keeping pair: messages both
// ways in bursts, some lost, some delivered late, some tampered with, some
// delivered twice; every result and every stored record must agree.
TEST(KeptSessionRecords, BehaveExactlyAsParsedOnes) {
  Pair parsing(false), keeping(true);
  std::mt19937 pattern(5);
  struct Held {
    bool from_alice;
    CiphertextMessage parsed, kept;
  };
  std::vector<Held> late;
  int failures = 0;
  auto deliver = [&](bool from_alice, const CiphertextMessage& a, const CiphertextMessage& b) {
    SignalParty& to_p = from_alice ? parsing.bob : parsing.alice;
    SignalParty& to_k = from_alice ? keeping.bob : keeping.alice;
    const auto& from = from_alice ? parsing.alice.address() : parsing.bob.address();
    const std::string got_p = text_of(to_p.decrypt(from, a));
    const std::string got_k = text_of(to_k.decrypt(from, b));
    ASSERT_EQ(got_p, got_k);
    if (got_p.rfind("error: ", 0) == 0) ++failures;
    ASSERT_EQ(to_hex(to_p.session_bytes(from)), to_hex(to_k.session_bytes(from)));
  };
  for (int i = 0; i < 400; ++i) {
    const bool from_alice = (i / 7) % 3 != 2;  // bursts, mostly from Alice
    SignalParty& from_p = from_alice ? parsing.alice : parsing.bob;
    SignalParty& from_k = from_alice ? keeping.alice : keeping.bob;
    const auto& to = from_alice ? parsing.bob.address() : parsing.alice.address();
    const std::string text = "message " + std::to_string(i);
    auto a = from_p.encrypt(to, text);
    auto b = from_k.encrypt(to, text);
    ASSERT_TRUE(a && b);
    ASSERT_EQ(to_hex(a->serialized), to_hex(b->serialized)) << "same state, same rng: same bytes";
    ASSERT_EQ(to_hex(from_p.session_bytes(to)), to_hex(from_k.session_bytes(to)));
    switch (pattern() % 8) {
      case 0:  // lost
        break;
      case 1:  // late
        late.push_back({from_alice, *a, *b});
        break;
      case 2: {  // tampered with: refused, nothing stored, then the real one
        CiphertextMessage ta = *a, tb = *b;
        ta.serialized[ta.serialized.size() / 2] ^= 0x20;
        tb.serialized[tb.serialized.size() / 2] ^= 0x20;
        ASSERT_NO_FATAL_FAILURE(deliver(from_alice, ta, tb));
        ASSERT_NO_FATAL_FAILURE(deliver(from_alice, *a, *b));
        break;
      }
      case 3:  // twice: the second is a duplicate
        ASSERT_NO_FATAL_FAILURE(deliver(from_alice, *a, *b));
        ASSERT_NO_FATAL_FAILURE(deliver(from_alice, *a, *b));
        break;
      default:
        ASSERT_NO_FATAL_FAILURE(deliver(from_alice, *a, *b));
    }
    if (!late.empty() && pattern() % 5 == 0) {
      const Held h = late.front();
      late.erase(late.begin());
      ASSERT_NO_FATAL_FAILURE(deliver(h.from_alice, h.parsed, h.kept));
    }
  }
  EXPECT_GT(failures, 20) << "refusals (tampered, duplicate) must be part of the comparison";
}

// The bytes stay the truth: put_raw (a restored record) drops the kept one.
TEST(KeptSessionRecords, PutRawReplacesTheKeptRecord) {
  Pair p(true);
  auto first = p.alice.encrypt(p.bob.address(), "one");
  ASSERT_TRUE(first);
  const Bytes before = p.alice.session_bytes(p.bob.address());
  ASSERT_TRUE(p.alice.encrypt(p.bob.address(), "two"));
  ASSERT_NE(p.alice.session_bytes(p.bob.address()), before);
  p.alice.store().sessions.put_raw(p.bob.address(), SecretBuffer(before));
  auto again = p.alice.encrypt(p.bob.address(), "one");  // the restored state, the same rng stream aside
  ASSERT_TRUE(again);
  auto loaded = p.alice.store().sessions.load_session(p.bob.address());
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->current_state()->sender_chain.index(), 2u) << "counter 1 was sent again from the restored record";
}

// A load with no store after it (a caller that only looked) leaves nothing
// kept: the next load parses the bytes, and sessions carry on.
TEST(KeptSessionRecords, LoadsWithoutStoresFallBackToTheBytes) {
  Pair p(true);
  for (int i = 0; i < 5; ++i) {
    auto looked = p.alice.store().sessions.load_session(p.bob.address());
    ASSERT_TRUE(looked && *looked);
    auto m = p.alice.encrypt(p.bob.address(), "hi " + std::to_string(i));
    ASSERT_TRUE(m);
    ASSERT_EQ(text_of(p.bob.decrypt(p.alice.address(), *m)), "hi " + std::to_string(i));
  }
}

}  // namespace
}  // namespace hush::signal
