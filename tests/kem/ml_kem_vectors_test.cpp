// ML-KEM against the C2SP CCTV vectors (tests/vectors/ml-kem, CC0): the
// intermediate-value files, the unlucky-sampling and strcmp vectors, every
// invalid encapsulation key of modulus/, and the accumulated pq-crystals
// hashes of 10,000 tests. Each runs with the best arithmetic (AVX2 where the
// CPU has it) and again with the portable code.
//
// These vectors predate FIPS 203 final in one point: K-PKE.KeyGen hashes
// G(d) where the final standard hashes G(d ‖ k) (Alg. 13 step 1). Their keys
// are generated with that one step switched (Params::keygen_hashes_k =
// false); everything after key generation is the final algorithm. The final
// G(d ‖ k) is proven against @noble/post-quantum (kem_peer_test.cpp).
#include "kem_accumulated.hpp"
#include "kem_vector_file.hpp"
#include "ml_kem_internal.hpp"
#include "poly_ops.hpp"

#include <hush/crypto/ml_kem.hpp>

#include <gtest/gtest.h>

#include <functional>

namespace hush::crypto {
namespace {

using testing::KemVectorRecord;

template <class F>
void for_each_arithmetic(F&& f) {
  for (bool portable : {false, true}) {
    detail::kem::force_portable_poly_ops(portable);
    SCOPED_TRACE(detail::kem::poly_ops().name);
    f();
  }
  detail::kem::force_portable_poly_ops(false);
}

const Bytes& field(const KemVectorRecord& r, const char* name) {
  static const Bytes empty;
  auto it = r.find(name);
  if (it == r.end()) {
    ADD_FAILURE() << "vector has no " << name;
    return empty;
  }
  return it->second;
}

template <class K>
typename K::Seed seed(const KemVectorRecord& r, const char* name) {
  return K::Seed::from(field(r, name));
}

// Key generation from d, z (G(d), see above); encapsulation from m through the
// typed API; decapsulation of the result.
template <class K>
void check_full_record(const KemVectorRecord& r) {
  auto params = detail::kem::params_of(K::kAlgorithm);
  params.keygen_hashes_k = false;
  Bytes ek(K::kPublicKeySize);
  Bytes dk(K::kSecretKeySize);
  detail::kem::keygen_internal(params, field(r, "d").data(), field(r, "z").data(), ek.data(), dk.data());
  EXPECT_EQ(to_hex(ek), to_hex(field(r, "ek")));
  EXPECT_EQ(to_hex(dk), to_hex(field(r, "dk")));
  auto public_key = K::PublicKey::parse(ek);
  auto secret_key = K::SecretKey::parse(dk);
  ASSERT_TRUE(public_key.has_value() && secret_key.has_value());
  EXPECT_EQ(secret_key->public_key(), *public_key);
  auto sent = K::encapsulate_from_seed(*public_key, seed<K>(r, "m"));
  EXPECT_EQ(to_hex(sent.ciphertext.bytes()), to_hex(field(r, "c")));
  EXPECT_EQ(to_hex(sent.shared_secret.expose()), to_hex(field(r, "K")));
  EXPECT_EQ(to_hex(K::decapsulate(*secret_key, sent.ciphertext).expose()), to_hex(field(r, "K")));
}

template <class K>
void check_file(const std::string& path) {
  auto records = testing::read_kem_vector_records(path);
  ASSERT_EQ(records.size(), 1u) << path;
  for_each_arithmetic([&] { check_full_record<K>(records[0]); });
}

TEST(MlKemVectors, Intermediate512) {
  check_file<MlKem512>("intermediate/ML-KEM-512.txt");
}
TEST(MlKemVectors, Intermediate768) {
  check_file<MlKem768>("intermediate/ML-KEM-768.txt");
}
TEST(MlKemVectors, Intermediate1024) {
  check_file<MlKem1024>("intermediate/ML-KEM-1024.txt");
}

// These seeds need more than 575 bytes of SHAKE128 in SampleNTT: the
// second, longer squeeze of sampling.cpp.
TEST(MlKemVectors, UnluckySampling512) {
  check_file<MlKem512>("unluckysample/ML-KEM-512.txt");
}
TEST(MlKemVectors, UnluckySampling768) {
  check_file<MlKem768>("unluckysample/ML-KEM-768.txt");
}
TEST(MlKemVectors, UnluckySampling1024) {
  check_file<MlKem1024>("unluckysample/ML-KEM-1024.txt");
}

// A re-encryption that agrees with the ciphertext up to a zero byte must
// still be rejected (a strcmp() would accept it).
template <class K>
void check_strcmp(const std::string& path) {
  auto records = testing::read_kem_vector_records(path);
  ASSERT_EQ(records.size(), 1u);
  const auto& r = records[0];
  auto dk = K::SecretKey::parse(field(r, "dk"));
  auto c = K::Ciphertext::parse(field(r, "c"));
  ASSERT_TRUE(dk.has_value() && c.has_value());
  for_each_arithmetic([&] { EXPECT_EQ(to_hex(K::decapsulate(*dk, *c).expose()), to_hex(field(r, "K"))); });
}

TEST(MlKemVectors, Strcmp512) {
  check_strcmp<MlKem512>("strcmp/ML-KEM-512.txt");
}
TEST(MlKemVectors, Strcmp768) {
  check_strcmp<MlKem768>("strcmp/ML-KEM-768.txt");
}
TEST(MlKemVectors, Strcmp1024) {
  check_strcmp<MlKem1024>("strcmp/ML-KEM-1024.txt");
}

// Every value q..4095 at every position: refused as a public key, and inside
// an otherwise consistent secret key.
template <class K>
void check_modulus(const std::string& path) {
  auto lines = testing::read_kem_vector_lines(path);
  std::size_t count = 0;
  for (const auto& line : lines) {
    if (line.empty()) continue;
    auto ek = from_hex(line);
    ASSERT_TRUE(ek.has_value());
    ASSERT_EQ(ek->size(), K::kPublicKeySize);
    auto parsed = K::PublicKey::parse(*ek);
    ASSERT_FALSE(parsed.has_value()) << "line " << count;
    EXPECT_EQ(parsed.code(), Errc::bad_key);
    ++count;
  }
  EXPECT_GT(count, 100u);
}

TEST(MlKemVectors, ModulusCheck512) {
  check_modulus<MlKem512>("modulus/ML-KEM-512.txt.gz");
}
TEST(MlKemVectors, ModulusCheck768) {
  check_modulus<MlKem768>("modulus/ML-KEM-768.txt.gz");
}
TEST(MlKemVectors, ModulusCheck1024) {
  check_modulus<MlKem1024>("modulus/ML-KEM-1024.txt.gz");
}

void check_accumulated(int set, const char* expected) {
  for_each_arithmetic([&] {
    std::size_t mismatches = 0;
    EXPECT_EQ(testing::accumulated_kem_hash(set, 10'000, &mismatches), expected);
    EXPECT_EQ(mismatches, 0u);
  });
}

TEST(MlKemAccumulated, TenThousand512) {
  check_accumulated(512, "845913ea5a308b803c764a9ed8e9d814ca1fd9c82ba43c7b1e64b79c7a6ec8e4");
}
TEST(MlKemAccumulated, TenThousand768) {
  check_accumulated(768, "f7db260e1137a742e05fe0db9525012812b004d29040a5b606aad3d134b548d3");
}
TEST(MlKemAccumulated, TenThousand1024) {
  check_accumulated(1024, "47ac888fe61544efc0518f46094b4f8a600965fc89822acb06dc7169d24f3543");
}

}  // namespace
}  // namespace hush::crypto
