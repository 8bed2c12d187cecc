#include <hush/testing/hex.hpp>
#include <hush/util/check.hpp>

#include <string>

namespace hush::testing {

Bytes hex(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\n') compact.push_back(c);
  }
  auto parsed = from_hex(compact);
  HUSH_CHECK(parsed.has_value());
  return std::move(parsed).value();
}

}  // namespace hush::testing
