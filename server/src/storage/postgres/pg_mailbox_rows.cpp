// The mailbox writer's bulk statements on PostgreSQL: one statement per call
// whatever the batch size, the rows travelling as binary arrays that the
// statement unnests. A batch of sends thus costs the same handful of round
// trips as a single send.
#include "storage/mailbox_rows.hpp"

#include "storage/postgres/pg_conn.hpp"

namespace hush::server::storage {
namespace {

std::int64_t i64(DeviceId d) noexcept { return static_cast<std::int64_t>(raw(d)); }

/// Column-wise copies of the device addresses, as array parameters want them.
struct AddressColumns {
  std::vector<ByteView> accounts;
  std::vector<std::int64_t> devices;
  void add(const DeviceAddress& a) {
    accounts.emplace_back(a.account.bytes);
    devices.push_back(i64(a.device));
  }
};

Result<AccountId> read_account(ByteView b) {
  auto id = AccountId::from_bytes(b);
  if (!id) return make_error(Errc::storage_failure, "stored account id is malformed");
  return *id;
}

}  // namespace

Status insert_bodies(PgConn& db, std::span<const BodyRow> rows) {
  if (rows.empty()) return ok();
  std::vector<std::int64_t> ids;
  std::vector<ByteView> contents;
  for (const BodyRow& r : rows) {
    ids.push_back(r.id);
    contents.push_back(r.content);
  }
  HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO bodies (id, content) SELECT * FROM unnest(?::int8[], ?::bytea[])"));
  q.bind_array(1, ids).bind_array(2, contents);
  return q.run();
}

Status insert_queue_rows(PgConn& db, std::span<const QueueRow> rows) {
  if (rows.empty()) return ok();
  AddressColumns recipients;
  AddressColumns senders;
  std::vector<std::int64_t> seqs, bodies, types, times;
  std::vector<ByteView> message_ids;
  for (const QueueRow& r : rows) {
    recipients.add(r.recipient);
    senders.add(r.sender);
    seqs.push_back(r.seq);
    bodies.push_back(r.body_id);
    message_ids.emplace_back(*r.message_id);
    types.push_back(r.type);
    times.push_back(r.server_time);
  }
  HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO queue (account_id, device_id, seq, body_id, sender_account, "
                                   "sender_device, message_id, type, server_time) "
                                   "SELECT * FROM unnest(?::bytea[], ?::int8[], ?::int8[], ?::int8[], ?::bytea[], "
                                   "?::int8[], ?::bytea[], ?::int8[], ?::int8[])"));
  q.bind_array(1, recipients.accounts)
      .bind_array(2, recipients.devices)
      .bind_array(3, seqs)
      .bind_array(4, bodies)
      .bind_array(5, senders.accounts)
      .bind_array(6, senders.devices)
      .bind_array(7, message_ids)
      .bind_array(8, types)
      .bind_array(9, times);
  return q.run();
}

Status insert_sent(PgConn& db, std::span<const SentRow> rows) {
  if (rows.empty()) return ok();
  AddressColumns senders;
  std::vector<ByteView> message_ids;
  std::vector<std::int64_t> times;
  for (const SentRow& r : rows) {
    senders.add(r.key.sender);
    message_ids.emplace_back(r.key.message_id);
    times.push_back(r.server_time);
  }
  HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO sent (sender_account, sender_device, message_id, server_time) "
                                   "SELECT * FROM unnest(?::bytea[], ?::int8[], ?::bytea[], ?::int8[])"));
  q.bind_array(1, senders.accounts).bind_array(2, senders.devices).bind_array(3, message_ids).bind_array(4, times);
  return q.run();
}

Status update_device_counters(PgConn& db, std::span<const DeviceCounters> rows) {
  if (rows.empty()) return ok();
  AddressColumns devices;
  std::vector<std::int64_t> next_seqs, deltas;
  for (const DeviceCounters& r : rows) {
    devices.add(r.device);
    next_seqs.push_back(r.next_seq);
    deltas.push_back(r.depth_delta);
  }
  HUSH_TRY_ASSIGN(auto q, db.query("UPDATE devices d SET next_seq = u.next_seq, queue_depth = d.queue_depth + u.delta "
                                   "FROM unnest(?::bytea[], ?::int8[], ?::int8[], ?::int8[]) "
                                   "AS u(account_id, device_id, next_seq, delta) "
                                   "WHERE d.account_id = u.account_id AND d.device_id = u.device_id "
                                   "RETURNING d.device_id"));
  q.bind_array(1, devices.accounts).bind_array(2, devices.devices).bind_array(3, next_seqs).bind_array(4, deltas);
  std::size_t updated = 0;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    ++updated;
  }
  if (updated != rows.size()) return make_error(Errc::storage_failure, "device vanished during batch");
  return ok();
}

Status find_sent(PgConn& db, std::span<const SentKey> keys, std::vector<SentRow>& found) {
  if (keys.empty()) return ok();
  AddressColumns senders;
  std::vector<ByteView> message_ids;
  for (const SentKey& k : keys) {
    senders.add(k.sender);
    message_ids.emplace_back(k.message_id);
  }
  HUSH_TRY_ASSIGN(auto q, db.query("SELECT s.sender_account, s.sender_device, s.message_id, s.server_time "
                                   "FROM sent s JOIN unnest(?::bytea[], ?::int8[], ?::bytea[]) AS k(a, d, m) "
                                   "ON s.sender_account = k.a AND s.sender_device = k.d AND s.message_id = k.m"));
  q.bind_array(1, senders.accounts).bind_array(2, senders.devices).bind_array(3, message_ids);
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    SentRow r;
    HUSH_TRY_ASSIGN(r.key.sender.account, read_account(q.blob(0)));
    r.key.sender.device = DeviceId{static_cast<std::uint32_t>(q.int64(1))};
    ByteView id = q.blob(2);
    if (id.size() != r.key.message_id.size()) return make_error(Errc::storage_failure, "stored message id");
    std::copy(id.begin(), id.end(), r.key.message_id.begin());
    r.server_time = q.int64(3);
    found.push_back(r);
  }
  return ok();
}

Status delete_queue_rows(PgConn& db, std::span<const QueueKey> keys, std::vector<DeletedRow>& deleted) {
  if (keys.empty()) return ok();
  AddressColumns devices;
  std::vector<std::int64_t> seqs;
  for (const QueueKey& k : keys) {
    devices.add(k.device);
    seqs.push_back(k.seq);
  }
  HUSH_TRY_ASSIGN(auto q, db.query("DELETE FROM queue q USING unnest(?::bytea[], ?::int8[], ?::int8[]) AS k(a, d, s) "
                                   "WHERE q.account_id = k.a AND q.device_id = k.d AND q.seq = k.s "
                                   "RETURNING q.account_id, q.device_id, q.seq, q.body_id"));
  q.bind_array(1, devices.accounts).bind_array(2, devices.devices).bind_array(3, seqs);
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    DeletedRow r;
    HUSH_TRY_ASSIGN(r.key.device.account, read_account(q.blob(0)));
    r.key.device.device = DeviceId{static_cast<std::uint32_t>(q.int64(1))};
    r.key.seq = q.int64(2);
    r.body_id = q.int64(3);
    deleted.push_back(r);
  }
  return ok();
}

Status delete_unreferenced_bodies(PgConn& db, std::span<const std::int64_t> body_ids) {
  if (body_ids.empty()) return ok();
  HUSH_TRY_ASSIGN(auto q, db.query("DELETE FROM bodies b WHERE b.id = ANY(?::int8[]) "
                                   "AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.body_id = b.id)"));
  q.bind_array(1, body_ids);
  return q.run();
}

Result<std::int64_t> max_body_id(PgConn& db) {
  HUSH_TRY_ASSIGN(auto q, db.query("SELECT COALESCE(MAX(id), 0) FROM bodies"));
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return make_error(Errc::storage_failure, "max body id");
  return q.int64(0);
}

Status count_sender_rows(PgConn& db, std::span<const ShareKey> keys, std::int64_t limit,
                         std::vector<std::int64_t>& counts) {
  counts.clear();
  if (keys.empty()) return ok();
  AddressColumns recipients;
  std::vector<ByteView> senders;
  for (const ShareKey& k : keys) {
    recipients.add(k.recipient);
    senders.emplace_back(k.sender.bytes);
  }
  // One bounded index scan per key (LATERAL), answered in the keys' order.
  HUSH_TRY_ASSIGN(auto q, db.query("SELECT c.n FROM unnest(?::bytea[], ?::int8[], ?::bytea[]) WITH ORDINALITY "
                                   "AS k(a, d, s, i) CROSS JOIN LATERAL (SELECT count(*) AS n FROM (SELECT 1 FROM "
                                   "queue q WHERE q.account_id = k.a AND q.device_id = k.d AND q.sender_account = "
                                   "k.s LIMIT ?::int8) x) c ORDER BY k.i"));
  q.bind_array(1, recipients.accounts).bind_array(2, recipients.devices).bind_array(3, senders).bind(4, limit);
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    counts.push_back(q.int64(0));
  }
  if (counts.size() != keys.size()) return make_error(Errc::storage_failure, "count sender rows");
  return ok();
}

}  // namespace hush::server::storage
