// The braid's state machine, driven directly: the states each side passes
// through in an epoch, the epoch secret both derive, role swapping, and each
// failure kind (header MAC, ciphertext MAC, a key that does not match its
// header, an epoch too far ahead).
#include "braid.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <vector>

namespace hush::signal::spqr::detail {
namespace {

using testing::DeterministicRng;

const Bytes kAuthKey(32, 0x42);

struct Side {
  Braid braid;
  std::vector<BraidKind> kinds;  // every kind entered, in order
  std::vector<EpochSecret> secrets;

  void note() {
    if (kinds.empty() || kinds.back() != braid.kind) kinds.push_back(braid.kind);
  }
};

using Tamper = std::function<void(BraidMessage&)>;

// One message from `from` to `to`; returns the receive result.
Status step(Side& from, Side& to, DeterministicRng& rng, const Tamper& tamper = {}) {
  auto sent = braid_send(from.braid, rng);
  from.note();
  if (sent.secret) from.secrets.push_back(std::move(*sent.secret));
  if (tamper) tamper(sent.message);
  auto got = braid_recv(to.braid, sent.message);
  if (!got) return got.error();
  to.note();
  if (*got) to.secrets.push_back(std::move(**got));
  return ok();
}

struct Pair {
  Side a{Braid::init_a(kAuthKey), {BraidKind::keys_unsampled}, {}};
  Side b{Braid::init_b(kAuthKey), {BraidKind::no_header_received}, {}};
};

// Both send in turn until both hold a secret of `epoch`.
void run_epoch(Pair& p, DeterministicRng& rng, std::uint64_t epoch) {
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(step(p.a, p.b, rng).has_value());
    ASSERT_TRUE(step(p.b, p.a, rng).has_value());
    if (p.a.secrets.size() >= epoch && p.b.secrets.size() >= epoch) return;
  }
  FAIL() << "epoch " << epoch << " did not complete";
}

TEST(SpqrBraid, FirstEpochVisitsTheCratesStatesInOrder) {
  DeterministicRng rng(1);
  Pair p;
  run_epoch(p, rng, 1);
  // A sends the key; B encapsulates. With lockstep traffic c1 (30 chunks)
  // completes before t̂ (36), so B sees the ack first.
  EXPECT_EQ(p.a.kinds, (std::vector<BraidKind>{BraidKind::keys_unsampled, BraidKind::keys_sampled,
                                               BraidKind::header_sent, BraidKind::ct1_received,
                                               BraidKind::ek_sent_ct1_received, BraidKind::no_header_received}));
  EXPECT_EQ(p.b.kinds,
            (std::vector<BraidKind>{BraidKind::no_header_received, BraidKind::header_received, BraidKind::ct1_sampled,
                                    BraidKind::ct1_acknowledged, BraidKind::ct2_sampled}));
  ASSERT_EQ(p.a.secrets.size(), 1u);
  ASSERT_EQ(p.b.secrets.size(), 1u);
  EXPECT_EQ(p.a.secrets[0].epoch, 1u);
  EXPECT_EQ(p.b.secrets[0].epoch, 1u);
  EXPECT_TRUE(ct_equal(p.a.secrets[0].secret, p.b.secrets[0].secret));
  EXPECT_EQ(p.a.braid.epoch, 2u);
}

TEST(SpqrBraid, RolesSwapEveryEpochAndSecretsAgree) {
  DeterministicRng rng(2);
  Pair p;
  for (std::uint64_t e = 1; e <= 4; ++e) run_epoch(p, rng, e);
  ASSERT_EQ(p.a.secrets.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(p.a.secrets[i].epoch, i + 1);
    EXPECT_TRUE(ct_equal(p.a.secrets[i].secret, p.b.secrets[i].secret));
  }
  // In epoch 2 B sent the key: B passed keys_sampled again, A ct1_sampled.
  EXPECT_NE(std::count(p.b.kinds.begin(), p.b.kinds.end(), BraidKind::keys_sampled), 0);
  EXPECT_NE(std::count(p.a.kinds.begin(), p.a.kinds.end(), BraidKind::ct1_sampled), 0);
}

TEST(SpqrBraid, EkBeforeAckGoesThroughEkReceivedCt1Sampled) {
  // Only A talks until B has all of t̂: B collects t̂ while still sending c1.
  DeterministicRng rng(3);
  Pair p;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(step(p.a, p.b, rng).has_value());  // header
  ASSERT_EQ(p.b.braid.kind, BraidKind::header_received);
  ASSERT_TRUE(step(p.b, p.a, rng).has_value());  // first c1 chunk: A → header_sent
  ASSERT_EQ(p.a.braid.kind, BraidKind::header_sent);
  for (int i = 0; i < 36; ++i) ASSERT_TRUE(step(p.a, p.b, rng).has_value());
  EXPECT_EQ(p.b.braid.kind, BraidKind::ek_received_ct1_sampled);
  for (int i = 0; i < 29; ++i) ASSERT_TRUE(step(p.b, p.a, rng).has_value());
  EXPECT_EQ(p.a.braid.kind, BraidKind::ct1_received);
  ASSERT_TRUE(step(p.a, p.b, rng).has_value());  // ek + ack
  EXPECT_EQ(p.b.braid.kind, BraidKind::ct2_sampled);
}

TEST(SpqrBraid, LateMessagesOfAnEarlierEpochAreIgnored) {
  DeterministicRng rng(4);
  Pair p;
  auto first = braid_send(p.a.braid, rng).message;
  run_epoch(p, rng, 1);
  auto before = p.a.braid.clone();
  auto got = braid_recv(p.a.braid, first);
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->has_value());
  EXPECT_EQ(p.a.braid.kind, before.kind);
}

TEST(SpqrBraid, TamperedHeaderFailsItsMac) {
  DeterministicRng rng(5);
  Pair p;
  ASSERT_TRUE(step(p.a, p.b, rng, [](BraidMessage& m) { m.chunk.data[3] ^= 1; }).has_value());
  ASSERT_TRUE(step(p.a, p.b, rng).has_value());
  EXPECT_EQ(step(p.a, p.b, rng).code(), Errc::bad_mac);
}

TEST(SpqrBraid, TamperedCiphertextFailsItsMac) {
  DeterministicRng rng(6);
  Pair p;
  Status last = ok();
  bool tampered = false;
  for (int i = 0; i < 200 && last.has_value(); ++i) {
    last = step(p.a, p.b, rng);
    if (!last) break;
    last = step(p.b, p.a, rng, [&](BraidMessage& m) {
      if (m.type == PayloadType::ct2 && !tampered) {
        m.chunk.data[0] ^= 0x80;
        tampered = true;
      }
    });
  }
  EXPECT_TRUE(tampered);
  EXPECT_EQ(last.code(), Errc::bad_mac);
}

TEST(SpqrBraid, KeyVectorNotMatchingTheHeaderIsRefused) {
  DeterministicRng rng(7);
  Pair p;
  Status last = ok();
  for (int i = 0; i < 200 && last.has_value(); ++i) {
    last = step(p.a, p.b, rng, [](BraidMessage& m) {
      if (m.type == PayloadType::ek || m.type == PayloadType::ek_ct1_ack) m.chunk.data[5] ^= 1;
    });
    if (!last) break;
    last = step(p.b, p.a, rng);
  }
  EXPECT_EQ(last.code(), Errc::invalid_message);
}

TEST(SpqrBraid, EpochTooFarAheadIsRefused) {
  DeterministicRng rng(8);
  Pair p;
  auto m = braid_send(p.a.braid, rng).message;
  m.epoch = 2;
  EXPECT_EQ(braid_recv(p.b.braid, m).code(), Errc::too_far_ahead);
}

}  // namespace
}  // namespace hush::signal::spqr::detail
