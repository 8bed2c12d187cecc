// The mailbox writer's bulk statements on SQLite: one cached prepared
// statement per kind, bound and stepped once per row. SQLite runs in-process,
// so there is no round trip to save; what matters is not re-preparing and
// doing it all inside the one batch transaction.
#include "storage/mailbox_rows.hpp"

#include "storage/sqlite/sqlite_db.hpp"

namespace hush::server::storage {
namespace {

std::int64_t i64(DeviceId d) noexcept { return static_cast<std::int64_t>(raw(d)); }
ByteView view(const AccountId& a) noexcept { return a.bytes; }

}  // namespace

Status insert_bodies(SqliteDb& db, std::span<const BodyRow> rows) {
  for (const BodyRow& r : rows) {
    HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO bodies (id, content) VALUES (?, ?)"));
    q.bind(1, r.id).bind(2, r.content);
    HUSH_TRY(q.run());
  }
  return ok();
}

Status insert_queue_rows(SqliteDb& db, std::span<const QueueRow> rows) {
  for (const QueueRow& r : rows) {
    HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO queue (account_id, device_id, seq, body_id, sender_account, "
                                     "sender_device, message_id, type, server_time) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.bind(1, view(r.recipient.account))
        .bind(2, i64(r.recipient.device))
        .bind(3, r.seq)
        .bind(4, r.body_id)
        .bind(5, view(r.sender.account))
        .bind(6, i64(r.sender.device))
        .bind(7, ByteView(*r.message_id))
        .bind(8, r.type)
        .bind(9, r.server_time);
    HUSH_TRY(q.run());
  }
  return ok();
}

Status insert_sent(SqliteDb& db, std::span<const SentRow> rows) {
  for (const SentRow& r : rows) {
    HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO sent (sender_account, sender_device, message_id, server_time) "
                                     "VALUES (?, ?, ?, ?)"));
    q.bind(1, view(r.key.sender.account))
        .bind(2, i64(r.key.sender.device))
        .bind(3, ByteView(r.key.message_id))
        .bind(4, r.server_time);
    HUSH_TRY(q.run());
  }
  return ok();
}

Status update_device_counters(SqliteDb& db, std::span<const DeviceCounters> rows) {
  for (const DeviceCounters& r : rows) {
    HUSH_TRY_ASSIGN(auto q, db.query("UPDATE devices SET next_seq = ?, queue_depth = queue_depth + ? "
                                     "WHERE account_id = ? AND device_id = ?"));
    q.bind(1, r.next_seq).bind(2, r.depth_delta).bind(3, view(r.device.account)).bind(4, i64(r.device.device));
    HUSH_TRY(q.run());
    if (db.changes() != 1) return make_error(Errc::storage_failure, "device vanished during batch");
  }
  return ok();
}

Status find_sent(SqliteDb& db, std::span<const SentKey> keys, std::vector<SentRow>& found) {
  for (const SentKey& k : keys) {
    HUSH_TRY_ASSIGN(auto q, db.query("SELECT server_time FROM sent WHERE sender_account = ? AND sender_device = ? "
                                     "AND message_id = ?"));
    q.bind(1, view(k.sender.account)).bind(2, i64(k.sender.device)).bind(3, ByteView(k.message_id));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (row) found.push_back(SentRow{k, q.int64(0)});
  }
  return ok();
}

Status delete_queue_rows(SqliteDb& db, std::span<const QueueKey> keys, std::vector<DeletedRow>& deleted) {
  for (const QueueKey& k : keys) {
    HUSH_TRY_ASSIGN(auto q, db.query("DELETE FROM queue WHERE account_id = ? AND device_id = ? AND seq = ? "
                                     "RETURNING body_id"));
    q.bind(1, view(k.device.account)).bind(2, i64(k.device.device)).bind(3, k.seq);
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) continue;
    deleted.push_back(DeletedRow{k, q.int64(0)});
    HUSH_TRY(q.run());  // finish the statement before the next reset
  }
  return ok();
}

Status delete_unreferenced_bodies(SqliteDb& db, std::span<const std::int64_t> body_ids) {
  for (std::int64_t id : body_ids) {
    HUSH_TRY_ASSIGN(auto q, db.query("DELETE FROM bodies WHERE id = ? AND NOT EXISTS "
                                     "(SELECT 1 FROM queue WHERE body_id = ?)"));
    q.bind(1, id).bind(2, id);
    HUSH_TRY(q.run());
  }
  return ok();
}

Result<std::int64_t> max_body_id(SqliteDb& db) {
  HUSH_TRY_ASSIGN(auto q, db.query("SELECT COALESCE(MAX(id), 0) FROM bodies"));
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return make_error(Errc::storage_failure, "max body id");
  return q.int64(0);
}

Status count_sender_rows(SqliteDb& db, std::span<const ShareKey> keys, std::int64_t limit,
                         std::vector<std::int64_t>& counts) {
  counts.clear();
  for (const ShareKey& k : keys) {
    HUSH_TRY_ASSIGN(auto q, db.query("SELECT count(*) FROM (SELECT 1 FROM queue WHERE account_id = ? AND "
                                     "device_id = ? AND sender_account = ? LIMIT ?)"));
    q.bind(1, view(k.recipient.account)).bind(2, i64(k.recipient.device)).bind(3, view(k.sender)).bind(4, limit);
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) return make_error(Errc::storage_failure, "count sender rows");
    counts.push_back(q.int64(0));
  }
  return ok();
}

}  // namespace hush::server::storage
