// CliFixture (see cli_fixture.hpp).
#include "cli_fixture.hpp"

namespace hush::testing {

std::string CliFixture::key(const std::string& who) const { return (root_ / "homes" / (who + ".key")).string(); }

std::vector<std::string> CliFixture::as(const std::string& who, std::vector<std::string> args, bool json) const {
  std::vector<std::string> full = {"--home", home(who).string(), "--key-file", key(who)};
  if (json) full.emplace_back("--json");
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

bool CliFixture::register_user(const std::string& who, const std::string& username) {
  const std::string name = username.empty() ? who : username;
  const CliResult r = run_hush(as(who, {"register", "--server", next_url(), "--username", name, "--ca", ca()}, true));
  if (r.code == 5 && r.err.find("\"unavailable\"") != std::string::npos) {
    skip_reason_ = "the SDK's register_account returns unavailable (not implemented yet): " + r.err;
    return false;
  }
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json_field(r.out, "type"), "identity") << r.out;
  EXPECT_EQ(json_field(r.out, "username"), name);
  return r.code == 0;
}

}  // namespace hush::testing
