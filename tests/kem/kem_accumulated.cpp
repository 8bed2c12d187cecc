// The accumulated ML-KEM test (kem_accumulated.hpp).
#include "kem_accumulated.hpp"

#include "ml_kem_internal.hpp"

#include <hush/crypto/ml_kem.hpp>
#include <hush/util/check.hpp>

#include <gcrypt.h>
#include <openssl/evp.h>

#include <memory>

namespace hush::testing {
namespace {

class ShakeStream {
 public:
  ShakeStream() {
    HUSH_CHECK(gcry_check_version(nullptr) != nullptr);
    HUSH_CHECK(gcry_md_open(&h_, GCRY_MD_SHAKE128, 0) == 0);
    gcry_md_final(h_);
  }
  ~ShakeStream() { gcry_md_close(h_); }
  ShakeStream(const ShakeStream&) = delete;
  ShakeStream& operator=(const ShakeStream&) = delete;
  void read(void* out, std::size_t n) { HUSH_CHECK(gcry_md_extract(h_, GCRY_MD_SHAKE128, out, n) == 0); }

 private:
  gcry_md_hd_t h_ = nullptr;
};

template <class K>
std::string run(std::size_t tests, std::size_t* mismatches) {
  ShakeStream rng;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> acc(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  HUSH_CHECK(EVP_DigestInit_ex2(acc.get(), EVP_shake128(), nullptr) == 1);
  auto absorb = [&](ByteView b) { HUSH_CHECK(EVP_DigestUpdate(acc.get(), b.data(), b.size()) == 1); };
  *mismatches = 0;
  for (std::size_t t = 0; t < tests; ++t) {
    typename K::Seed d, z, m;
    rng.read(d.expose_mut().data(), 32);
    rng.read(z.expose_mut().data(), 32);
    rng.read(m.expose_mut().data(), 32);
    std::uint8_t random_ct[K::kCiphertextSize];
    rng.read(random_ct, sizeof random_ct);

    // The published hashes use G(d) in K-PKE.KeyGen (ml_kem_vectors_test.cpp).
    auto params = crypto::detail::kem::params_of(K::kAlgorithm);
    params.keygen_hashes_k = false;
    std::uint8_t ek[K::kPublicKeySize];
    SecretBuffer dk(K::kSecretKeySize);
    crypto::detail::kem::keygen_internal(params, d.expose().data(), z.expose().data(), ek, dk.expose_mut().data());
    struct {
      typename K::PublicKey public_key;
      typename K::SecretKey secret_key;
    } pair{*K::PublicKey::parse(ByteView(ek, sizeof ek)), *K::SecretKey::parse(dk.expose())};
    auto sent = K::encapsulate_from_seed(pair.public_key, m);
    auto received = K::decapsulate(pair.secret_key, sent.ciphertext);
    if (!ct_equal(received, sent.shared_secret)) ++*mismatches;
    auto rejected = K::decapsulate(pair.secret_key, *K::Ciphertext::parse(ByteView(random_ct, sizeof random_ct)));

    absorb(pair.public_key.bytes());
    absorb(pair.secret_key.secret().expose());
    absorb(sent.ciphertext.bytes());
    absorb(sent.shared_secret.expose());
    absorb(rejected.expose());
  }
  std::uint8_t out[32];
  HUSH_CHECK(EVP_DigestFinalXOF(acc.get(), out, sizeof out) == 1);
  return to_hex(ByteView(out, sizeof out));
}

}  // namespace

std::string accumulated_kem_hash(int parameter_set, std::size_t tests, std::size_t* mismatches) {
  switch (parameter_set) {
    case 512:
      return run<crypto::MlKem512>(tests, mismatches);
    case 768:
      return run<crypto::MlKem768>(tests, mismatches);
    case 1024:
      return run<crypto::MlKem1024>(tests, mismatches);
    default:
      HUSH_CHECK(false);
      return {};
  }
}

}  // namespace hush::testing
