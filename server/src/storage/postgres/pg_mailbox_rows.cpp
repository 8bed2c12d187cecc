// The mailbox writer's bulk statements on PostgreSQL: one statement per call
// whatever the batch size, the rows travelling as binary arrays that the
// statement unnests. A batch of sends thus costs the same handful of round
// trips as a single send.
#include "storage/mailbox_rows.hpp"

#include "storage/mailbox_statements.hpp"
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
  HUSH_TRY_ASSIGN(auto q, db.query(statements::kPgInsertBodies));
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
  HUSH_TRY_ASSIGN(auto q, db.query(statements::kPgInsertQueueRows));
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
  HUSH_TRY_ASSIGN(auto q, db.query(statements::kPgInsertSent));
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
  HUSH_TRY_ASSIGN(auto q, db.query(statements::kPgUpdateDeviceCounters));
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
  HUSH_TRY_ASSIGN(auto q, db.query(statements::kPgFindSent));
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
  HUSH_TRY_ASSIGN(auto q, db.query(statements::kPgDeleteQueueRows));
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
  HUSH_TRY_ASSIGN(auto q, db.query(statements::kPgDeleteUnreferencedBodies));
  q.bind_array(1, body_ids);
  return q.run();
}

Status reserve_body_ids(PgConn& db, std::size_t n, std::vector<std::int64_t>& ids) {
  if (n == 0) return ok();
  HUSH_TRY_ASSIGN(auto q, db.query(statements::kPgReserveBodyIds));
  q.bind(1, static_cast<std::int64_t>(n));
  std::size_t got = 0;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    ids.push_back(q.int64(0));
    ++got;
  }
  if (got != n) return make_error(Errc::storage_failure, "body ids");
  return ok();
}

Status lock_devices(PgConn& db, std::span<const AccountId> accounts, std::vector<DeviceState>& out) {
  if (accounts.empty()) return ok();
  std::vector<ByteView> ids;
  ids.reserve(accounts.size());
  for (const AccountId& a : accounts) ids.emplace_back(a.bytes);
  HUSH_TRY_ASSIGN(auto q, db.query(statements::kPgLockDevices));
  q.bind_array(1, ids);
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    DeviceState d;
    HUSH_TRY_ASSIGN(d.device.account, read_account(q.blob(0)));
    d.device.device = DeviceId{static_cast<std::uint32_t>(q.int64(1))};
    d.registration_id = q.int64(2);
    d.next_seq = q.int64(3);
    d.queue_depth = q.int64(4);
    out.push_back(d);
  }
  return ok();
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
