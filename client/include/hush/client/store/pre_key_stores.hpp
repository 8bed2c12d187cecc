// libhush's PreKeyStore and SignedPreKeyStore over the local store (tables
// pre_keys and signed_pre_keys; records sealed, ids plaintext).
#pragma once

#include <hush/client/store/local_store.hpp>
#include <hush/signal/stores.hpp>

#include <cstdint>
#include <vector>

namespace hush::client::store {

class SqlitePreKeyStore final : public signal::PreKeyStore {
 public:
  explicit SqlitePreKeyStore(LocalStore& store) noexcept : store_(store) {}
  /// not_found when there is no such pre-key; bad_mac when its cell was tampered with.
  Result<signal::PreKeyRecord> load_pre_key(signal::PreKeyId id) override;
  Status store_pre_key(const signal::PreKeyRecord& record) override;
  Status remove_pre_key(signal::PreKeyId id) override;
  /// How many one-time pre-keys are held (for replenishing).
  Result<std::size_t> count();
  /// The highest id held, or 0 (to continue numbering).
  Result<std::uint32_t> max_id();
  /// Every id held, ascending.
  Result<std::vector<std::uint32_t>> ids();

 private:
  LocalStore& store_;
};

/// A signed pre-key's id and creation time, for rotation.
struct SignedPreKeyInfo {
  signal::SignedPreKeyId id;
  std::uint64_t created_ms = 0;
};

class SqliteSignedPreKeyStore final : public signal::SignedPreKeyStore {
 public:
  explicit SqliteSignedPreKeyStore(LocalStore& store) noexcept : store_(store) {}
  Result<signal::SignedPreKeyRecord> load_signed_pre_key(signal::SignedPreKeyId id) override;
  Status store_signed_pre_key(const signal::SignedPreKeyRecord& record) override;
  Status remove_signed_pre_key(signal::SignedPreKeyId id) override;
  /// Every signed pre-key held, oldest first.
  Result<std::vector<SignedPreKeyInfo>> list();

 private:
  LocalStore& store_;
};

/// Which one-time pre-keys a DrainedPreKeys tracks.
enum class OneTimeKind {
  ec,     ///< table pre_keys
  kyber,  ///< the one-time rows of kyber_pre_keys (last-resort keys are never drained)
};

/// One-time pre-keys the server no longer holds (handed out to a sender,
/// or never uploaded), with the time we first saw it, so their private keys
/// can be forgotten once no message built on them can still arrive; and the
/// highest id ever forgotten, so no id is used twice (tables
/// pre_keys_drained and pre_key_ids, or kyber_pre_keys_drained and
/// kyber_pre_key_ids; docs/protocol.md §7.8). The caller runs note() and
/// prune() inside one store transaction.
class DrainedPreKeys {
 public:
  explicit DrainedPreKeys(LocalStore& store, OneTimeKind kind = OneTimeKind::ec) noexcept
      : store_(store), kind_(kind) {}
  /// Marks, as of `now_ms`, every one-time pre-key held here whose id is not
  /// in `held_on_server` (the server's answer), unless marked already; drops
  /// the marks of keys the server holds again and of keys used meanwhile.
  [[nodiscard]] Status note(const std::vector<std::uint32_t>& held_on_server, std::uint64_t now_ms);
  /// Deletes the private keys marked at or before `cutoff_ms`; how many.
  Result<std::size_t> prune(std::uint64_t cutoff_ms);
  /// Keys marked and not yet deleted.
  Result<std::size_t> waiting();
  /// The highest id deleted by prune() so far (0: none).
  Result<std::uint32_t> high_water();

 private:
  LocalStore& store_;
  OneTimeKind kind_;
};

/// Creates the tables of DrainedPreKeys for both kinds (idempotent; run when a store opens).
[[nodiscard]] Status ensure_pre_key_tables(LocalStore& store);

}  // namespace hush::client::store
