// SqlStore<Db>: the one implementation of Store, written once over a small
// connection concept that both backends provide (SqliteDb, PgConn): cached
// statements with '?' parameters, typed binds and columns, begin/commit and
// a few dialect statements (row locks, SKIP LOCKED). The conformance suite
// runs against both instantiations. Member definitions live in
// sql_accounts.hpp, sql_keys.hpp and sql_mailbox.hpp.
#pragma once

#include "storage/async_writes.hpp"
#include "storage/group_commit.hpp"
#include "storage/mailbox_writer.hpp"
#include "storage/migrations.hpp"
#include "storage/pool.hpp"
#include "storage/store.hpp"

#include <functional>
#include <memory>
#include <string_view>

namespace hush::server::storage {

template <class Db>
class SqlStore final : public Store {
 public:
  using Connect = std::function<Result<std::unique_ptr<Db>>()>;

  /// Opens pool_size + 1 connections (one is the group-commit writer's) and
  /// migrates. unavailable, storage_failure.
  static Result<std::unique_ptr<Store>> open(const Connect& connect, const StoreOptions& options);
  ~SqlStore() override;

  [[nodiscard]] std::string_view backend() const noexcept override { return Db::kBackend; }
  Result<int> schema_version() override;
  Result<SecretBytes<32>> shared_secret(std::string_view name, const SecretBytes<32>& candidate) override;
  Status record_challenge_use(ByteView nonce, Timestamp expires_at) override;

  Status create_account(const NewAccount& account) override;
  Result<AccountRecord> get_account(const AccountId& id) override;
  Result<AccountRecord> find_account(std::string_view username_lower) override;
  Result<std::vector<DeviceRecord>> list_devices(const AccountId& id) override;
  Result<DeviceCredential> get_credential(const DeviceAddress& device) override;
  Status remove_device(const DeviceAddress& device) override;
  Result<RecoveredAccount> recover_account(std::string_view username_lower, const SecretHash& recovery_hash,
                                           const SecretHash& new_recovery_hash, const NewDevice& device) override;
  Status create_link_token(const AccountId& account, const SecretHash& token_hash, Timestamp expires_at) override;
  Result<DeviceAddress> add_device_with_link_token(const SecretHash& token_hash, Timestamp now, const NewDevice& device,
                                                   std::size_t max_devices) override;

  Status set_device_keys(const DeviceAddress& device, const crypto::PublicKey& identity_key,
                         const SignedPreKeyRecord& signed_pre_key) override;
  Status set_signed_pre_key(const DeviceAddress& device, const SignedPreKeyRecord& signed_pre_key) override;
  Status add_one_time_pre_keys(const DeviceAddress& device, std::span<const OneTimePreKeyRecord> keys,
                               std::size_t max_held) override;
  Result<std::size_t> count_one_time_pre_keys(const DeviceAddress& device) override;
  Result<std::vector<std::uint32_t>> one_time_pre_key_ids(const DeviceAddress& device) override;
  Status upload_keys(const DeviceAddress& device, const KeyBatch& batch, std::size_t max_one_time,
                     std::size_t max_kyber) override;
  Result<std::size_t> count_kyber_pre_keys(const DeviceAddress& device) override;
  Result<std::vector<std::uint32_t>> kyber_pre_key_ids(const DeviceAddress& device) override;
  Result<std::vector<PreKeyBundle>> take_bundles(const AccountId& account, std::optional<DeviceId> only,
                                                 std::span<const DeviceId> no_one_time = {}) override;

  Result<StoreReceipt> store_message(const NewMessage& message, std::size_t queue_cap,
                                     std::vector<DeviceMismatch>& mismatches) override;
  void store_message_async(NewMessage message, std::size_t queue_cap, StoreMessageDone done) override;
  Result<std::vector<QueuedMessage>> pending(const DeviceAddress& device, Seq after, std::size_t limit) override;
  Status ack(const DeviceAddress& device, Seq seq) override;
  void ack_async(const DeviceAddress& device, Seq seq, AckDone done) override;
  Result<std::size_t> queue_depth(const DeviceAddress& device) override;
  Result<std::size_t> expire(Timestamp cutoff, Timestamp now) override;

 private:
  SqlStore(std::unique_ptr<Db> writer, std::size_t max_batch);
  static Status migrate(Db& db);

  // Helpers shared by the definitions (each runs inside the caller's transaction).
  static Result<bool> device_exists(Db& db, const DeviceAddress& device, bool lock);
  static Status delete_queue_rows(Db& db, const DeviceAddress& device, std::int64_t before_ms, std::size_t& deleted);
  static Status delete_device_rows(Db& db, const DeviceAddress& device);
  static Status insert_next_device(Db& db, const AccountId& account, std::int64_t next_id, const NewDevice& device);
  static Status drop_body_if_unreferenced(Db& db, std::int64_t body_id);
  static Status set_signed_pre_key_in(Db& db, const DeviceAddress& device, const SignedPreKeyRecord& spk);
  /// The two tables of one-time keys a bundle fetch takes from.
  enum class OneTimeTable { ec, kyber };
  /// Keys the device holds in `table`, and their ids (ascending).
  static Result<std::size_t> count_in(Db& db, OneTimeTable table, const DeviceAddress& device);
  Result<std::size_t> count_keys(OneTimeTable table, const DeviceAddress& device);
  Result<std::vector<std::uint32_t>> key_ids(OneTimeTable table, const DeviceAddress& device);
  static Status set_identity_key_in(Db& db, const AccountId& account, const crypto::PublicKey& identity_key);
  static Status add_one_time_pre_keys_in(Db& db, const DeviceAddress& device,
                                         std::span<const OneTimePreKeyRecord> keys);
  static Status set_last_resort_kyber_in(Db& db, const DeviceAddress& device, const KyberPreKeyRecord& key);
  static Status add_kyber_pre_keys_in(Db& db, const DeviceAddress& device, std::span<const KyberPreKeyRecord> keys);
  /// Takes one one-time Kyber pre-key of the device (when `one_time`),
  /// else reads its last-resort one, into `bundle`. Inside take_bundles'
  /// transaction.
  static Status take_kyber_in(Db& db, const AccountId& account, PreKeyBundle& bundle, bool one_time);
  /// A new device's keys: identity key (first or same), signed pre-key,
  /// one-time pre-keys, Kyber pre-keys.
  static Status store_device_keys(Db& db, const DeviceAddress& device, const DeviceKeys& keys);
  /// Runs `fn` on the writer connection inside a group-commit batch (see
  /// OtherWrite): how device and queue changes stay serialized with sends.
  Status run_on_writer(typename OtherWrite<Db>::Fn fn);

  std::unique_ptr<Db> writer_db_;
  Pool<Db> pool_;
  std::unique_ptr<MailboxWriter<Db>> mailbox_writer_;
  std::unique_ptr<GroupCommit> group_commit_;
};

/// A transaction on a pooled connection; rolls back unless committed.
template <class Db>
class SqlTransaction {
 public:
  explicit SqlTransaction(Db& db) noexcept : db_(db) {}
  SqlTransaction(const SqlTransaction&) = delete;
  SqlTransaction& operator=(const SqlTransaction&) = delete;
  ~SqlTransaction() {
    if (open_) db_.rollback();
  }
  Status begin() {
    HUSH_TRY(db_.begin());
    open_ = true;
    return ok();
  }
  Status commit() {
    open_ = false;
    return db_.commit();
  }

 private:
  Db& db_;
  bool open_ = false;
};

namespace sql {

inline ByteView view(const AccountId& id) noexcept { return id.bytes; }
inline std::int64_t i64(DeviceId d) noexcept { return static_cast<std::int64_t>(raw(d)); }

/// A stored public key; a malformed one means the database was tampered with.
inline Result<crypto::PublicKey> read_public_key(ByteView bytes) {
  auto key = crypto::PublicKey::deserialize(bytes);
  if (!key) return make_error(Errc::storage_failure, "stored public key is malformed");
  return *key;
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> read_array(ByteView bytes) {
  if (bytes.size() != N) return make_error(Errc::storage_failure, "stored value has the wrong size");
  std::array<std::uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

}  // namespace sql
}  // namespace hush::server::storage

#include "storage/sql_accounts.hpp"
#include "storage/sql_keys.hpp"
#include "storage/sql_mailbox.hpp"
