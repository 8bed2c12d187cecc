// Mailboxes: a send carries one ciphertext per device of the recipient
// account; it is refused whole when the sender's device list is stale, made
// idempotent by (sender, message id), capped per queue, stored durably and
// only then announced to the DeliveryListener. Devices read their own queue
// in seq order and acknowledge (delete) their own rows. Bodies are opaque.
#pragma once

#include "service/clock.hpp"
#include "service/delivery_listener.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <cstddef>
#include <vector>

namespace hush::server {

/// 30 days: long enough for a phone left off over a holiday, short enough
/// that the server does not become an archive.
inline constexpr std::chrono::hours kDefaultRetention{24 * 30};
/// 10,000 rows per device: weeks of heavy chat; beyond that the device is
/// gone and the sender should learn it (quota_exceeded) rather than fill disk.
inline constexpr std::size_t kDefaultQueueCap = 10'000;
/// One ciphertext at most 256 KiB: far above any text message (attachments
/// travel separately, encrypted, as blobs); bounds one send's memory.
inline constexpr std::size_t kMaxBodySize = 256 * 1024;
/// A send names each recipient device once; an account has at most
/// kMaxDevicesPerAccount, so more copies than that can only be wrong.
inline constexpr std::size_t kMaxDevicesPerSend = 6;
/// A page of pending messages: at most 100 per call, bounding one response.
inline constexpr std::size_t kMaxPendingPage = 100;

struct MessageServiceConfig {
  std::chrono::milliseconds retention = kDefaultRetention;
  std::size_t queue_cap = kDefaultQueueCap;
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
};

/// What the sender is told: accepted at server_time (the original time when
/// this was a retry, duplicate=true).
struct SendReceipt {
  Timestamp server_time{};
  bool duplicate = false;
};

class MessageService {
 public:
  MessageService(storage::Store& store, const Clock& clock, DeliveryListener& listener,
                 MessageServiceConfig config = {}) noexcept
      : store_(store), clock_(clock), listener_(listener), config_(config) {}

  /// Stores a send durably, then notifies the listener per recipient device.
  /// invalid_argument: no copies, a device named twice, a zero type.
  /// bad_length: an empty or oversized body. not_found: no such recipient
  /// account. stale_devices: the copies do not match the recipient's devices
  /// (missing, extra, or registration id changed); `mismatch` says which.
  /// quota_exceeded: a recipient queue is full. storage_failure, unavailable.
  /// A retry with the same (sender, message_id) returns the first receipt.
  Result<SendReceipt> send(const SendRequest& request, DeviceMismatch& mismatch);

  /// Up to `limit` (≤ kMaxPendingPage) queued messages of the device with
  /// seq > `after`, in seq order. storage_failure.
  Result<std::vector<QueuedMessage>> pending(const DeviceAddress& device, Seq after = Seq{0},
                                             std::size_t limit = kMaxPendingPage);

  /// Deletes a delivered row from the device's own queue. A device can only
  /// name its own rows: another device's seq is not_found and nothing
  /// changes. storage_failure.
  Status ack(const DeviceAddress& device, Seq seq);

  /// Rows waiting for the device (metrics). storage_failure.
  Result<std::size_t> queue_depth(const DeviceAddress& device);

  /// Deletes rows older than the retention; run periodically. Returns how
  /// many were deleted. storage_failure.
  Result<std::size_t> sweep_expired();

 private:
  storage::Store& store_;
  const Clock& clock_;
  DeliveryListener& listener_;
  MessageServiceConfig config_;
};

}  // namespace hush::server
