// Where the local store's key-encryption key comes from: a passphrase
// stretched with Argon2id, or a key file of 32 random bytes that only its
// owner may read. The key-encryption key only wraps the store's random data
// key (docs/adr/0003-client-store-encryption.md).
#pragma once

#include <hush/crypto/password_hash.hpp>
#include <hush/crypto/random.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <filesystem>

namespace hush::client::store {

/// Argon2id cost for a new passphrase. The default is libsodium's MODERATE;
/// anything cheaper must be asked for by name.
enum class KdfCost {
  moderate,     ///< OPSLIMIT_MODERATE / MEMLIMIT_MODERATE (3 passes, 256 MiB): the default
  interactive,  ///< OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE (2 passes, 64 MiB)
  test_minimum, ///< libsodium's minimum (1 pass, 8 KiB): tests and CI only, no real protection
};

/// The Argon2id parameters of a KdfCost.
[[nodiscard]] crypto::Argon2idCost argon2id_cost(KdfCost cost) noexcept;

/// Size of a key file: one 32-byte key.
inline constexpr std::size_t kKeyFileSize = 32;

class KeySource {
 public:
  enum class Kind { passphrase, key_file };

  /// A passphrase. `cost` is used when a store is created or rewrapped with
  /// it; opening always uses the cost recorded in the store.
  static KeySource passphrase(SecretBuffer passphrase, KdfCost cost = KdfCost::moderate) {
    return KeySource(Kind::passphrase, std::move(passphrase), cost, {});
  }
  /// A key file (see create_key_file); it is read when the store is opened.
  static KeySource key_file(std::filesystem::path path) {
    return KeySource(Kind::key_file, SecretBuffer(), KdfCost::moderate, std::move(path));
  }

  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] const SecretBuffer& passphrase_bytes() const noexcept { return passphrase_; }
  [[nodiscard]] KdfCost cost() const noexcept { return cost_; }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  KeySource(Kind kind, SecretBuffer passphrase, KdfCost cost, std::filesystem::path path)
      : kind_(kind), passphrase_(std::move(passphrase)), cost_(cost), path_(std::move(path)) {}
  Kind kind_;
  SecretBuffer passphrase_;
  KdfCost cost_;
  std::filesystem::path path_;
};

/// Writes a new key file of kKeyFileSize random bytes, mode 0600.
/// Errors: conflict (the file exists), storage_failure.
[[nodiscard]] Status create_key_file(const std::filesystem::path& path, crypto::Rng& rng);

/// Reads a key file. Errors: not_found; forbidden (group or others have any
/// permission on it, another user owns it, or it is not a regular file);
/// bad_length (not exactly kKeyFileSize bytes); storage_failure.
[[nodiscard]] Result<SecretBytes<kKeyFileSize>> read_key_file(const std::filesystem::path& path);

}  // namespace hush::client::store
