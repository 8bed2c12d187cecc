// Helpers for the client store tests.
#include "store_fixture.hpp"

#include <hush/crypto/random.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace hush::client::fixture {

TempHome::TempHome() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hush-client-test-XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  HUSH_CHECK(made != nullptr);
  root_ = made;
}

TempHome::~TempHome() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

store::KeySource test_passphrase(std::string_view text) {
  return store::KeySource::passphrase(SecretBuffer(as_bytes(text)), store::KdfCost::test_minimum);
}

std::unique_ptr<store::LocalStore> create_store(const std::filesystem::path& home, std::string_view passphrase) {
  auto s = store::LocalStore::create(home, test_passphrase(passphrase), crypto::system_rng());
  HUSH_CHECK(s.has_value());
  return std::move(s).value();
}

std::unique_ptr<store::LocalStore> open_store(const std::filesystem::path& home, std::string_view passphrase) {
  auto s = store::LocalStore::open(home, test_passphrase(passphrase), crypto::system_rng());
  HUSH_CHECK(s.has_value());
  return std::move(s).value();
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool contains(ByteView haystack, ByteView needle) {
  if (needle.empty()) return true;
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

void raw_sql(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(raw);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  HUSH_CHECK(::stat(path.c_str(), &st) == 0);
  return static_cast<unsigned>(st.st_mode & 07777);
}

}  // namespace hush::client::fixture
