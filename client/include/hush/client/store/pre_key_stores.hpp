// libhush's PreKeyStore and SignedPreKeyStore over the local store (tables
// pre_keys and signed_pre_keys; records sealed, ids plaintext).
#pragma once

#include <hush/client/store/local_store.hpp>
#include <hush/signal/stores.hpp>

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

}  // namespace hush::client::store
