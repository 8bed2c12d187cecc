// Safety numbers against libsignal-protocol-c 2.3.3's fingerprint generator:
// the same identities and identifiers give byte-identical displayable and
// scannable fingerprints (versions 0 and 1), and each side's comparison
// accepts the other's scannable code and refuses the same mismatches.
#include <hush/signal/fingerprint.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/libsignal_peer.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {
using testing::LibsignalPeer;
namespace sg = testing::sg;

struct Case {
  std::uint32_t iterations;
  std::uint32_t version;
};

class FingerprintInterop : public ::testing::TestWithParam<Case> {};

TEST_P(FingerprintInterop, SameBytesAndEachAcceptsTheOther) {
  const Case c = GetParam();
  LibsignalPeer peer(70, 1);
  testing::DeterministicRng rng(71 + c.iterations + c.version);
  for (int round = 0; round < 3; ++round) {
    const IdentityKey alice = IdentityKeyPair::generate(rng).public_key;
    const IdentityKey bob = IdentityKeyPair::generate(rng).public_key;
    const std::string alice_id = "+1415555" + std::to_string(1000 + round);
    const std::string bob_id = "bob-" + std::to_string(round) + "@example.org";
    FingerprintOptions options{c.iterations, c.version};

    auto ours = create_fingerprint(alice_id, alice, bob_id, bob, options);
    ASSERT_TRUE(ours);
    auto theirs = peer.fingerprint(alice_id, alice.serialize(), bob_id, bob.serialize(), static_cast<int>(c.iterations),
                                   static_cast<int>(c.version));
    ASSERT_EQ(theirs.rc, sg::kSuccess);
    EXPECT_EQ(ours->displayable.text(), theirs.displayable);
    EXPECT_EQ(ours->displayable.text().size(), 60u);
    EXPECT_EQ(to_hex(ours->scannable.serialize()), to_hex(theirs.scannable));

    // Bob's side computed by libsignal; Alice's by Hush: each accepts the other.
    auto bobs = peer.fingerprint(bob_id, bob.serialize(), alice_id, alice.serialize(), static_cast<int>(c.iterations),
                                 static_cast<int>(c.version));
    ASSERT_EQ(bobs.rc, sg::kSuccess);
    EXPECT_EQ(*ours->scannable.compare(bobs.scannable), FingerprintMatch::match);
    EXPECT_EQ(peer.compare_scannable(bobs.scannable, ours->scannable.serialize()), 1);

    // A key that is not the one Alice holds: both say no.
    const IdentityKey mallory = IdentityKeyPair::generate(rng).public_key;
    auto attacked = peer.fingerprint(bob_id, bob.serialize(), alice_id, mallory.serialize(),
                                     static_cast<int>(c.iterations), static_cast<int>(c.version));
    EXPECT_EQ(*ours->scannable.compare(attacked.scannable), FingerprintMatch::mismatch);
    EXPECT_EQ(peer.compare_scannable(attacked.scannable, ours->scannable.serialize()), 0);

    // The other scannable version: a version mismatch on both sides.
    auto other = peer.fingerprint(bob_id, bob.serialize(), alice_id, alice.serialize(), static_cast<int>(c.iterations),
                                  static_cast<int>(1 - c.version));
    EXPECT_EQ(*ours->scannable.compare(other.scannable), FingerprintMatch::version_mismatch);
    EXPECT_EQ(peer.compare_scannable(other.scannable, ours->scannable.serialize()), sg::kErrFpVersionMismatch);

    if (c.version == 0) {
      // Version 0 carries the identifiers: a code made for someone else's number.
      auto renamed = peer.fingerprint("+19999999999", bob.serialize(), alice_id, alice.serialize(),
                                      static_cast<int>(c.iterations), 0);
      EXPECT_EQ(*ours->scannable.compare(renamed.scannable), FingerprintMatch::identifier_mismatch);
      EXPECT_EQ(peer.compare_scannable(renamed.scannable, ours->scannable.serialize()), sg::kErrFpIdentMismatch);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(VersionsAndIterations, FingerprintInterop,
                         ::testing::Values(Case{5200, 1}, Case{5200, 0}, Case{1024, 1}, Case{1, 0}),
                         [](const auto& param_info) {
                           return "v" + std::to_string(param_info.param.version) + "_" +
                                  std::to_string(param_info.param.iterations);
                         });

}  // namespace
}  // namespace hush::signal
