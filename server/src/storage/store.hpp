// The Store: everything hushd persists, behind one interface with two
// backends (SQLite, PostgreSQL) chosen by URL. Calls block and are
// thread-safe; callers run them off the I/O threads. Every call is one
// transaction: it either fully happens or changes nothing. The Store keeps
// data consistent (uniqueness, exactly-once, atomic device checks); limits
// and validation are the service layer's (limits arrive as parameters).
#pragma once

#include "storage/types.hpp"

#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace hush::server::storage {

/// Completion of Store::store_message_async: the receipt or error, the
/// mismatches of a stale_devices refusal, and the message itself (the caller
/// may build pushes from it). Runs on the writer thread: must not block.
using StoreMessageDone =
    std::function<void(Result<StoreReceipt> receipt, std::vector<DeviceMismatch>& mismatches, NewMessage& message)>;
/// Completion of Store::ack_async; same rules.
using AckDone = std::function<void(Status status)>;

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// "sqlite" or "postgresql" (for logs and metrics labels).
  [[nodiscard]] virtual std::string_view backend() const noexcept = 0;
  /// The highest migration applied (the schema version).
  [[nodiscard]] virtual Result<int> schema_version() = 0;
  /// The 32-byte key stored under `name`, storing `candidate` first when
  /// there is none: every hushd node of one database gets the same key (the
  /// first to ask wins). For keys whose holder may run on any node (the
  /// registration challenges' HMAC key). storage_failure.
  virtual Result<SecretBytes<32>> shared_secret(std::string_view name, const SecretBytes<32>& candidate) = 0;
  /// Records that the registration challenge with `nonce` was used; kept
  /// until `expires_at` (then expire() drops it). conflict: already used
  /// (on any node of this database). storage_failure.
  virtual Status record_challenge_use(ByteView nonce, Timestamp expires_at) = 0;

  // ---- accounts and devices ------------------------------------------------

  /// Creates the account and its device 1 atomically, with the device's keys
  /// when `first_device.keys` is set (identity key, signed pre-key, one-time
  /// pre-keys: all or nothing). conflict: the username (or, improbably, the
  /// id) is taken. storage_failure.
  virtual Status create_account(const NewAccount& account) = 0;
  /// not_found: no such account. storage_failure.
  virtual Result<AccountRecord> get_account(const AccountId& id) = 0;
  /// Looks up by lower-cased username. not_found, storage_failure.
  virtual Result<AccountRecord> find_account(std::string_view username_lower) = 0;
  /// The account's devices, ascending by id. not_found: no such account. storage_failure.
  virtual Result<std::vector<DeviceRecord>> list_devices(const AccountId& id) = 0;
  /// The stored credential hash of a device. not_found: no such device. storage_failure.
  virtual Result<DeviceCredential> get_credential(const DeviceAddress& device) = 0;
  /// Removes a device with its credential, keys (Kyber ones too) and queue (bodies no longer
  /// referenced go too), in one transaction. not_found, storage_failure.
  virtual Status remove_device(const DeviceAddress& device) = 0;

  /// Account recovery: if the account named `username_lower` holds
  /// `recovery_hash`, in one transaction removes every device of it (with
  /// credentials, keys, queues and link tokens), clears its identity key,
  /// adds one device (the next never-used id) with `device.keys` (the new
  /// identity key becomes the account's) and replaces the recovery hash by
  /// `new_recovery_hash` (a code works once). not_found: no such account,
  /// or it holds another hash or none (indistinguishable). storage_failure.
  /// Nothing changes on any failure.
  virtual Result<RecoveredAccount> recover_account(std::string_view username_lower, const SecretHash& recovery_hash,
                                                   const SecretHash& new_recovery_hash, const NewDevice& device) = 0;

  /// Records a one-time link token (only its hash) for adding a device to
  /// `account` until `expires_at`. conflict: hash already exists. not_found: no
  /// such account. storage_failure.
  virtual Status create_link_token(const AccountId& account, const SecretHash& token_hash, Timestamp expires_at) = 0;
  /// Consumes the link token and adds a device to its account in one
  /// transaction, with the device's keys when `device.keys` is set; the new
  /// device gets the next never-used id. not_found: unknown, used or expired
  /// (expires_at <= now) token (it stays unusable). quota_exceeded: the
  /// account already has `max_devices`. conflict: `device.keys` brings an
  /// identity key other than the account's. On quota_exceeded, conflict and
  /// storage_failure nothing changes: the token stays usable.
  virtual Result<DeviceAddress> add_device_with_link_token(const SecretHash& token_hash, Timestamp now,
                                                           const NewDevice& device, std::size_t max_devices) = 0;

  // ---- keys ------------------------------------------------------------------

  /// Sets the account identity key (first upload) and the device's signed
  /// pre-key. conflict: the account already has a different identity key.
  /// not_found: no such device. storage_failure. The caller verified the signature.
  virtual Status set_device_keys(const DeviceAddress& device, const crypto::PublicKey& identity_key,
                                 const SignedPreKeyRecord& signed_pre_key) = 0;
  /// Replaces the device's signed pre-key (rotation). not_found, storage_failure.
  virtual Status set_signed_pre_key(const DeviceAddress& device, const SignedPreKeyRecord& signed_pre_key) = 0;
  /// Adds one-time pre-keys; a key whose id the device already holds is
  /// replaced. quota_exceeded: the device would hold more than `max_held`
  /// (nothing added). not_found: no such device. storage_failure.
  virtual Status add_one_time_pre_keys(const DeviceAddress& device, std::span<const OneTimePreKeyRecord> keys,
                                       std::size_t max_held) = 0;
  /// How many one-time pre-keys the device holds. not_found, storage_failure.
  virtual Result<std::size_t> count_one_time_pre_keys(const DeviceAddress& device) = 0;
  /// The ids of the one-time pre-keys the device still holds (not handed
  /// out), ascending. not_found: no such device. storage_failure.
  virtual Result<std::vector<std::uint32_t>> one_time_pre_key_ids(const DeviceAddress& device) = 0;
  /// Stores one upload in one transaction: the identity key (when set: first
  /// or same), the signed pre-key, the one-time pre-keys, the last-resort
  /// Kyber pre-key (replaced) and the one-time Kyber pre-keys (a held id is
  /// replaced). conflict: the account has another identity key.
  /// quota_exceeded: the device would hold more than `max_one_time` EC or
  /// `max_kyber` Kyber one-time pre-keys. not_found: no such device.
  /// storage_failure. Nothing changes on failure. The caller checked every
  /// key and signature.
  virtual Status upload_keys(const DeviceAddress& device, const KeyBatch& batch, std::size_t max_one_time,
                             std::size_t max_kyber) = 0;
  /// How many one-time Kyber pre-keys the device holds (the last-resort one
  /// is not counted). not_found, storage_failure.
  virtual Result<std::size_t> count_kyber_pre_keys(const DeviceAddress& device) = 0;
  /// The ids of the one-time Kyber pre-keys the device still holds,
  /// ascending. not_found: no such device. storage_failure.
  virtual Result<std::vector<std::uint32_t>> kyber_pre_key_ids(const DeviceAddress& device) = 0;
  /// Bundles for `only` or for every device of the account that has uploaded
  /// keys, each taking (deleting) at most one one-time pre-key and, in the
  /// same transaction, at most one one-time Kyber pre-key, each exactly once
  /// even under concurrent callers; a bundle without a one-time Kyber
  /// pre-key carries the device's last-resort one (if it has one). not_found:
  /// no such account, or `only` names a device that does not exist or has
  /// no keys. storage_failure. The devices in `no_one_time` get their bundle
  /// without a one-time pre-key of either kind (none is taken; the Kyber key
  /// is the last-resort one). A bundle that took a one-time key of either
  /// kind says how many of each are left.
  virtual Result<std::vector<PreKeyBundle>> take_bundles(const AccountId& account, std::optional<DeviceId> only,
                                                         std::span<const DeviceId> no_one_time = {}) = 0;

  // ---- mailboxes -------------------------------------------------------------

  /// Stores a send durably (group commit) and returns once it is committed.
  /// A send names devices of one account (a 1:1 send) or of many (a group
  /// fan-out); each distinct body is stored once, whatever the number of
  /// queue rows referencing it. In the transaction: a send already stored
  /// under (sender, message_id) returns the original receipt with
  /// duplicate=true and stores nothing; else the deliveries are compared with
  /// each recipient account's current devices (the sender's own device is
  /// never expected) and any difference fails with stale_devices, with one
  /// entry in `mismatches` per account that differs (ascending by account);
  /// then each copy needs room: its device's queue below `queue_cap` rows
  /// and, for another account's device, fewer than `message.sender_share`
  /// rows of the sender's account in that queue (counted in SQL). Without
  /// `message.partial` one copy without room fails the send with
  /// quota_exceeded (context kShareFullContext when a share was the
  /// reason); with it the others are stored and the refused ones listed in
  /// the receipt (all refused: nothing stored, no idempotency record).
  /// not_found: a recipient account does not exist. invalid_argument: a
  /// device named twice, a body index out of range. storage_failure.
  /// Nothing is stored on any failure.
  virtual Result<StoreReceipt> store_message(const NewMessage& message, std::size_t queue_cap,
                                             std::vector<DeviceMismatch>& mismatches) = 0;
  /// store_message without blocking the caller: `done` runs once the send is
  /// committed (or refused), on the group-commit writer thread (so no thread
  /// waits per request). Same checks and errors as store_message. The
  /// default runs store_message and then `done` on the calling thread.
  virtual void store_message_async(NewMessage message, std::size_t queue_cap, StoreMessageDone done);
  /// Up to `limit` queued messages of the device with seq > `after`, ascending.
  /// storage_failure. (An unknown device has an empty queue.)
  virtual Result<std::vector<QueuedMessage>> pending(const DeviceAddress& device, Seq after, std::size_t limit) = 0;
  /// Deletes one row of this device's own queue (durably, group commit); its
  /// body goes when unreferenced. A device can only ever name its own rows.
  /// not_found: no such row in this device's queue. storage_failure.
  virtual Status ack(const DeviceAddress& device, Seq seq) = 0;
  /// ack without blocking the caller; `done` as for store_message_async.
  virtual void ack_async(const DeviceAddress& device, Seq seq, AckDone done);
  /// Rows in the device's queue. storage_failure.
  virtual Result<std::size_t> queue_depth(const DeviceAddress& device) = 0;
  /// Deletes queue rows stored before `cutoff` (with their unreferenced bodies),
  /// idempotency records older than `cutoff`, and link tokens and used
  /// registration challenges expired at `now`.
  /// Returns the number of queue rows deleted. storage_failure.
  virtual Result<std::size_t> expire(Timestamp cutoff, Timestamp now) = 0;
};

/// Tuning for open_store; the defaults suit a 2-core server.
struct StoreOptions {
  /// Connections for reads and non-mailbox writes (a small pool: SQLite has
  /// one writer anyway and PostgreSQL connections cost a process each).
  std::size_t pool_size = 4;
  /// Most sends/acks one group commit takes; bounds one transaction's latency.
  std::size_t max_batch = 256;
};

/// Opens `sqlite:PATH` (the file is created if absent) or `postgresql://...`
/// / `postgres://...` (a libpq URI), then applies pending migrations in one
/// transaction. invalid_argument: unknown scheme or empty path.
/// unavailable: cannot connect or open. storage_failure: a migration failed
/// (nothing applied), or the database is newer than this binary.
Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options = {});

}  // namespace hush::server::storage
