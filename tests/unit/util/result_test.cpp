#include <hush/util/result.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace hush {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return make_error(Errc::decode_error, "not a digit");
  return c - '0';
}

Result<int> sum_digits(char a, char b) {
  HUSH_TRY_ASSIGN(int x, parse_digit(a));
  HUSH_TRY_ASSIGN(int y, parse_digit(b));
  return x + y;
}

Status check_digit(char c) {
  HUSH_TRY(parse_digit(c));
  return ok();
}

TEST(Result, CarriesValueOrError) {
  auto good = parse_digit('7');
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 7);
  EXPECT_EQ(good.code(), Errc::ok);

  auto bad = parse_digit('x');
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.code(), Errc::decode_error);
  EXPECT_STREQ(bad.error().context, "not a digit");
}

TEST(Result, TryPropagatesTheFirstError) {
  EXPECT_EQ(*sum_digits('3', '4'), 7);
  EXPECT_EQ(sum_digits('3', '?').code(), Errc::decode_error);
  EXPECT_TRUE(check_digit('1'));
  EXPECT_EQ(check_digit('z').code(), Errc::decode_error);
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("x");
  ASSERT_TRUE(r);
  auto p = std::move(r).value();
  EXPECT_EQ(*p, "x");
}

TEST(Result, AccessingTheWrongSideAborts) {
  EXPECT_DEATH({ (void)parse_digit('x').value(); }, "check failed");
  EXPECT_DEATH({ (void)parse_digit('1').error(); }, "check failed");
}

TEST(Errc, HasStableNames) {
  EXPECT_EQ(errc_name(Errc::bad_mac), "bad_mac");
  EXPECT_EQ(errc_name(Errc::duplicate_message), "duplicate_message");
}

}  // namespace
}  // namespace hush
