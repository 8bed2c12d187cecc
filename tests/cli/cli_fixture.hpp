// The fixture of the `hush` binary's end-to-end suites (cli_e2e_test,
// group_cli_e2e_test): HushdFixture plus one home folder and key file per
// user, the global options that select them, and registration through
// `hush register --json`.
#pragma once

#include "cli_runner.hpp"
#include "hushd_fixture.hpp"
#include "json_lines.hpp"

#include <string>
#include <vector>

namespace hush::testing {

class CliFixture : public HushdFixture {
 protected:
  using HushdFixture::HushdFixture;

  /// The key file of `who`'s store: ROOT/homes/who.key.
  [[nodiscard]] std::string key(const std::string& who) const;
  /// `--home HOME --key-file KEY [--json] ARGS...` for `who`.
  [[nodiscard]] std::vector<std::string> as(const std::string& who, std::vector<std::string> args,
                                            bool json = false) const;
  /// Registers `who` (as `username` when given) from next_url(); false, with
  /// a failure or `skip_reason_` recorded, if it did not work.
  bool register_user(const std::string& who, const std::string& username = {});

  std::string skip_reason_;  ///< set when the SDK answers `unavailable` (not implemented yet)
};

/// Registers `who`, or ends the test: skipped with skip_reason_, else failed.
#define REGISTER_OR_SKIP(who)                                   \
  do {                                                          \
    if (!register_user(who)) {                                  \
      if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;  \
      return;                                                   \
    }                                                           \
  } while (0)

}  // namespace hush::testing
