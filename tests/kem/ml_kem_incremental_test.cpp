// Incremental ML-KEM-768 (hush/crypto/ml_kem_incremental.hpp): the split
// operations give byte for byte what the whole ones give, on random seeds and
// on the CCTV intermediate and unlucky-sampling vectors for ML-KEM-768; the
// header and vector parts reassemble the key; a mismatched part is refused.
#include "kem_vector_file.hpp"
#include "ml_kem_internal.hpp"
#include "poly_ops.hpp"

#include <hush/crypto/ml_kem_incremental.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::crypto {
namespace {

using Inc = MlKem768Incremental;
using testing::DeterministicRng;

// Checks the split encapsulation of `key` with seed m against the whole one.
void expect_split_equals_whole(const MlKem768::PublicKey& key, const MlKem768::SecretKey& secret,
                               const MlKem768::Seed& m) {
  auto whole = MlKem768::encapsulate_from_seed(key, m);
  auto header = Inc::header_of(key);
  auto one = Inc::encapsulate1_from_seed(header, m);
  auto assembled = Inc::assemble(header, Inc::vector_of(key));
  ASSERT_TRUE(assembled.has_value());
  EXPECT_EQ(*assembled, key);
  auto two = Inc::encapsulate2(one.state, *assembled);
  ASSERT_TRUE(two.has_value());
  Bytes joined = concat({ByteView(one.ciphertext1.bytes()), ByteView(two->bytes())});
  EXPECT_EQ(to_hex(joined), to_hex(whole.ciphertext.bytes()));
  EXPECT_TRUE(ct_equal(one.shared_secret, whole.shared_secret));
  EXPECT_TRUE(ct_equal(Inc::decapsulate(secret, one.ciphertext1, *two), whole.shared_secret));
}

TEST(MlKem768Incremental, SplitEqualsWholeOnRandomSeeds) {
  DeterministicRng rng(15);
  for (int i = 0; i < 40; ++i) {
    auto pair = MlKem768::generate(rng);
    MlKem768::Seed m;
    rng.fill(m.expose_mut());
    expect_split_equals_whole(pair.public_key, pair.secret_key, m);
  }
}

TEST(MlKem768Incremental, HeaderIsRhoThenHashOfKey) {
  // spqr: libcrux pk1 = ρ ‖ H(ek), pk2 = t̂ (validate_pk_bytes reads pk1[0..32] as ρ).
  DeterministicRng rng(16);
  auto pair = MlKem768::generate(rng);
  const auto& ek = pair.public_key.bytes();
  auto header = Inc::header_of(pair.public_key);
  EXPECT_EQ(to_hex(ByteView(header.bytes()).first(32)), to_hex(ByteView(ek).last(32)));
  const auto dk = pair.secret_key.secret().expose();
  // dk = dk_PKE ‖ ek ‖ H(ek) ‖ z: H(ek) sits 64 bytes from the end.
  EXPECT_EQ(to_hex(ByteView(header.bytes()).last(32)), to_hex(dk.subspan(dk.size() - 64, 32)));
  EXPECT_EQ(to_hex(Inc::vector_of(pair.public_key).bytes()), to_hex(ByteView(ek).first(Inc::kVectorSize)));
}

void check_vector_file(const std::string& path) {
  auto records = testing::read_kem_vector_records(path);
  ASSERT_EQ(records.size(), 1u) << path;
  const auto& r = records[0];
  // These vectors hash G(d) in key generation (see ml_kem_vectors_test.cpp);
  // the key bytes come from the file, the encapsulation is the final one.
  auto key = MlKem768::PublicKey::parse(r.at("ek"));
  auto secret = MlKem768::SecretKey::parse(r.at("dk"));
  ASSERT_TRUE(key.has_value() && secret.has_value());
  auto m = MlKem768::Seed::from(r.at("m"));
  for (bool portable : {false, true}) {
    detail::kem::force_portable_poly_ops(portable);
    auto header = Inc::header_of(*key);
    auto one = Inc::encapsulate1_from_seed(header, m);
    auto two = Inc::encapsulate2(one.state, *key);
    ASSERT_TRUE(two.has_value());
    EXPECT_EQ(to_hex(concat({ByteView(one.ciphertext1.bytes()), ByteView(two->bytes())})), to_hex(r.at("c")));
    EXPECT_EQ(to_hex(one.shared_secret.expose()), to_hex(r.at("K")));
    EXPECT_EQ(to_hex(Inc::decapsulate(*secret, one.ciphertext1, *two).expose()), to_hex(r.at("K")));
  }
  detail::kem::force_portable_poly_ops(false);
}

TEST(MlKem768Incremental, CctvIntermediateVector) {
  check_vector_file("intermediate/ML-KEM-768.txt");
}

TEST(MlKem768Incremental, CctvUnluckySamplingVector) {
  check_vector_file("unluckysample/ML-KEM-768.txt");
}

TEST(MlKem768Incremental, AssembleRefusesAVectorOfAnotherKey) {
  DeterministicRng rng(17);
  auto a = MlKem768::generate(rng);
  auto b = MlKem768::generate(rng);
  EXPECT_EQ(Inc::assemble(Inc::header_of(a.public_key), Inc::vector_of(b.public_key)).code(), Errc::bad_key);
  Bytes hdr = to_bytes(Inc::header_of(a.public_key).bytes());
  hdr[40] ^= 1;  // a bit of H(ek)
  EXPECT_EQ(Inc::assemble(*Inc::Header::parse(hdr), Inc::vector_of(a.public_key)).code(), Errc::bad_key);
}

TEST(MlKem768Incremental, Encapsulate2RefusesAKeyOtherThanTheHeaders) {
  DeterministicRng rng(18);
  auto a = MlKem768::generate(rng);
  auto b = MlKem768::generate(rng);
  auto one = Inc::encapsulate1(Inc::header_of(a.public_key), rng);
  EXPECT_EQ(Inc::encapsulate2(one.state, b.public_key).code(), Errc::bad_key);
}

TEST(MlKem768Incremental, ParsersRefuseWrongLengths) {
  Bytes b(2000, 0);
  EXPECT_EQ(Inc::Header::parse(ByteView(b).first(63)).code(), Errc::bad_length);
  EXPECT_EQ(Inc::Vector::parse(ByteView(b).first(1153)).code(), Errc::bad_length);
  EXPECT_EQ(Inc::Ciphertext1::parse(ByteView(b).first(959)).code(), Errc::bad_length);
  EXPECT_EQ(Inc::Ciphertext2::parse(ByteView(b).first(129)).code(), Errc::bad_length);
  EXPECT_EQ(Inc::EncapsulationState::parse(ByteView(b).first(95)).code(), Errc::bad_length);
  EXPECT_TRUE(Inc::Header::parse(ByteView(b).first(64)).has_value());
}

TEST(MlKem768Incremental, EncapsulationStateRoundTrips) {
  DeterministicRng rng(19);
  auto pair = MlKem768::generate(rng);
  auto one = Inc::encapsulate1(Inc::header_of(pair.public_key), rng);
  auto bytes = one.state.serialize();
  auto restored = Inc::EncapsulationState::parse(bytes.expose());
  ASSERT_TRUE(restored.has_value());
  auto two = Inc::encapsulate2(*restored, pair.public_key);
  ASSERT_TRUE(two.has_value());
  EXPECT_TRUE(ct_equal(Inc::decapsulate(pair.secret_key, one.ciphertext1, *two), one.shared_secret));
}

}  // namespace
}  // namespace hush::crypto
