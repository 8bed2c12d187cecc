// libhush's KyberPreKeyStore over the local store (PQXDH, issue #15): table
// kyber_pre_keys holds one-time and last-resort Kyber pre-keys (record
// sealed; id, kind and creation time plaintext), table
// kyber_last_resort_uses the {Kyber id, signed pre-key id, base key} each
// last-resort key was used with, so that a replayed first message is refused
// as libsignal refuses it.
#pragma once

#include <hush/client/store/local_store.hpp>
#include <hush/signal/stores.hpp>

#include <cstdint>
#include <vector>

namespace hush::client::store {

/// A Kyber pre-key's id and creation time, for numbering and rotation.
struct KyberPreKeyInfo {
  signal::KyberPreKeyId id;
  std::uint64_t created_ms = 0;
};

class SqliteKyberPreKeyStore final : public signal::KyberPreKeyStore {
 public:
  explicit SqliteKyberPreKeyStore(LocalStore& store) noexcept : store_(store) {}
  /// not_found when there is no such Kyber pre-key; bad_mac when its cell was
  /// tampered with (or moved from another row); the record's own errors.
  Result<signal::KyberPreKeyRecord> load_kyber_pre_key(signal::KyberPreKeyId id) override;
  /// Inserts or replaces the record with its id.
  Status store_kyber_pre_key(const signal::KyberPreKeyRecord& record) override;
  /// One-time: deleted. Last-resort: kept, and {id, signed pre-key id, base
  /// key} recorded; the same triple a second time is duplicate_message.
  /// not_found when there is no such key.
  Status mark_kyber_pre_key_used(signal::KyberPreKeyId id, signal::SignedPreKeyId signed_pre_key_id,
                                 const crypto::PublicKey& base_key) override;

  /// Deletes a Kyber pre-key of either kind and the uses recorded for it.
  [[nodiscard]] Status remove_kyber_pre_key(signal::KyberPreKeyId id);
  /// How many one-time Kyber pre-keys are held (the last-resort ones not counted).
  Result<std::size_t> one_time_count();
  /// Every one-time id held, ascending.
  Result<std::vector<std::uint32_t>> one_time_ids();
  /// The highest id held of either kind, or 0 (to continue numbering).
  Result<std::uint32_t> max_id();
  /// Every last-resort key held, oldest first (the newest is the published one).
  Result<std::vector<KyberPreKeyInfo>> last_resort_keys();

 private:
  LocalStore& store_;
};

/// Creates the tables above (idempotent; run when a store opens, so stores
/// made before issue #15 gain them).
[[nodiscard]] Status ensure_kyber_pre_key_tables(LocalStore& store);

}  // namespace hush::client::store
