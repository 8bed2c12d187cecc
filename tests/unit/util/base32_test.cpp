#include <hush/util/base32.hpp>

#include <gtest/gtest.h>

namespace hush {
namespace {

TEST(Base32, Rfc4648VectorsWithoutPadding) {
  // RFC 4648 §10, with the '=' padding left off.
  EXPECT_EQ(base32_encode(as_bytes("")), "");
  EXPECT_EQ(base32_encode(as_bytes("f")), "MY");
  EXPECT_EQ(base32_encode(as_bytes("fo")), "MZXQ");
  EXPECT_EQ(base32_encode(as_bytes("foo")), "MZXW6");
  EXPECT_EQ(base32_encode(as_bytes("foob")), "MZXW6YQ");
  EXPECT_EQ(base32_encode(as_bytes("fooba")), "MZXW6YTB");
  EXPECT_EQ(base32_encode(as_bytes("foobar")), "MZXW6YTBOI");
}

TEST(Base32, DecodesWhatPeopleType) {
  auto exact = base32_decode("MZXW6YTBOI");
  ASSERT_TRUE(exact);
  EXPECT_EQ(to_string(*exact), "foobar");
  auto typed = base32_decode("mzxw-6ytb oi");
  ASSERT_TRUE(typed);
  EXPECT_EQ(*typed, *exact);
  // 0, 1 and 8 are read as O, I and B.
  auto confused = base32_decode("MZXW6YTB01");
  ASSERT_TRUE(confused);
  EXPECT_EQ(*confused, *exact);
}

TEST(Base32, RoundTripsEveryLength) {
  Bytes b;
  for (int n = 0; n < 40; ++n) {
    auto back = base32_decode(group_characters(base32_encode(b), 4));
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(*back, b) << n;
    b.push_back(static_cast<std::uint8_t>(n * 37 + 11));
  }
}

TEST(Base32, RefusesForeignCharactersAndWrongLengths) {
  EXPECT_EQ(base32_decode("MZX!").code(), Errc::invalid_argument);
  // One character too many leaves bits that are not zero.
  EXPECT_EQ(base32_decode("MZXW6YTBOIZ").code(), Errc::invalid_argument);
}

TEST(Base32, GroupsCharacters) {
  EXPECT_EQ(group_characters("ABCDEFGHIJ", 4), "ABCD-EFGH-IJ");
  EXPECT_EQ(group_characters("", 4), "");
}

}  // namespace
}  // namespace hush
