// Shared helpers of the client store tests: a temporary home folder removed
// afterwards, cheap passphrases (Argon2id at its test minimum, asked for by
// name), file reading and raw SQL on a closed store.
#pragma once

#include <hush/client/store/local_store.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace hush::client::fixture {

/// A fresh folder under the system's temporary folder; `home()` (not yet
/// created) lies inside it. Everything is removed on destruction.
class TempHome {
 public:
  TempHome();
  ~TempHome();
  TempHome(const TempHome&) = delete;
  TempHome& operator=(const TempHome&) = delete;
  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }
  [[nodiscard]] std::filesystem::path home() const { return root_ / "home"; }
  [[nodiscard]] std::filesystem::path db() const { return home() / store::kStoreFileName; }
  [[nodiscard]] std::filesystem::path wal() const { return home() / (std::string(store::kStoreFileName) + "-wal"); }

 private:
  std::filesystem::path root_;
};

/// A passphrase with the test-minimum Argon2id cost.
store::KeySource test_passphrase(std::string_view text);

/// Creates a store in `home` with test_passphrase(passphrase); aborts the test on failure.
std::unique_ptr<store::LocalStore> create_store(const std::filesystem::path& home, std::string_view passphrase);
/// Opens it; aborts the test on failure.
std::unique_ptr<store::LocalStore> open_store(const std::filesystem::path& home, std::string_view passphrase);

/// The whole file, or empty if it does not exist.
Bytes read_file(const std::filesystem::path& path);
/// Whether `needle` occurs in `haystack`.
bool contains(ByteView haystack, ByteView needle);
/// Runs SQL on a store file with plain SQLite (no Hush): to tamper like an attacker would.
void raw_sql(const std::filesystem::path& db, const std::string& sql);
/// Mode bits (07777) of a path.
unsigned mode_of(const std::filesystem::path& path);

}  // namespace hush::client::fixture
