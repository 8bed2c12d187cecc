// RFC 5869 Appendix A, test cases 1-3 (HKDF-SHA256).
#include <hush/crypto/hkdf.hpp>
#include <hush/testing/hex.hpp>

#include <gtest/gtest.h>

namespace hush::crypto {
namespace {
using testing::hex;

struct HkdfVector {
  const char* name;
  const char* ikm;
  const char* salt;
  const char* info;
  const char* okm;
};

Bytes range(int from, int to) {
  Bytes b;
  for (int i = from; i <= to; ++i) b.push_back(static_cast<std::uint8_t>(i));
  return b;
}

TEST(Hkdf, Rfc5869Case1Basic) {
  auto okm = hkdf_sha256(hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), hex("000102030405060708090a0b0c"),
                         hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(okm);
  EXPECT_EQ(to_hex(okm->expose()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(Hkdf, Rfc5869Case2LongInputs) {
  auto okm = hkdf_sha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82);
  ASSERT_TRUE(okm);
  EXPECT_EQ(to_hex(okm->expose()),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
            "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

TEST(Hkdf, Rfc5869Case3EmptySaltAndInfo) {
  auto okm = hkdf_sha256(hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), {}, {}, 42);
  ASSERT_TRUE(okm);
  EXPECT_EQ(to_hex(okm->expose()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(Hkdf, RefusesImpossibleLengths) {
  EXPECT_EQ(hkdf_sha256(hex("00"), {}, {}, 0).code(), Errc::invalid_argument);
  EXPECT_EQ(hkdf_sha256(hex("00"), {}, {}, kHkdfSha256MaxOutput + 1).code(), Errc::invalid_argument);
  EXPECT_TRUE(hkdf_sha256(hex("00"), {}, {}, kHkdfSha256MaxOutput));
}

}  // namespace
}  // namespace hush::crypto

// Our HKDF (RFC 5869 over OpenSSL's HMAC) must agree with OpenSSL's own
// EVP_KDF "HKDF" on every input shape.
#include <hush/testing/deterministic_rng.hpp>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

namespace hush::crypto {
namespace {

Bytes openssl_hkdf(ByteView ikm, ByteView salt, ByteView info, std::size_t n) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  char digest[] = "SHA256";
  static std::uint8_t zero = 0;
  OSSL_PARAM params[5];
  int i = 0;
  params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm.empty() ? &zero : const_cast<std::uint8_t*>(ikm.data()), ikm.size());
  if (!salt.empty()) params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size());
  if (!info.empty()) params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info.data()), info.size());
  params[i] = OSSL_PARAM_construct_end();
  Bytes out(n);
  EXPECT_EQ(EVP_KDF_derive(ctx, out.data(), n, params), 1);
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  return out;
}

TEST(Hkdf, AgreesWithOpenSslEvpKdfOnRandomInputs) {
  testing::DeterministicRng rng(99);
  for (int round = 0; round < 200; ++round) {
    Bytes ikm(rng.uniform(100)), salt(rng.uniform(100)), info(rng.uniform(100));
    rng.fill(ikm);
    rng.fill(salt);
    rng.fill(info);
    std::size_t n = 1 + rng.uniform(300);
    auto ours = hkdf_sha256(ikm, salt, info, n);
    ASSERT_TRUE(ours);
    EXPECT_EQ(to_bytes(ours->expose()), openssl_hkdf(ikm, salt, info, n)) << "round " << round;
  }
}

}  // namespace
}  // namespace hush::crypto
