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
