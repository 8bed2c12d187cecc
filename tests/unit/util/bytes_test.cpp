#include <hush/util/bytes.hpp>

#include <gtest/gtest.h>

namespace hush {
namespace {

TEST(Hex, RoundTrips) {
  Bytes b = {0x00, 0x7f, 0x80, 0xff};
  EXPECT_EQ(to_hex(b), "007f80ff");
  EXPECT_EQ(*from_hex("007F80ff"), b);
}

TEST(Hex, RefusesMalformedInput) {
  EXPECT_EQ(from_hex("abc").code(), Errc::decode_error);
  EXPECT_EQ(from_hex("zz").code(), Errc::decode_error);
}

TEST(Bytes, Concat) {
  Bytes a = {1};
  Bytes b = {2, 3};
  EXPECT_EQ(concat({a, b, as_bytes("x")}), (Bytes{1, 2, 3, 'x'}));
}

}  // namespace
}  // namespace hush
