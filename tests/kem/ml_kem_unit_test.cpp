// The typed KEM API: round trips for every parameter set, typed errors for
// malformed input, the implicit-rejection secret of each variant computed
// independently with OpenSSL, and the arithmetic building blocks.
#include "encoding.hpp"
#include "poly_ops.hpp"

#include <hush/crypto/ml_kem.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>

namespace hush::crypto {
namespace {

using testing::DeterministicRng;

template <class K>
class KemTest : public ::testing::Test {};
using KemTypes = ::testing::Types<MlKem512, MlKem768, MlKem1024, Kyber1024>;
TYPED_TEST_SUITE(KemTest, KemTypes);

TYPED_TEST(KemTest, RoundTripAgrees) {
  using K = TypeParam;
  DeterministicRng rng(1);
  for (int i = 0; i < 50; ++i) {
    auto pair = K::generate(rng);
    auto sent = K::encapsulate(pair.public_key, rng);
    EXPECT_TRUE(ct_equal(K::decapsulate(pair.secret_key, sent.ciphertext), sent.shared_secret));
    EXPECT_EQ(pair.secret_key.public_key(), pair.public_key);
  }
}

TYPED_TEST(KemTest, ParsersRefuseWrongLengths) {
  using K = TypeParam;
  DeterministicRng rng(2);
  auto pair = K::generate(rng);
  auto sent = K::encapsulate(pair.public_key, rng);
  Bytes ek = to_bytes(pair.public_key.bytes());
  Bytes dk = to_bytes(pair.secret_key.secret().expose());
  Bytes ct = to_bytes(sent.ciphertext.bytes());
  for (std::size_t cut : {std::size_t{1}, std::size_t{32}}) {
    EXPECT_EQ(K::PublicKey::parse(ByteView(ek).first(ek.size() - cut)).code(), Errc::bad_length);
    EXPECT_EQ(K::SecretKey::parse(ByteView(dk).first(dk.size() - cut)).code(), Errc::bad_length);
    EXPECT_EQ(K::Ciphertext::parse(ByteView(ct).first(ct.size() - cut)).code(), Errc::bad_length);
  }
  ek.push_back(0);
  dk.push_back(0);
  ct.push_back(0);
  EXPECT_EQ(K::PublicKey::parse(ek).code(), Errc::bad_length);
  EXPECT_EQ(K::SecretKey::parse(dk).code(), Errc::bad_length);
  EXPECT_EQ(K::Ciphertext::parse(ct).code(), Errc::bad_length);
  EXPECT_EQ(K::PublicKey::parse({}).code(), Errc::bad_length);
}

TYPED_TEST(KemTest, SecretKeyHashCheckRefusesATamperedKey) {
  using K = TypeParam;
  DeterministicRng rng(3);
  auto pair = K::generate(rng);
  Bytes dk = to_bytes(pair.secret_key.secret().expose());
  ASSERT_TRUE(K::SecretKey::parse(dk).has_value());
  const std::size_t ek_at = K::kSecretKeySize - K::kPublicKeySize - 64;
  for (std::size_t at : {ek_at, ek_at + K::kPublicKeySize - 1, K::kSecretKeySize - 64}) {
    Bytes bad = dk;
    bad[at] ^= 1;  // a byte of ek, of ρ, of H(ek)
    EXPECT_EQ(K::SecretKey::parse(bad).code(), Errc::bad_key) << at;
  }
  // dk_PKE and z are not covered by the hash check: accepted.
  Bytes other = dk;
  other[0] ^= 1;
  other.back() ^= 1;
  EXPECT_TRUE(K::SecretKey::parse(other).has_value());
}

TYPED_TEST(KemTest, PublicKeyCoefficientAtQIsRefused) {
  using K = TypeParam;
  DeterministicRng rng(4);
  Bytes ek = to_bytes(K::generate(rng).public_key.bytes());
  // Coefficient 0 := q = 0xD01 (12-bit little-endian in bytes 0 and 1).
  ek[0] = 0x01;
  ek[1] = static_cast<std::uint8_t>((ek[1] & 0xF0) | 0x0D);
  EXPECT_EQ(K::PublicKey::parse(ek).code(), Errc::bad_key);
  ek[0] = 0x00;  // q − 1
  EXPECT_TRUE(K::PublicKey::parse(ek).has_value());
}

Bytes digest(const EVP_MD* md, std::initializer_list<ByteView> parts, std::size_t out_len) {
  Bytes out(out_len);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestInit_ex2(ctx, md, nullptr), 1);
  for (auto p : parts) EVP_DigestUpdate(ctx, p.data(), p.size());
  if (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) {
    EVP_DigestFinalXOF(ctx, out.data(), out_len);
  } else {
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, out.data(), &len);
  }
  EVP_MD_CTX_free(ctx);
  return out;
}

// The secret a tampered ciphertext yields: J(z ‖ c) in FIPS 203 (Alg. 18
// step 9), KDF(z ‖ H(c)) = SHAKE256(z ‖ SHA3-256(c)) in round 3.
template <class K>
Bytes expected_rejection(const typename K::SecretKey& dk, const typename K::Ciphertext& c) {
  ByteView z = ByteView(dk.secret().expose()).last(32);
  if constexpr (K::kAlgorithm == KemAlgorithm::kyber1024_r3) {
    Bytes h = digest(EVP_sha3_256(), {c.bytes()}, 32);
    return digest(EVP_shake256(), {z, h}, 32);
  } else {
    return digest(EVP_shake256(), {z, c.bytes()}, 32);
  }
}

TYPED_TEST(KemTest, TamperedCiphertextGivesTheImplicitRejectionSecret) {
  using K = TypeParam;
  DeterministicRng rng(5);
  auto pair = K::generate(rng);
  auto sent = K::encapsulate(pair.public_key, rng);
  for (std::size_t at : {std::size_t{0}, K::kCiphertextSize / 2, K::kCiphertextSize - 1}) {
    Bytes bad = to_bytes(sent.ciphertext.bytes());
    bad[at] ^= 0x80;
    auto c = *K::Ciphertext::parse(bad);
    auto secret = K::decapsulate(pair.secret_key, c);
    EXPECT_FALSE(ct_equal(secret, sent.shared_secret));
    EXPECT_EQ(to_hex(secret.expose()), to_hex(expected_rejection<K>(pair.secret_key, c)));
  }
}

TYPED_TEST(KemTest, SeedsDetermineEverything) {
  using K = TypeParam;
  typename K::Seed d, z, m;
  d.expose_mut()[0] = 1;
  z.expose_mut()[0] = 2;
  m.expose_mut()[0] = 3;
  auto a = K::generate_from_seeds(d, z);
  auto b = K::generate_from_seeds(d, z);
  EXPECT_EQ(a.public_key, b.public_key);
  EXPECT_TRUE(ct_equal(a.secret_key.secret(), b.secret_key.secret()));
  auto x = K::encapsulate_from_seed(a.public_key, m);
  auto y = K::encapsulate_from_seed(a.public_key, m);
  EXPECT_EQ(x.ciphertext, y.ciphertext);
  EXPECT_TRUE(ct_equal(x.shared_secret, y.shared_secret));
}

// The key objects cache H(ek) and Âᵀ; a key parsed from its bytes, a clone
// and the public key taken from a secret key must behave exactly as the keys
// key generation returned (same ciphertexts, same secrets, same rejections).
TYPED_TEST(KemTest, ParsedClonedAndDerivedKeysAgreeWithGeneratedOnes) {
  using K = TypeParam;
  typename K::Seed d, z, m;
  d.expose_mut()[0] = 7;
  z.expose_mut()[0] = 8;
  m.expose_mut()[0] = 9;
  auto pair = K::generate_from_seeds(d, z);
  auto pk = K::PublicKey::parse(pair.public_key.bytes());
  ASSERT_TRUE(pk.has_value());
  auto sk = K::SecretKey::parse(pair.secret_key.secret().expose());
  ASSERT_TRUE(sk.has_value());
  const auto derived = sk->public_key();
  EXPECT_EQ(derived, pair.public_key);
  auto sent = K::encapsulate_from_seed(pair.public_key, m);
  for (const auto* key : std::initializer_list<const typename K::PublicKey*>{&*pk, &derived}) {
    auto again = K::encapsulate_from_seed(*key, m);
    EXPECT_EQ(again.ciphertext, sent.ciphertext);
    EXPECT_TRUE(ct_equal(again.shared_secret, sent.shared_secret));
  }
  auto tampered_bytes = to_bytes(sent.ciphertext.bytes());
  tampered_bytes[3] ^= 1;
  auto tampered = K::Ciphertext::parse(tampered_bytes);
  ASSERT_TRUE(tampered.has_value());
  const auto rejected = K::decapsulate(pair.secret_key, *tampered);
  const auto cloned = sk->clone();
  for (const auto* key : std::initializer_list<const typename K::SecretKey*>{&pair.secret_key, &*sk, &cloned}) {
    EXPECT_TRUE(ct_equal(K::decapsulate(*key, sent.ciphertext), sent.shared_secret));
    EXPECT_TRUE(ct_equal(K::decapsulate(*key, *tampered), rejected));
  }
  EXPECT_FALSE(ct_equal(rejected, sent.shared_secret));
}

// Kyber round 3 and ML-KEM-1024 share K-PKE but nothing after it: the same
// seeds give different keys (G(d) vs G(d ‖ k)) and different secrets.
TEST(Kyber1024, DiffersFromMlKem1024OnTheSameSeeds) {
  MlKem1024::Seed d, z, m;
  d.expose_mut()[5] = 9;
  auto ml = MlKem1024::generate_from_seeds(d, z);
  auto r3 = Kyber1024::generate_from_seeds(d, z);
  EXPECT_NE(to_hex(ml.public_key.bytes()), to_hex(r3.public_key.bytes()));
}

TEST(MlKemArithmetic, CompressMatchesTheDivisionFormula) {
  for (unsigned d : {1u, 4u, 5u, 10u, 11u}) {
    for (std::uint32_t x = 0; x < 3329; ++x) {
      const std::uint32_t expected = (((x << d) + 1664) / 3329) & ((1u << d) - 1);
      ASSERT_EQ(detail::kem::compress(static_cast<std::uint16_t>(x), d), expected) << d << " " << x;
    }
  }
}

TEST(MlKemArithmetic, PortableAndVectorisedCodeAgree) {
  using namespace detail::kem;
#if defined(__x86_64__) || defined(__i386__)
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2 on this CPU";
#else
  GTEST_SKIP() << "AVX2 arithmetic is x86 only";
#endif
  DeterministicRng rng(6);
  for (int round = 0; round < 200; ++round) {
    PolyVec a, b;
    for (auto* v : {&a, &b}) {
      for (auto& p : v->p) {
        for (auto& c : p.c) c = static_cast<std::int16_t>(rng.uniform(2 * 3329 - 1)) - 3328;
      }
    }
    Poly x = a.p[0], y = a.p[0];
    portable::kOps.ntt(x);
    avx2::kOps.ntt(y);
    ASSERT_EQ(0, std::memcmp(&x, &y, sizeof x));
    x = a.p[1];
    y = a.p[1];
    portable::kOps.inv_ntt(x);
    avx2::kOps.inv_ntt(y);
    ASSERT_EQ(0, std::memcmp(&x, &y, sizeof x));
    MulCacheVec cx, cy;
    for (std::size_t i = 0; i < kMaxK; ++i) {
      portable::kOps.mul_cache(cx.m[i], b.p[i]);
      avx2::kOps.mul_cache(cy.m[i], b.p[i]);
    }
    ASSERT_EQ(0, std::memcmp(&cx, &cy, sizeof cx));
    portable::kOps.base_mul_acc(x, a.p, b.p, cx.m, kMaxK);
    avx2::kOps.base_mul_acc(y, a.p, b.p, cy.m, kMaxK);
    ASSERT_EQ(0, std::memcmp(&x, &y, sizeof x));
  }
}

// NTT followed by its inverse is the identity up to the factor R that
// inv_ntt multiplies by (poly_ops.hpp): multiply back by R^-1.
TEST(MlKemArithmetic, InverseNttUndoesNtt) {
  using namespace detail::kem;
  DeterministicRng rng(7);
  for (const PolyOps* ops : {&portable::kOps, &poly_ops()}) {
    Poly p;
    for (auto& c : p.c) c = static_cast<std::int16_t>(rng.uniform(3329));
    Poly q = p;
    ops->ntt(q);
    ops->inv_ntt(q);
    for (std::size_t i = 0; i < kN; ++i) {
      const int back = to_unsigned(barrett_reduce(fqmul(q.c[i], 1)));
      ASSERT_EQ(back, p.c[i]) << ops->name << " " << i;
    }
  }
}

}  // namespace
}  // namespace hush::crypto
