// Differential tests against implementations we did not write, run by node
// (tests/peers/kem-node, installed by scripts/install-deps.sh):
//  - ML-KEM-768/1024 against @noble/post-quantum (FIPS 203 final): the same
//    seeds d, z, m give byte-identical keys, ciphertexts and secrets (this is
//    what proves G(d ‖ k), which the CCTV vectors predate), and random
//    encapsulations in both directions agree;
//  - Kyber1024 round 3 against crystals-kyber: its keys work with our
//    encapsulation and ours with its, both directions;
//  - libsignal-client's own Kyber1024 keys (type byte 0x08) parse and work;
//  - tampered ciphertexts give the same implicit-rejection secret on both sides.
#include "node_kem_peer.hpp"

#include <hush/crypto/ml_kem.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace hush::crypto {
namespace {

using testing::DeterministicRng;
using testing::NodeKemPeer;

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Bytes unhex(const std::string& h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.has_value()) << h.substr(0, 40);
  return b ? *b : Bytes{};
}

template <class K>
typename K::Seed random_seed(Rng& rng) {
  typename K::Seed s;
  rng.fill(s.expose_mut());
  return s;
}

template <class K>
void flip_and_compare(NodeKemPeer& peer, const char* alg, const typename K::SecretKey& our_key,
                      const std::string& peer_sk_hex, const typename K::Ciphertext& ct, Rng& rng) {
  Bytes bad = to_bytes(ct.bytes());
  bad[rng.uniform(static_cast<std::uint32_t>(bad.size()))] ^= static_cast<std::uint8_t>(1 + rng.uniform(255));
  auto ours = K::decapsulate(our_key, *K::Ciphertext::parse(bad));
  auto theirs = words(peer.call(std::string("decaps ") + alg + " " + peer_sk_hex + " " + to_hex(bad)));
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(to_hex(ours.expose()), theirs[0]) << "implicit rejection";
}

template <class K>
void differential_noble(const char* alg, int rounds) {
  NodeKemPeer peer;
  ASSERT_TRUE(peer.running());
  DeterministicRng rng(static_cast<std::uint64_t>(K::kPublicKeySize));
  for (int i = 0; i < rounds; ++i) {
    SCOPED_TRACE(i);
    auto d = random_seed<K>(rng), z = random_seed<K>(rng), m = random_seed<K>(rng);
    auto pair = K::generate_from_seeds(d, z);
    // Same seeds, same bytes.
    auto keys = words(peer.call(std::string("keygen ") + alg + " " + to_hex(d.expose()) + to_hex(z.expose())));
    ASSERT_EQ(keys.size(), 2u) << keys.at(0);
    ASSERT_EQ(to_hex(pair.public_key.bytes()), keys[0]);
    ASSERT_EQ(to_hex(pair.secret_key.secret().expose()), keys[1]);
    auto sent = K::encapsulate_from_seed(pair.public_key, m);
    auto enc = words(peer.call(std::string("encaps ") + alg + " " + keys[0] + " " + to_hex(m.expose())));
    ASSERT_EQ(enc.size(), 2u);
    ASSERT_EQ(to_hex(sent.ciphertext.bytes()), enc[0]);
    ASSERT_EQ(to_hex(sent.shared_secret.expose()), enc[1]);
    // Their random encapsulation, our decapsulation.
    auto theirs = words(peer.call(std::string("encaps ") + alg + " " + keys[0] + " -"));
    ASSERT_EQ(theirs.size(), 2u);
    auto ct = K::Ciphertext::parse(unhex(theirs[0]));
    ASSERT_TRUE(ct.has_value());
    EXPECT_EQ(to_hex(K::decapsulate(pair.secret_key, *ct).expose()), theirs[1]);
    // Our random encapsulation, their decapsulation.
    auto ours = K::encapsulate(pair.public_key, rng);
    auto dec = words(peer.call(std::string("decaps ") + alg + " " + keys[1] + " " + to_hex(ours.ciphertext.bytes())));
    ASSERT_EQ(dec.size(), 1u);
    EXPECT_EQ(to_hex(ours.shared_secret.expose()), dec[0]);
    flip_and_compare<K>(peer, alg, pair.secret_key, keys[1], ours.ciphertext, rng);
  }
}

// About 1,000 rounds a set keep the CI run near 20 s on a loaded machine.
constexpr int kNobleRounds = 1000;
constexpr int kKyberRounds = 300;

TEST(KemPeer, MlKem768MatchesNoble) {
  differential_noble<MlKem768>("ml-kem-768", kNobleRounds);
}
TEST(KemPeer, MlKem1024MatchesNoble) {
  differential_noble<MlKem1024>("ml-kem-1024", kNobleRounds);
}

TEST(KemPeer, Kyber1024MatchesCrystalsKyber) {
  NodeKemPeer peer;
  ASSERT_TRUE(peer.running());
  DeterministicRng rng(1024);
  for (int i = 0; i < kKyberRounds; ++i) {
    SCOPED_TRACE(i);
    // Their key pair: our encapsulation, their decapsulation.
    auto keys = words(peer.call("keygen kyber1024 -"));
    ASSERT_EQ(keys.size(), 2u) << keys.at(0);
    auto pk = Kyber1024::PublicKey::parse(unhex(keys[0]));
    auto sk = Kyber1024::SecretKey::parse(unhex(keys[1]));
    ASSERT_TRUE(pk.has_value() && sk.has_value());
    EXPECT_EQ(sk->public_key(), *pk);
    auto ours = Kyber1024::encapsulate(*pk, rng);
    auto dec = words(peer.call("decaps kyber1024 " + keys[1] + " " + to_hex(ours.ciphertext.bytes())));
    ASSERT_EQ(dec.size(), 1u);
    EXPECT_EQ(to_hex(ours.shared_secret.expose()), dec[0]);
    flip_and_compare<Kyber1024>(peer, "kyber1024", *sk, keys[1], ours.ciphertext, rng);
    // Our key pair: their encapsulation, our decapsulation.
    auto pair = Kyber1024::generate(rng);
    auto enc = words(peer.call("encaps kyber1024 " + to_hex(pair.public_key.bytes())));
    ASSERT_EQ(enc.size(), 2u);
    auto ct = Kyber1024::Ciphertext::parse(unhex(enc[0]));
    ASSERT_TRUE(ct.has_value());
    EXPECT_EQ(to_hex(Kyber1024::decapsulate(pair.secret_key, *ct).expose()), enc[1]);
    flip_and_compare<Kyber1024>(peer, "kyber1024", pair.secret_key, to_hex(pair.secret_key.secret().expose()), *ct,
                                rng);
  }
}

// libsignal-client exposes Kyber key generation but not encapsulation to
// JavaScript: its keys (0x08 ‖ key) must parse and work with ours.
TEST(KemPeer, LibsignalKyber1024KeysWork) {
  NodeKemPeer peer;
  ASSERT_TRUE(peer.running());
  DeterministicRng rng(8);
  for (int i = 0; i < 20; ++i) {
    auto keys = words(peer.call("keygen signal-kyber1024 -"));
    ASSERT_EQ(keys.size(), 2u) << keys.at(0);
    Bytes pk_bytes = unhex(keys[0]);
    Bytes sk_bytes = unhex(keys[1]);
    ASSERT_EQ(pk_bytes.at(0), 0x08);
    ASSERT_EQ(sk_bytes.at(0), 0x08);
    auto pk = Kyber1024::PublicKey::parse(ByteView(pk_bytes).subspan(1));
    auto sk = Kyber1024::SecretKey::parse(ByteView(sk_bytes).subspan(1));
    ASSERT_TRUE(pk.has_value() && sk.has_value());
    EXPECT_EQ(sk->public_key(), *pk);
    auto sent = Kyber1024::encapsulate(*pk, rng);
    EXPECT_TRUE(ct_equal(Kyber1024::decapsulate(*sk, sent.ciphertext), sent.shared_secret));
  }
}

}  // namespace
}  // namespace hush::crypto
