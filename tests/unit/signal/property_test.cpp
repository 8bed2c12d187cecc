// Property tests: random schedules of send, deliver, drop, reorder and
// duplicate between two Hush parties, seeded and reproducible. Invariants:
// every delivered message decrypts exactly once to its plaintext, replays are
// refused as duplicates, and a failed decrypt never changes the session.
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace hush::signal {
namespace {
using testing::SignalParty;

// Reordering is bounded the way a real network bounds it: a delivery picks
// one of the oldest kReorderWindow messages, and a message (or its replay)
// older than kMaxAgeSteps is lost. Without a bound, a message could outlive
// the kMaxReceiverChains chains a session keeps, which no Signal
// implementation decrypts.
constexpr std::uint32_t kReorderWindow = 4;
constexpr int kMaxAgeSteps = 12;

struct InFlight {
  CiphertextMessage message;
  std::string text;
  int sent_at = 0;
  bool delivered = false;
};

class Channel {
 public:
  Channel(SignalParty& from, SignalParty& to) : from_(from), to_(to) {}

  void age(int now) {
    std::erase_if(queue_, [now](const InFlight& f) { return now - f.sent_at > kMaxAgeSteps; });
  }

  void send(int id, int now) {
    std::string text = from_.address().name + "#" + std::to_string(id);
    auto m = from_.encrypt(to_.address(), text);
    ASSERT_TRUE(m) << errc_name(m.code());
    queue_.push_back({*m, text, now, false});
  }

  // Delivers a random queued message (maybe one already delivered: a replay).
  void deliver(crypto::Rng& rng, bool tamper) {
    if (queue_.empty()) return;
    auto window = std::min<std::uint32_t>(kReorderWindow, static_cast<std::uint32_t>(queue_.size()));
    auto& f = queue_[rng.uniform(window)];
    Bytes before = to_.session_bytes(from_.address());
    CiphertextMessage m = f.message;
    if (tamper) m.serialized[rng.uniform(static_cast<std::uint32_t>(m.serialized.size()))] ^= 0x20;
    auto got = to_.decrypt(from_.address(), m);
    if (tamper && got) {
      // A pre-key message's registration id and one-time pre-key id travel
      // unauthenticated (as in every Signal implementation); flipping them can
      // leave the message valid. What must hold: never a forged plaintext,
      // never a second delivery.
      EXPECT_FALSE(f.delivered) << "tampered replay accepted: " << f.text;
      EXPECT_EQ(*got, f.text) << "tampering produced a different plaintext";
      f.delivered = true;
      ++delivered_;
      return;
    }
    if (tamper || f.delivered) {
      EXPECT_FALSE(got) << "accepted a replayed message " << f.text;
      EXPECT_EQ(to_.session_bytes(from_.address()), before) << "a failed decrypt changed the session";
      if (!tamper) {
        EXPECT_EQ(got.code(), Errc::duplicate_message);
      }
      return;
    }
    ASSERT_TRUE(got) << f.text << ": " << errc_name(got.code());
    EXPECT_EQ(*got, f.text);
    f.delivered = true;
    ++delivered_;
  }

  void drop(crypto::Rng& rng) {
    if (queue_.empty()) return;
    queue_.erase(queue_.begin() + rng.uniform(static_cast<std::uint32_t>(queue_.size())));
  }

  [[nodiscard]] int delivered() const { return delivered_; }

 private:
  SignalParty& from_;
  SignalParty& to_;
  std::vector<InFlight> queue_;
  int delivered_ = 0;
};

void run_schedule(std::uint64_t seed, int steps) {
  SignalParty alice{"alice", seed * 2 + 1};
  SignalParty bob{"bob", seed * 2 + 2};
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  testing::DeterministicRng rng(seed);
  Channel a_to_b(alice, bob);
  Channel b_to_a(bob, alice);
  bool bob_can_send = false;  // bob has a session once he has received something
  int id = 0;
  for (int step = 0; step < steps; ++step) {
    switch (rng.uniform(10)) {
      case 0: case 1: case 2: a_to_b.send(id++, step); break;
      case 3: case 4:
        if (bob_can_send) b_to_a.send(id++, step);
        break;
      case 5: case 6:
        a_to_b.deliver(rng, false);
        bob_can_send = a_to_b.delivered() > 0;
        break;
      case 7: b_to_a.deliver(rng, false); break;
      case 8: (rng.uniform(2) ? a_to_b : b_to_a).drop(rng); break;
      case 9: (rng.uniform(2) ? a_to_b : b_to_a).deliver(rng, true); break;
    }
    a_to_b.age(step);
    b_to_a.age(step);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "seed " << seed << " step " << step;
      return;
    }
  }
}

TEST(DoubleRatchetProperty, RandomSchedulesDeliverExactlyOnce) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) run_schedule(seed, 1500);
}

}  // namespace
}  // namespace hush::signal
