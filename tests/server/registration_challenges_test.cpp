// RegistrationChallenges: a challenge signed with the identity key works
// once, before it expires; forged, expired, replayed, unsigned or
// wrongly-signed ones are refused (issue #13, proof of possession).
#include "service/registration_challenges.hpp"

#include <hush/crypto/xeddsa.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::server {
namespace {

class Challenges : public ::testing::Test {
 protected:
  FakeClock clock_;
  hush::testing::DeterministicRng rng_{11};
  std::mutex rng_mu_;
  RegistrationChallenges challenges_{clock_, rng_, rng_mu_};
  crypto::KeyPair identity_ = crypto::KeyPair::generate(rng_);
  Bytes message_ = to_bytes(as_bytes("what the device registers"));

  crypto::Signature sign(const crypto::PrivateKey& key, const Bytes& challenge) {
    Bytes m = challenge;
    m.insert(m.end(), message_.begin(), message_.end());
    return crypto::xeddsa_sign(key, m, rng_);
  }
  Status check(const Bytes& challenge, const crypto::Signature& signature) {
    Bytes m = challenge;
    m.insert(m.end(), message_.begin(), message_.end());
    return challenges_.verify_and_consume(challenge, identity_.public_key, m, signature);
  }
};

TEST_F(Challenges, ASignedFreshChallengeWorksOnceOnly) {
  const auto issued = challenges_.issue();
  ASSERT_EQ(issued.challenge.size(), kChallengeSize);
  const auto signature = sign(identity_.private_key, issued.challenge);
  EXPECT_TRUE(check(issued.challenge, signature));
  EXPECT_EQ(check(issued.challenge, signature).code(), Errc::unauthorized) << "a replay";
}

TEST_F(Challenges, AnotherKeysSignatureIsRefusedAndLeavesTheChallengeUsable) {
  const auto issued = challenges_.issue();
  const auto intruder = crypto::KeyPair::generate(rng_);
  EXPECT_EQ(check(issued.challenge, sign(intruder.private_key, issued.challenge)).code(), Errc::bad_signature);
  EXPECT_TRUE(check(issued.challenge, sign(identity_.private_key, issued.challenge)));
}

TEST_F(Challenges, ExpiredOrForgedChallengesAreRefused) {
  const auto issued = challenges_.issue();
  clock_.advance(kChallengeLifetime);
  EXPECT_EQ(check(issued.challenge, sign(identity_.private_key, issued.challenge)).code(), Errc::unauthorized);

  auto forged = challenges_.issue().challenge;
  forged[0] ^= 0x01;  // a later expiry, without the server's key
  EXPECT_EQ(check(forged, sign(identity_.private_key, forged)).code(), Errc::unauthorized);
  Bytes short_one(10, 0);
  EXPECT_EQ(check(short_one, sign(identity_.private_key, short_one)).code(), Errc::invalid_argument);
}

TEST_F(Challenges, AnotherServersChallengeIsRefused) {
  hush::testing::DeterministicRng other_rng{12};
  std::mutex other_mu;
  RegistrationChallenges other(clock_, other_rng, other_mu);
  const auto issued = other.issue();
  EXPECT_EQ(check(issued.challenge, sign(identity_.private_key, issued.challenge)).code(), Errc::unauthorized);
}

// Several hushd nodes of one database share the key (Store::shared_secret):
// a challenge one node issued verifies on another, still once only there.
TEST_F(Challenges, ANodeSharingTheKeyAcceptsTheChallengeOnce) {
  SecretBytes<32> key;
  rng_.fill(key.expose_mut());
  hush::testing::DeterministicRng rng_a{21};
  hush::testing::DeterministicRng rng_b{22};
  std::mutex mu_a;
  std::mutex mu_b;
  RegistrationChallenges node_a(clock_, rng_a, mu_a, kChallengeLifetime, &key);
  RegistrationChallenges node_b(clock_, rng_b, mu_b, kChallengeLifetime, &key);
  const auto issued = node_a.issue();
  Bytes m = issued.challenge;
  m.insert(m.end(), message_.begin(), message_.end());
  const auto signature = sign(identity_.private_key, issued.challenge);
  EXPECT_TRUE(node_b.verify_and_consume(issued.challenge, identity_.public_key, m, signature));
  EXPECT_EQ(node_b.verify_and_consume(issued.challenge, identity_.public_key, m, signature).code(), Errc::unauthorized);
}

}  // namespace
}  // namespace hush::server
