// The self-signed certificate hushd makes on first start: it carries the
// configured host names and addresses besides the loopback ones, refuses a
// host that would be extension syntax, and an existing certificate is checked
// (never replaced) against the hosts asked for.
#include "app/tls_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace hush::server::app {
namespace {

class AppTlsFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hush-app-tls-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string tls_dir() const { return (dir_ / "tls").string(); }

  std::filesystem::path dir_;
};

TEST_F(AppTlsFiles, ANewCertificateCarriesLoopbackAndTheConfiguredHosts) {
  auto files = ensure_self_signed(tls_dir(), {"chat.example.org", "*.nodes.example.org", "192.0.2.7", "2001:db8::5"});
  ASSERT_TRUE(files.has_value());
  EXPECT_TRUE(files->generated);
  auto missing = certificate_missing_host(
      files->cert_file, {"localhost", "127.0.0.1", "::1", "chat.example.org", "n3.nodes.example.org", "192.0.2.7",
                         "2001:db8::5"});
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(*missing, "");
  EXPECT_EQ(std::filesystem::status(files->key_file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(AppTlsFiles, AHostTheCertificateLacksIsNamed) {
  auto files = ensure_self_signed(tls_dir());
  ASSERT_TRUE(files.has_value());
  auto missing = certificate_missing_host(files->cert_file, {"localhost", "chat.example.org"});
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(*missing, "chat.example.org");
  auto address = certificate_missing_host(files->cert_file, {"192.0.2.7"});
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(*address, "192.0.2.7");
}

TEST_F(AppTlsFiles, AnExistingCertificateIsKeptWhateverHostsAreAsked) {
  auto first = ensure_self_signed(tls_dir());
  ASSERT_TRUE(first.has_value());
  auto again = ensure_self_signed(tls_dir(), {"chat.example.org"});
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->generated);
  EXPECT_EQ(again->fingerprint, first->fingerprint);
}

TEST_F(AppTlsFiles, AHostThatIsNotANameNorAnAddressIsRefused) {
  for (const char* bad : {"evil.example,DNS:other.example", "a b", "", "host:443", "."}) {
    std::filesystem::remove_all(dir_);
    auto files = ensure_self_signed(tls_dir(), {bad});
    ASSERT_FALSE(files.has_value()) << bad;
    EXPECT_EQ(files.code(), Errc::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace hush::server::app
