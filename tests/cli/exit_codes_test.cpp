// The Errc -> exit code table: every Errc has a row with text, families map
// to their documented code, and docs/cli.md lists exactly this table.
#include "exit_codes.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace hush::cli {
namespace {

const std::vector<Errc> kAll = {
    Errc::invalid_argument, Errc::bad_length,         Errc::decode_error,   Errc::unsupported_version,
    Errc::bad_mac,          Errc::bad_signature,      Errc::bad_key,        Errc::crypto_failure,
    Errc::duplicate_message, Errc::too_far_ahead,     Errc::unknown_pre_key, Errc::untrusted_identity,
    Errc::no_session,       Errc::invalid_message,    Errc::stale_state,    Errc::not_found,
    Errc::storage_failure,  Errc::conflict,           Errc::network_failure, Errc::unauthorized,
    Errc::forbidden,        Errc::rate_limited,       Errc::quota_exceeded, Errc::stale_devices,
    Errc::timeout,          Errc::unavailable,
};

TEST(ExitCodes, EveryErrcHasARowWithText) {
  EXPECT_EQ(exit_code(Errc::ok), 0);
  for (Errc e : kAll) {
    const ErrorInfo info = error_info(e);
    EXPECT_GE(static_cast<int>(info.exit), 2) << errc_name(e);
    EXPECT_LE(static_cast<int>(info.exit), 10) << errc_name(e);
    EXPECT_FALSE(info.text.empty());
    EXPECT_NE(info.text.back(), '.');
    EXPECT_NE(error_info(e).text, "unexpected error") << errc_name(e);
  }
}

TEST(ExitCodes, Families) {
  EXPECT_EQ(exit_code(Errc::not_found), 2);
  EXPECT_EQ(exit_code(Errc::untrusted_identity), 3);
  EXPECT_EQ(exit_code(Errc::unauthorized), 4);
  EXPECT_EQ(exit_code(Errc::forbidden), 4);
  EXPECT_EQ(exit_code(Errc::network_failure), 5);
  EXPECT_EQ(exit_code(Errc::timeout), 5);
  EXPECT_EQ(exit_code(Errc::unavailable), 5);
  EXPECT_EQ(exit_code(Errc::storage_failure), 6);
  EXPECT_EQ(exit_code(Errc::rate_limited), 7);
  EXPECT_EQ(exit_code(Errc::quota_exceeded), 7);
  EXPECT_EQ(exit_code(Errc::conflict), 8);
  EXPECT_EQ(exit_code(Errc::invalid_argument), 9);
  EXPECT_EQ(exit_code(Errc::bad_mac), 10);
}

TEST(ExitCodes, DocsListTheSameTable) {
  std::ifstream in(std::string(HUSH_SOURCE_DIR) + "/docs/cli.md");
  ASSERT_TRUE(in) << "docs/cli.md";
  std::stringstream s;
  s << in.rdbuf();
  const std::string doc = s.str();
  // Rows: | `errc_name` | N | text |   (parsed by hand: g++ 12's <regex> trips
  // -Wmaybe-uninitialized under the sanitizers)
  std::map<std::string, int> documented;
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const auto name_end = line.find('`', 3);
    const auto bar = line.find('|', name_end);
    const auto next = line.find('|', bar + 1);
    if (name_end == std::string::npos || bar == std::string::npos || next == std::string::npos) continue;
    const std::string number = line.substr(bar + 1, next - bar - 1);
    if (number.find_first_not_of(" 0123456789") != std::string::npos ||
        number.find_first_of("0123456789") == std::string::npos) {
      continue;
    }
    documented[line.substr(3, name_end - 3)] = std::stoi(number);
  }
  for (Errc e : kAll) {
    const std::string name(errc_name(e));
    ASSERT_TRUE(documented.count(name)) << name << " missing from docs/cli.md";
    EXPECT_EQ(documented[name], exit_code(e)) << name;
  }
}

}  // namespace
}  // namespace hush::cli
