// SPQR's authenticator and chain: known answers computed independently
// (Python's hmac/hashlib HKDF over the labels of the spqr crate), MAC
// failures, and the chain's counter rules (mirroring the crate's chain.rs
// tests: directions_match, previously_returned_key,
// very_old_keys_are_trimmed, out_of_order_keys).
#include "authenticator.hpp"
#include "chain.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::signal::spqr::detail {
namespace {

const Bytes kAuthKey(32, 0x29);

TEST(SpqrAuthenticator, KnownAnswers) {
  Authenticator auth(kAuthKey, 1);
  EXPECT_EQ(to_hex(auth.root_key().expose()), "486eb283e739a2b7baea016d6a70df801616dfbf3f022b77a27cfaa3360348a0");
  EXPECT_EQ(to_hex(auth.mac_key().expose()), "5a368111ae4f8d5d407e4b9a369e67af9e01d9449cf2b5e50cede3f7ab525a1e");
  EXPECT_EQ(to_hex(auth.mac_header(1, as_bytes("abc"))),
            "1d1f9f42db5e0ebe90f32ea3a3699bba5677adc7b9ceb717e140c6eac5f9442a");
  EXPECT_EQ(to_hex(auth.mac_ciphertext(1, as_bytes("abc"))),
            "c8cf353b225f75080d829cef708e5fd54e40abca913adedfc00e52a8719ccb51");
}

TEST(SpqrAuthenticator, VerifyRefusesAnyChange) {
  Authenticator auth(kAuthKey, 1);
  const Mac mac = auth.mac_header(3, as_bytes("header"));
  EXPECT_TRUE(auth.verify_header(3, as_bytes("header"), mac).has_value());
  EXPECT_EQ(auth.verify_header(4, as_bytes("header"), mac).code(), Errc::bad_mac);
  EXPECT_EQ(auth.verify_header(3, as_bytes("headeR"), mac).code(), Errc::bad_mac);
  EXPECT_EQ(auth.verify_ciphertext(3, as_bytes("header"), mac).code(), Errc::bad_mac);  // other label
  Mac flipped = mac;
  flipped[31] ^= 1;
  EXPECT_EQ(auth.verify_header(3, as_bytes("header"), flipped).code(), Errc::bad_mac);
}

TEST(SpqrChain, KnownAnswers) {
  Chain a2b(kAuthKey, Direction::a2b, ChainParams{});
  auto k1 = a2b.send_key(0);
  ASSERT_TRUE(k1.has_value());
  EXPECT_EQ(k1->first, 1u);
  EXPECT_EQ(to_hex(k1->second.expose()), "9bcdfae095d09aa8ab367dd231d1d271fe580b555bcc6f64ff079d53d9a9db5d");
  const Bytes secret(32, 7);
  ASSERT_TRUE(a2b.add_epoch(1, secret).has_value());
  auto r1 = a2b.recv_key(1, 1);  // B→A key 1 of epoch 1
  ASSERT_TRUE(r1.has_value());
  EXPECT_EQ(to_hex(r1->expose()), "f0835516954ee088407c58a03a921475592999a24b41c439740772c319d770b3");
}

TEST(SpqrChain, DirectionsMatch) {
  Chain a2b(as_bytes("1"), Direction::a2b, ChainParams{});
  Chain b2a(as_bytes("1"), Direction::b2a, ChainParams{});
  auto s1 = a2b.send_key(0);
  EXPECT_EQ(s1->first, 1u);
  EXPECT_TRUE(ct_equal(s1->second, *b2a.recv_key(0, 1)));
  const Bytes two{2};
  ASSERT_TRUE(a2b.add_epoch(1, two).has_value());
  ASSERT_TRUE(b2a.add_epoch(1, two).has_value());
  auto s2 = a2b.send_key(1);
  EXPECT_EQ(s2->first, 1u);
  EXPECT_TRUE(ct_equal(s2->second, *b2a.recv_key(1, 1)));
  for (int i = 2; i < 10; ++i) ASSERT_TRUE(a2b.send_key(1).has_value());
  auto s3 = a2b.send_key(1);
  EXPECT_EQ(s3->first, 10u);
  EXPECT_TRUE(ct_equal(s3->second, *b2a.recv_key(1, 10)));
}

TEST(SpqrChain, KeyAlreadyReturnedIsADuplicate) {
  Chain c(as_bytes("1"), Direction::a2b, ChainParams{});
  ASSERT_TRUE(c.recv_key(0, 2).has_value());
  EXPECT_EQ(c.recv_key(0, 2).code(), Errc::duplicate_message);
  ASSERT_TRUE(c.recv_key(0, 1).has_value());  // skipped, kept
  EXPECT_EQ(c.recv_key(0, 1).code(), Errc::duplicate_message);
}

TEST(SpqrChain, VeryOldKeysAreTrimmed) {
  Chain c(as_bytes("1"), Direction::a2b, ChainParams{10, 10});
  ASSERT_TRUE(c.recv_key(0, 10).has_value());
  ASSERT_TRUE(c.recv_key(0, 12).has_value());
  EXPECT_EQ(c.recv_key(0, 1).code(), Errc::stale_state);
}

TEST(SpqrChain, JumpBeyondMaxJumpIsRefused) {
  Chain c(as_bytes("1"), Direction::a2b, ChainParams{10, 10});
  EXPECT_EQ(c.recv_key(0, 11).code(), Errc::too_far_ahead);  // 11 − 0 > max_jump
  EXPECT_TRUE(c.recv_key(0, 10).has_value());
}

TEST(SpqrChain, OutOfOrderKeysAllAgree) {
  Chain a2b(as_bytes("1"), Direction::a2b, ChainParams{});
  Chain b2a(as_bytes("1"), Direction::b2a, ChainParams{});
  std::vector<SecretBytes<32>> sent;
  for (int i = 0; i < 200; ++i) sent.push_back(std::move(a2b.send_key(0)->second));
  // Receive in a scrambled order: odd ones descending, then even ones ascending.
  for (int i = 199; i >= 0; i -= 2) EXPECT_TRUE(ct_equal(*b2a.recv_key(0, static_cast<std::uint32_t>(i + 1)), sent[i]));
  for (int i = 0; i < 200; i += 2) EXPECT_TRUE(ct_equal(*b2a.recv_key(0, static_cast<std::uint32_t>(i + 1)), sent[i]));
}

// Mirrors the crate's ced_prop_test on the receiving side: random jumps,
// requests of skipped keys (served while within max_ooo of the counter) and
// of keys already served or fallen off (refused), and jumps too high.
TEST(SpqrChain, ReceivingCounterRulesHoldUnderRandomActions) {
  hush::testing::DeterministicRng rng(9);
  const ChainParams params{5, 3};
  for (int run = 0; run < 300; ++run) {
    Chain c(as_bytes("k"), Direction::a2b, params);
    std::vector<std::uint32_t> stored;
    std::vector<std::uint32_t> not_stored{0};
    std::uint32_t ctr = 0;
    for (int step = 0; step < 25; ++step) {
      switch (rng.uniform(4)) {
        case 0: {  // jump ahead
          const std::uint32_t jump = rng.uniform(params.max_jump);
          ctr += 1;
          for (std::uint32_t at = ctr; at < ctr + jump; ++at) stored.push_back(at);
          ctr += jump;
          ASSERT_TRUE(c.recv_key(0, ctr).has_value());
          not_stored.push_back(ctr);
          break;
        }
        case 1:  // a skipped key
          if (!stored.empty()) {
            const std::size_t i = rng.uniform(static_cast<std::uint32_t>(stored.size()));
            const std::uint32_t k = stored[i];
            stored.erase(stored.begin() + static_cast<std::ptrdiff_t>(i));
            ASSERT_TRUE(c.recv_key(0, k).has_value()) << k;
            not_stored.push_back(k);
          }
          break;
        case 2:  // a key already served or dropped
          if (!not_stored.empty()) {
            const std::uint32_t k = not_stored[rng.uniform(static_cast<std::uint32_t>(not_stored.size()))];
            ASSERT_FALSE(c.recv_key(0, k).has_value()) << k;
          }
          break;
        default:  // too high
          ASSERT_EQ(c.recv_key(0, ctr + params.max_jump + 1).code(), Errc::too_far_ahead);
          break;
      }
      // Keys more than max_ooo below the counter fall off.
      for (auto it = stored.begin(); it != stored.end();) {
        if (*it + params.max_ooo_keys < ctr) {
          not_stored.push_back(*it);
          it = stored.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
}

TEST(SpqrChain, EpochsAheadOrDroppedAreRefused) {
  Chain c(as_bytes("1"), Direction::a2b, ChainParams{});
  EXPECT_EQ(c.recv_key(1, 1).code(), Errc::too_far_ahead);
  EXPECT_EQ(c.add_epoch(2, as_bytes("x")).code(), Errc::invalid_message);
  for (std::uint64_t e = 1; e <= 3; ++e) ASSERT_TRUE(c.add_epoch(e, as_bytes("x")).has_value());
  ASSERT_TRUE(c.send_key(3).has_value());  // keeps epochs 2 and 3 only
  EXPECT_EQ(c.recv_key(1, 1).code(), Errc::stale_state);
  EXPECT_TRUE(c.recv_key(2, 1).has_value());
  EXPECT_EQ(c.send_key(2).code(), Errc::stale_state);
}

}  // namespace
}  // namespace hush::signal::spqr::detail
