// Mailboxes: a send carries one ciphertext per device of the recipient
// account, a fan-out one body for the devices of many accounts; either is
// refused whole when the sender's device list is stale, made
// idempotent by (sender, message id), capped per queue and per sender's
// share of a queue (a client that can show refused copies gets the others
// stored and the refused ones listed), stored durably and
// only then announced to the DeliveryListener. Devices read their own queue
// in seq order and acknowledge (delete) their own rows. Bodies are opaque.
#pragma once

#include "service/abuse_metrics.hpp"
#include "service/clock.hpp"
#include "service/delivery_listener.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <span>
#include <utility>
#include <vector>

namespace hush::server {

/// 30 days: long enough for a phone left off over a holiday, short enough
/// that the server does not become an archive.
inline constexpr std::chrono::hours kDefaultRetention{24 * 30};
/// 10,000 rows per device: weeks of heavy chat; beyond that the device is
/// gone and the sender should learn it (quota_exceeded) rather than fill disk.
inline constexpr std::size_t kDefaultQueueCap = 10'000;
/// 1,000 rows of one sender account per device queue of another account (a
/// tenth of kDefaultQueueCap): a friend can still leave days of heavy chat
/// for a device that is off, while one hostile account can fill at most a
/// tenth of a mailbox, so every other sender still gets through (issue #13).
inline constexpr std::size_t kDefaultSenderShare = 1'000;
/// One ciphertext at most 256 KiB: far above any text message (attachments
/// travel separately, encrypted, as blobs); bounds one send's memory.
inline constexpr std::size_t kMaxBodySize = 256 * 1024;
/// A send names each recipient device once; an account has at most
/// kMaxDevicesPerAccount, so more copies than that can only be wrong.
inline constexpr std::size_t kMaxDevicesPerSend = 6;
/// A page of pending messages: at most 100 per call, bounding one response.
inline constexpr std::size_t kMaxPendingPage = 100;
/// A fan-out (group message) reaches at most 5,000 devices: a group of 1,000
/// members with five devices each. It bounds one send's transaction (5,000
/// queue rows, a few milliseconds) and its recipient list (about 33 bytes per
/// device on the wire, so ~170 KB beside a body of up to kMaxBodySize).
inline constexpr std::size_t kMaxFanOutDevices = 5'000;
/// Recipient accounts named by one fan-out: each brings at least one device
/// (or is the sender's own, named empty), so no more than the device bound.
inline constexpr std::size_t kMaxFanOutAccounts = kMaxFanOutDevices;

struct MessageServiceConfig {
  std::chrono::milliseconds retention = kDefaultRetention;
  std::size_t queue_cap = kDefaultQueueCap;
  /// Most rows one sender account may hold in one device queue of another
  /// account; 0 turns the share off (only queue_cap applies).
  std::size_t sender_share = kDefaultSenderShare;
};

/// One recipient device's ciphertext as it arrives from a client.
struct OutgoingCopy {
  DeviceId device{};
  RegistrationId registration_id{};
  std::uint32_t type = 0;  ///< Signal envelope type; must be non-zero
  Bytes body;              ///< 1..kMaxBodySize bytes
};

/// A send to one account (all its devices but the sender's own).
struct SendRequest {
  DeviceAddress sender;   ///< the authenticated sending device
  AccountId recipient;
  MessageId message_id{};
  std::vector<OutgoingCopy> copies;
  /// The client shows refused copies: store the others (see SendReceipt).
  bool partial = false;
  /// Issue #16, one request per send: the copies for the sender's own other
  /// devices, queued under `sync_message_id` in the same transaction. With
  /// the id set the sender's own account must be exact too (no copies: it
  /// says it has no other device).
  std::vector<OutgoingCopy> sync_copies{};
  std::optional<MessageId> sync_message_id{};
  /// The recipient's username as the sender's directory has it; another one
  /// (the name moved) refuses the send with not_found. nullopt: not checked.
  std::optional<std::string> expected_username{};
};

/// One recipient account of a fan-out: every one of its current devices
/// (never the sending device itself) with the registration id the sender
/// believes it has.
struct FanOutAccount {
  AccountId account;
  std::vector<std::pair<DeviceId, RegistrationId>> devices;
};

/// One body for many devices of many accounts (a group message encrypted
/// once with a Sender Key): stored once, queued for every device.
struct MultiSendRequest {
  DeviceAddress sender;  ///< the authenticated sending device
  MessageId message_id{};
  std::uint32_t type = 0;  ///< opaque to the server; must be non-zero
  Bytes body;              ///< 1..kMaxBodySize bytes
  std::vector<FanOutAccount> recipients;
  /// The client shows refused copies: store the others (see SendReceipt).
  bool partial = false;
};

/// What the sender is told: accepted at server_time (the original time when
/// this was a retry, duplicate=true).
struct SendReceipt {
  Timestamp server_time{};
  bool duplicate = false;
  /// A partial send's copies not queued for lack of room (the device's
  /// queue is full, or the sender holds its share of it); the rest were
  /// stored. Every copy refused: nothing was stored.
  std::vector<RefusedDelivery> refused;
};

/// What an asynchronous send tells its completion beside the receipt.
struct SendDetails {
  /// stale_devices: one entry per recipient account that differs.
  std::vector<DeviceMismatch>& mismatches;
  /// The message as stored (bodies, deliveries, server time); empty when the
  /// request was refused before reaching the Store.
  const NewMessage& message;
  /// Queue rows created (none for a duplicate or a failure). With
  /// Announce::caller the listener was not told about them: the caller hands
  /// them on (api builds the pushed frames for net).
  std::span<const std::pair<DeviceAddress, Seq>> queued;
};
/// Runs once, on the group-commit writer thread (or on the calling thread
/// when the request is refused before storage); must not block.
using SendDone = std::function<void(Result<SendReceipt> receipt, const SendDetails& details)>;
using AckDone = storage::AckDone;

/// Who announces the rows of an asynchronous send.
enum class Announce : std::uint8_t {
  listener,  ///< the DeliveryListener, as the blocking calls do
  caller,    ///< nobody: the completion gets `queued` and must hand them on
};

class MessageService {
 public:
  /// `metrics`, when given, counts copies refused by the sender share.
  MessageService(storage::Store& store, const Clock& clock, DeliveryListener& listener,
                 MessageServiceConfig config = {}, AbuseMetrics* metrics = nullptr) noexcept
      : store_(store), clock_(clock), listener_(listener), config_(config), metrics_(metrics) {}

  /// Stores a send durably, then notifies the listener per recipient device.
  /// invalid_argument: no copies, a device named twice, a zero type.
  /// bad_length: an empty or oversized body. not_found: no such recipient
  /// account. stale_devices: the copies do not match the recipient's devices
  /// (missing, extra, or registration id changed); `mismatch` says which.
  /// quota_exceeded: a recipient queue is full or the sender holds its
  /// share of it (request.partial: those copies are listed in the receipt's
  /// `refused` instead, the others stored). storage_failure, unavailable.
  /// A retry with the same (sender, message_id) returns the first receipt.
  /// With sync copies (request.sync_message_id) the sender's own account is
  /// checked as well and `mismatches` gets one entry per account that
  /// differs; not_found also when expected_username is not the recipient's.
  Result<SendReceipt> send(const SendRequest& request, std::vector<DeviceMismatch>& mismatches);
  /// send() with the recipient's mismatch only (a send without sync copies).
  Result<SendReceipt> send(const SendRequest& request, DeviceMismatch& mismatch);

  /// Stores one body for every named device of every recipient account
  /// durably (the body once, a queue row per device), then notifies the
  /// listener per device. The device set of every account must be exact,
  /// as for send(); the sender may name its own account (its other devices).
  /// invalid_argument: no recipient, no device at all, an account named
  /// twice, a device named twice, more than kMaxFanOutDevices devices or
  /// kMaxFanOutAccounts accounts, a zero type. bad_length: an empty or
  /// oversized body. not_found: a recipient account does not exist.
  /// stale_devices: one entry in `mismatches` per account whose devices
  /// differ (ascending by account); nothing stored. quota_exceeded: some
  /// recipient device's queue is full or holds the sender's share; nothing
  /// stored (request.partial: the send stores the copies that have room and
  /// lists the others in the receipt's `refused`). storage_failure, unavailable. A retry with the same
  /// (sender, message_id) returns the first receipt and stores nothing.
  Result<SendReceipt> send_multi(const MultiSendRequest& request, std::vector<DeviceMismatch>& mismatches);

  /// send() without blocking: the same checks, errors and durability;
  /// `done` runs after the commit (see SendDone). With Announce::caller the
  /// listener is not called; `mismatch` of send() is details.mismatches[0].
  void send_async(const SendRequest& request, Announce announce, SendDone done);

  /// send_multi() without blocking; as send_async.
  void send_multi_async(const MultiSendRequest& request, Announce announce, SendDone done);

  /// Up to `limit` (≤ kMaxPendingPage) queued messages of the device with
  /// seq > `after`, in seq order. storage_failure.
  Result<std::vector<QueuedMessage>> pending(const DeviceAddress& device, Seq after = Seq{0},
                                             std::size_t limit = kMaxPendingPage);

  /// Deletes a delivered row from the device's own queue. A device can only
  /// name its own rows: another device's seq is not_found and nothing
  /// changes. storage_failure.
  Status ack(const DeviceAddress& device, Seq seq);
  /// ack() without blocking: `done` runs after the commit, on the writer thread.
  void ack_async(const DeviceAddress& device, Seq seq, AckDone done);

  /// Rows waiting for the device (metrics). storage_failure.
  Result<std::size_t> queue_depth(const DeviceAddress& device);

  /// Deletes rows older than the retention; run periodically. Returns how
  /// many were deleted. storage_failure.
  Result<std::size_t> sweep_expired();

 private:
  /// Tells the listener about every queue row a (non-duplicate) send created.
  SendReceipt announce(const StoreReceipt& receipt) noexcept;
  /// Counts what the sender share refused (a receipt's copies, or a whole send).
  void count_refusals(const Result<StoreReceipt>& receipt) noexcept;
  /// The checked message of a 1:1 send / of a fan-out, ready for the Store.
  Result<NewMessage> build_send(const SendRequest& request) const;
  Result<NewMessage> build_multi(const MultiSendRequest& request) const;
  /// Hands a built message to the Store asynchronously.
  void store_async(Result<NewMessage> message, Announce announce, SendDone done);

  storage::Store& store_;
  const Clock& clock_;
  DeliveryListener& listener_;
  MessageServiceConfig config_;
  AbuseMetrics* metrics_;
};

}  // namespace hush::server
