// The client's local store: one SQLite file (WAL, synchronous=FULL) in the
// client's home folder, in which every secret value is sealed with
// XChaCha20-Poly1305 under a random data key, itself wrapped under a key from
// a passphrase (Argon2id) or a key file. Each sealed value is bound by its
// associated data to its column, row key and the schema version. The tables
// themselves are reached through the classes beside this one.
#pragma once

#include <hush/client/store/key_source.hpp>
#include <hush/crypto/aead.hpp>
#include <hush/crypto/random.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>

namespace hush::client::store {

class SqliteDb;
class StoreAccess;

/// The schema version: in the header, in every sealed value's associated data.
/// docs/adr/0003-client-store-encryption.md, "Schema versions", lists them.
inline constexpr std::uint32_t kStoreSchemaVersion = 2;
/// The oldest schema version LocalStore::open migrates (in one transaction)
/// to kStoreSchemaVersion; anything older is not a store Hush ever wrote.
inline constexpr std::uint32_t kOldestMigratableSchemaVersion = 1;
/// The store's file name inside the home folder.
inline constexpr const char* kStoreFileName = "hush.db";
/// The copy of the server's CA certificate (`--ca`) inside the home folder:
/// the store keeps this name, not the user's path, so the home keeps working
/// when the original file moves or goes (issue #16).
inline constexpr const char* kCaCopyName = "server-ca.pem";
/// A CA file larger than this is refused: a PEM bundle of a few certificates
/// is a few KiB, and the whole file is read into memory to be copied.
inline constexpr std::uintmax_t kMaxCaFileSize = 1024 * 1024;

/// Copies the certificate file `ca_file` into `home` as kCaCopyName (mode
/// 0600, written under a temporary name and renamed, so a reader never sees
/// half a file) and returns the copy's path. Errors: not_found (`ca_file`
/// cannot be read), invalid_argument (larger than kMaxCaFileSize),
/// storage_failure (the copy could not be written).
[[nodiscard]] Result<std::filesystem::path> keep_ca_copy(const std::filesystem::path& home,
                                                         const std::filesystem::path& ca_file);

/// Removes what a new device's setup made in `home`: the store file with its
/// companions and the CA copy (the folder itself stays). For a registration
/// or link that failed, so the next attempt starts clean; the caller closes
/// the store first.
void remove_new_store(const std::filesystem::path& home) noexcept;

/// Milliseconds since the Unix epoch; injected so tests control time.
using Clock = std::function<std::uint64_t()>;
/// The system clock.
[[nodiscard]] Clock system_clock();

/// One open store. Not thread-safe: use it from one thread at a time (other
/// processes may open the same file; writers wait up to 5 s for each other).
class LocalStore {
 public:
  /// Creates the home folder (mode 0700) if needed, and a new store file in it
  /// (mode 0600) locked with `key`. A home folder that exists must belong to
  /// this user; its mode is set to 0700. Errors: conflict (a store exists
  /// already), forbidden (the folder belongs to someone else), storage errors,
  /// and those of read_key_file.
  static Result<std::unique_ptr<LocalStore>> create(const std::filesystem::path& home, const KeySource& key,
                                                    crypto::Rng& rng, Clock clock = system_clock());

  /// Opens an existing store. Errors: not_found (no store in `home`),
  /// unauthorized (wrong passphrase or key file, or a key source of the other
  /// kind), unsupported_version, decode_error (a damaged header), and those of
  /// read_key_file. A refused open writes nothing.
  static Result<std::unique_ptr<LocalStore>> open(const std::filesystem::path& home, const KeySource& key,
                                                  crypto::Rng& rng, Clock clock = system_clock());

  ~LocalStore();
  LocalStore(const LocalStore&) = delete;
  LocalStore& operator=(const LocalStore&) = delete;

  /// Wraps the data key under a new key (a new passphrase with a fresh salt,
  /// or a key file) in one atomic update of the header; values are not
  /// re-encrypted. Errors: storage errors, those of read_key_file.
  [[nodiscard]] Status rewrap(const KeySource& new_key);

  /// Runs `body` in a transaction: its writes commit together if it returns
  /// ok, and none of them do otherwise (or if it throws). Nests (savepoints).
  [[nodiscard]] Status transaction(const std::function<Status()>& body);
  /// Whether a transaction() is running (the SDK makes no network call then).
  [[nodiscard]] bool in_transaction() const noexcept;

  /// Seals `plaintext` for the cell (`column`, `row_key`): nonce ‖ ciphertext ‖ tag.
  /// `column` names table and column ("sessions.record"); `row_key` is the
  /// row's canonical key bytes.
  [[nodiscard]] Bytes seal(std::string_view column, ByteView row_key, ByteView plaintext);
  /// Opens a value sealed for exactly this cell. Errors: bad_mac (tampered,
  /// or moved from another cell), bad_length.
  [[nodiscard]] Result<SecretBuffer> open_value(std::string_view column, ByteView row_key, ByteView sealed) const;

  /// The store file's path.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// Now, by the store's clock (ms since the epoch).
  [[nodiscard]] std::uint64_t now_ms() const { return clock_(); }
  [[nodiscard]] crypto::Rng& rng() noexcept { return rng_; }

 private:
  friend class StoreAccess;
  LocalStore(std::filesystem::path path, std::unique_ptr<SqliteDb> db, crypto::AeadKey data_key, crypto::Rng& rng,
             Clock clock);

  std::filesystem::path path_;
  std::unique_ptr<SqliteDb> db_;
  crypto::AeadKey data_key_;
  crypto::Rng& rng_;
  Clock clock_;
};

}  // namespace hush::client::store
