// The bulk statements of the mailbox writer: each call writes or deletes a
// whole batch's rows of one kind. Declared once, implemented per backend:
// SQLite reuses one cached prepared statement per kind (no round trips to
// save in-process), PostgreSQL sends one statement per call with array
// parameters (`unnest`), so a batch costs a fixed number of round trips.
// All run inside the writer's transaction.
#pragma once

#include "storage/types.hpp"

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace hush::server::storage {

class SqliteDb;
class PgConn;

struct BodyRow {
  std::int64_t id = 0;  ///< assigned by the writer
  ByteView content;     ///< points into the waiting caller's NewMessage
};

struct QueueRow {
  DeviceAddress recipient;
  std::int64_t seq = 0;
  std::int64_t body_id = 0;
  DeviceAddress sender;
  const MessageId* message_id = nullptr;
  std::int64_t type = 0;
  std::int64_t server_time = 0;
};

/// (sender account, sender device, message_id): the idempotency key.
struct SentKey {
  DeviceAddress sender;
  MessageId message_id{};
  friend bool operator==(const SentKey&, const SentKey&) = default;
  friend auto operator<=>(const SentKey&, const SentKey&) = default;
};

struct SentRow {
  SentKey key;
  std::int64_t server_time = 0;
};

/// A device's counters after the batch: its next seq and how much its
/// queue_depth changed (relative, so the statement never needs a read).
struct DeviceCounters {
  DeviceAddress device;
  std::int64_t next_seq = 0;
  std::int64_t depth_delta = 0;
};

struct QueueKey {
  DeviceAddress device;
  std::int64_t seq = 0;
  friend bool operator==(const QueueKey&, const QueueKey&) = default;
  friend auto operator<=>(const QueueKey&, const QueueKey&) = default;
};

struct DeletedRow {
  QueueKey key;
  std::int64_t body_id = 0;
};

/// A device row as a send is checked against it, read (and, on PostgreSQL,
/// locked) inside the writer's transaction.
struct DeviceState {
  DeviceAddress device;
  std::int64_t registration_id = 0;
  std::int64_t next_seq = 0;
  std::int64_t queue_depth = 0;
};

/// One (recipient device, sender account) pair whose queued rows a send
/// must count for the sender's share of that device's queue.
struct ShareKey {
  DeviceAddress recipient;
  AccountId sender;
  friend bool operator==(const ShareKey&, const ShareKey&) = default;
  friend auto operator<=>(const ShareKey&, const ShareKey&) = default;
};

// Each returns storage_failure (or conflict/unavailable) when a statement fails.
Status insert_bodies(SqliteDb& db, std::span<const BodyRow> rows);
Status insert_queue_rows(SqliteDb& db, std::span<const QueueRow> rows);
Status insert_sent(SqliteDb& db, std::span<const SentRow> rows);
Status update_device_counters(SqliteDb& db, std::span<const DeviceCounters> rows);
/// Appends the stored send times of the keys that exist to `found`.
Status find_sent(SqliteDb& db, std::span<const SentKey> keys, std::vector<SentRow>& found);
/// Deletes the named rows that exist; appends them (with their body) to `deleted`.
Status delete_queue_rows(SqliteDb& db, std::span<const QueueKey> keys, std::vector<DeletedRow>& deleted);
/// Deletes those of `body_ids` no queue row references any more.
Status delete_unreferenced_bodies(SqliteDb& db, std::span<const std::int64_t> body_ids);
/// The largest body id in use (0 when none).
Result<std::int64_t> max_body_id(SqliteDb& db);
/// Sets counts[i] to the rows sender keys[i].sender has queued for
/// keys[i].recipient, counting no further than `limit` (a bounded index
/// scan, index queue_by_sender).
Status count_sender_rows(SqliteDb& db, std::span<const ShareKey> keys, std::int64_t limit,
                         std::vector<std::int64_t>& counts);

Status insert_bodies(PgConn& db, std::span<const BodyRow> rows);
Status insert_queue_rows(PgConn& db, std::span<const QueueRow> rows);
Status insert_sent(PgConn& db, std::span<const SentRow> rows);
Status update_device_counters(PgConn& db, std::span<const DeviceCounters> rows);
Status find_sent(PgConn& db, std::span<const SentKey> keys, std::vector<SentRow>& found);
Status delete_queue_rows(PgConn& db, std::span<const QueueKey> keys, std::vector<DeletedRow>& deleted);
Status delete_unreferenced_bodies(PgConn& db, std::span<const std::int64_t> body_ids);
// Several hushd nodes write one PostgreSQL database (issue #17), so what the
// SQLite writer keeps in memory comes from the database here:
/// Appends `n` fresh body ids from the `body_ids` sequence (one statement).
Status reserve_body_ids(PgConn& db, std::size_t n, std::vector<std::int64_t>& ids);
/// Appends the devices of `accounts` (sorted, distinct) and locks their rows
/// FOR NO KEY UPDATE in (account, device) order, so two writers never deadlock on
/// them and a device's seq and depth cannot change until we commit.
Status lock_devices(PgConn& db, std::span<const AccountId> accounts, std::vector<DeviceState>& out);
Status count_sender_rows(PgConn& db, std::span<const ShareKey> keys, std::int64_t limit,
                         std::vector<std::int64_t>& counts);

}  // namespace hush::server::storage
