// render_qr: a square of half blocks with a quiet zone, one line per two
// module rows; too much data is an error.
#include "qr.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace hush::cli {
namespace {

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

TEST(Qr, SquareWithQuietZone) {
  auto qr = render_qr(as_bytes(std::string_view("hush-link:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTU")));
  ASSERT_TRUE(qr);
  std::istringstream lines(*qr);
  std::vector<std::string> rows;
  for (std::string l; std::getline(lines, l);) rows.push_back(l);
  ASSERT_FALSE(rows.empty());
  const std::size_t width = code_points(rows[0]);
  EXPECT_GE(width, 21u + 4u);
  EXPECT_EQ(rows.size(), (width + 1) / 2);
  for (const auto& r : rows) EXPECT_EQ(code_points(r), width);
  // The quiet zone: the first line is all full blocks (light on light).
  EXPECT_EQ(rows[0].find(' '), std::string::npos);
  EXPECT_NE(qr->find(' '), std::string::npos);  // dark modules exist
}

TEST(Qr, RefusesEmptyAndHugeData) {
  EXPECT_FALSE(render_qr({}));
  std::vector<std::uint8_t> huge(4000, 'x');
  EXPECT_FALSE(render_qr(huge));
}

}  // namespace
}  // namespace hush::cli
