// Padding: every text of 0..159 bytes encodes to one length, round trips at
// every length, and malformed padding is refused.
#include "sqlite_party.hpp"

#include <hush/client/content/padding.hpp>

#include <gtest/gtest.h>

#include <set>

namespace hush::client::fixture {
namespace {

using content::kPaddingBucket;
using content::kPaddingHeadroom;
using content::pad;
using content::padded_size;
using content::unpad;

TEST(Padding, AllTextsUpTo159BytesHaveOneLength) {
  std::set<std::size_t> sizes;
  for (std::size_t n = 0; n < 160; ++n) {
    auto padded = text_content(std::string(n, 'x'), crypto::system_rng(), 1'700'000'000'000 + n);
    ASSERT_TRUE(padded);
    sizes.insert(padded->size());
  }
  EXPECT_EQ(sizes, (std::set<std::size_t>{kPaddingHeadroom + kPaddingBucket}));
}

TEST(Padding, TextLengthsShareBucketsOf160) {
  // Texts in [160k, 160k + 159] never spread over more than two lengths,
  // and the worst-case timestamp (10-byte varint) does not change that.
  for (std::size_t k = 1; k < 5; ++k) {
    std::set<std::size_t> sizes;
    for (std::size_t n = 160 * k; n < 160 * (k + 1); ++n) {
      sizes.insert(text_content(std::string(n, 'y'), crypto::system_rng(), UINT64_MAX)->size());
    }
    EXPECT_LE(sizes.size(), 2u);
  }
  EXPECT_EQ(text_content(std::string(159, 'z'), crypto::system_rng(), UINT64_MAX)->size(),
            kPaddingHeadroom + kPaddingBucket);
}

TEST(Padding, RoundTripsAtEveryLength) {
  for (std::size_t n = 0; n < 1000; ++n) {
    Bytes content(n, 0);
    for (std::size_t i = 0; i < n; ++i) content[i] = static_cast<std::uint8_t>(i * 7 + 1);
    if (n > 0) content[n - 1] = 0;  // trailing zeros in the content itself survive
    auto padded = pad(content);
    ASSERT_TRUE(padded);
    EXPECT_EQ(padded->size(), padded_size(n));
    EXPECT_EQ((padded->size() - kPaddingHeadroom) % kPaddingBucket, 0u);
    auto back = unpad(padded->expose());
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(to_bytes(back->expose()), content);
  }
}

TEST(Padding, RefusesMalformedPadding) {
  Bytes ok(kPaddingHeadroom + kPaddingBucket, 0);
  ok[3] = 0x80;
  EXPECT_TRUE(unpad(ok));

  Bytes all_zero(kPaddingHeadroom + kPaddingBucket, 0);
  EXPECT_EQ(unpad(all_zero).code(), Errc::decode_error);
  Bytes wrong_marker = ok;
  wrong_marker[3] = 0x81;
  EXPECT_EQ(unpad(wrong_marker).code(), Errc::decode_error);
  Bytes junk_after = ok;
  junk_after.back() = 0x01;
  EXPECT_EQ(unpad(junk_after).code(), Errc::decode_error);
  Bytes not_a_bucket(ok.begin(), ok.end() - 1);
  EXPECT_EQ(unpad(not_a_bucket).code(), Errc::decode_error);
  EXPECT_EQ(unpad({}).code(), Errc::decode_error);
  Bytes over_padded(kPaddingHeadroom + 2 * kPaddingBucket, 0);
  over_padded[3] = 0x80;  // would fit one bucket: more padding than pad() adds
  EXPECT_EQ(unpad(over_padded).code(), Errc::decode_error);
  Bytes too_big(content::kMaxPaddedSize + kPaddingBucket, 0);
  too_big[0] = 0x80;
  EXPECT_EQ(unpad(too_big).code(), Errc::decode_error);
  EXPECT_EQ(pad(Bytes(content::kMaxPaddedSize)).code(), Errc::invalid_argument);
}

}  // namespace
}  // namespace hush::client::fixture
