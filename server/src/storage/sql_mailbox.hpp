// SqlStore<Db>: mailboxes. Sends and acks go through group commit on the
// writer connection; reads use the pool. A send does every check (retry,
// device lists, queue caps) before its first write, as GroupCommit requires.
// Included by sql_store.hpp only.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace hush::server::storage {

template <class Db>
Result<StoreReceipt> SqlStore<Db>::store_message(const NewMessage& message, std::size_t queue_cap,
                                                 DeviceMismatch& mismatch) {
  StoreReceipt receipt;
  GroupCommit::Op op = [&]() -> Status {
    receipt = StoreReceipt{};
    mismatch = DeviceMismatch{};
    return store_message_in_tx(*writer_db_, message, queue_cap, mismatch, receipt);
  };
  HUSH_TRY(group_commit_->run(op));
  return receipt;
}

template <class Db>
Status SqlStore<Db>::store_message_in_tx(Db& db, const NewMessage& m, std::size_t queue_cap,
                                         DeviceMismatch& mismatch, StoreReceipt& receipt) {
  {
    HUSH_TRY_ASSIGN(auto q, db.query("SELECT server_time FROM sent WHERE sender_account = ? AND sender_device = ? "
                                     "AND message_id = ?"));
    q.bind(1, sql::view(m.sender.account)).bind(2, sql::i64(m.sender.device)).bind(3, ByteView(m.message_id));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (row) {
      receipt.server_time = from_millis(q.int64(0));
      receipt.duplicate = true;
      return ok();
    }
  }
  for (const Delivery& d : m.deliveries)
    if (d.body_index >= m.bodies.size()) return make_error(Errc::invalid_argument, "body index");

  // The sender's view of each recipient account against the current devices.
  std::map<AccountId, std::map<DeviceId, RegistrationId>> wanted;
  for (const Delivery& d : m.deliveries) {
    if (!wanted[d.recipient.account].emplace(d.recipient.device, d.registration_id).second)
      return make_error(Errc::invalid_argument, "device named twice");
  }
  for (auto& [account, devices] : wanted) {
    {
      HUSH_TRY_ASSIGN(auto q, db.query(Db::kLockAccountForShare));
      q.bind(1, sql::view(account));
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) return make_error(Errc::not_found, "recipient account");
    }
    DeviceMismatch found{account, {}, {}, {}};
    std::set<DeviceId> seen;
    HUSH_TRY_ASSIGN(auto q, db.query("SELECT device_id, registration_id, queue_depth FROM devices "
                                     "WHERE account_id = ? ORDER BY device_id"));
    q.bind(1, sql::view(account));
    bool full = false;
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      DeviceId id{static_cast<std::uint32_t>(q.int64(0))};
      if (account == m.sender.account && id == m.sender.device) continue;  // never to oneself
      seen.insert(id);
      auto it = devices.find(id);
      if (it == devices.end()) {
        found.missing.push_back(id);
      } else if (raw(it->second) != static_cast<std::uint64_t>(q.int64(1))) {
        found.stale.push_back(id);
      } else if (static_cast<std::size_t>(q.int64(2)) >= queue_cap) {
        full = true;
      }
    }
    for (const auto& [id, reg] : devices)
      if (!seen.count(id)) found.extra.push_back(id);
    if (!found.missing.empty() || !found.extra.empty() || !found.stale.empty()) {
      mismatch = std::move(found);
      return make_error(Errc::stale_devices, "device list is stale");
    }
    if (full) return make_error(Errc::quota_exceeded, "recipient queue is full");
  }

  // Writes from here on.
  std::vector<std::int64_t> body_ids;
  for (const Bytes& body : m.bodies) {
    HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO bodies (content) VALUES (?) RETURNING id"));
    q.bind(1, ByteView(body));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) return make_error(Errc::storage_failure, "body id");
    body_ids.push_back(q.int64(0));
  }
  for (const Delivery& d : m.deliveries) {
    std::int64_t seq = 0;
    {
      HUSH_TRY_ASSIGN(auto q, db.query("UPDATE devices SET next_seq = next_seq + 1, queue_depth = queue_depth + 1 "
                                       "WHERE account_id = ? AND device_id = ? RETURNING next_seq - 1"));
      q.bind(1, sql::view(d.recipient.account)).bind(2, sql::i64(d.recipient.device));
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) return make_error(Errc::storage_failure, "device vanished during send");
      seq = q.int64(0);
    }
    HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO queue (account_id, device_id, seq, body_id, sender_account, "
                                     "sender_device, message_id, type, server_time) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.bind(1, sql::view(d.recipient.account))
        .bind(2, sql::i64(d.recipient.device))
        .bind(3, seq)
        .bind(4, body_ids[d.body_index])
        .bind(5, sql::view(m.sender.account))
        .bind(6, sql::i64(m.sender.device))
        .bind(7, ByteView(m.message_id))
        .bind(8, std::int64_t{d.type})
        .bind(9, to_millis(m.server_time));
    HUSH_TRY(q.run());
    receipt.queued.emplace_back(d.recipient, Seq{static_cast<std::uint64_t>(seq)});
  }
  {
    HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO sent (sender_account, sender_device, message_id, server_time) "
                                     "VALUES (?, ?, ?, ?)"));
    q.bind(1, sql::view(m.sender.account))
        .bind(2, sql::i64(m.sender.device))
        .bind(3, ByteView(m.message_id))
        .bind(4, to_millis(m.server_time));
    HUSH_TRY(q.run());
  }
  receipt.server_time = m.server_time;
  return ok();
}

template <class Db>
Result<std::vector<QueuedMessage>> SqlStore<Db>::pending(const DeviceAddress& device, Seq after, std::size_t limit) {
  auto db = pool_.lease();
  HUSH_TRY_ASSIGN(auto q, db->query("SELECT q.seq, q.sender_account, q.sender_device, q.message_id, q.type, "
                                    "q.server_time, b.content FROM queue q JOIN bodies b ON b.id = q.body_id "
                                    "WHERE q.account_id = ? AND q.device_id = ? AND q.seq > ? "
                                    "ORDER BY q.seq LIMIT ?"));
  q.bind(1, sql::view(device.account))
      .bind(2, sql::i64(device.device))
      .bind(3, static_cast<std::int64_t>(raw(after)))
      .bind(4, static_cast<std::int64_t>(limit));
  std::vector<QueuedMessage> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    QueuedMessage msg;
    msg.seq = Seq{static_cast<std::uint64_t>(q.int64(0))};
    HUSH_TRY_ASSIGN(msg.sender.account, AccountId::from_bytes(q.blob(1)));
    msg.sender.device = DeviceId{static_cast<std::uint32_t>(q.int64(2))};
    HUSH_TRY_ASSIGN(msg.message_id, sql::read_array<16>(q.blob(3)));
    msg.type = static_cast<std::uint32_t>(q.int64(4));
    msg.server_time = from_millis(q.int64(5));
    msg.body = to_bytes(q.blob(6));
    out.push_back(std::move(msg));
  }
  return out;
}

template <class Db>
Status SqlStore<Db>::ack_in(Db& db, const DeviceAddress& device, Seq seq) {
  HUSH_TRY_ASSIGN(bool exists, device_exists(db, device, true));
  if (!exists) return make_error(Errc::not_found, "device");
  std::int64_t body_id = 0;
  {
    HUSH_TRY_ASSIGN(auto q, db.query("DELETE FROM queue WHERE account_id = ? AND device_id = ? AND seq = ? "
                                     "RETURNING body_id"));
    q.bind(1, sql::view(device.account)).bind(2, sql::i64(device.device)).bind(3, static_cast<std::int64_t>(raw(seq)));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) return make_error(Errc::not_found, "queue row");
    body_id = q.int64(0);
  }
  {
    HUSH_TRY_ASSIGN(auto q, db.query("UPDATE devices SET queue_depth = queue_depth - 1 "
                                     "WHERE account_id = ? AND device_id = ?"));
    q.bind(1, sql::view(device.account)).bind(2, sql::i64(device.device));
    HUSH_TRY(q.run());
  }
  return drop_body_if_unreferenced(db, body_id);
}

template <class Db>
Status SqlStore<Db>::ack(const DeviceAddress& device, Seq seq) {
  GroupCommit::Op op = [&]() -> Status { return ack_in(*writer_db_, device, seq); };
  return group_commit_->run(op);
}

template <class Db>
Result<std::size_t> SqlStore<Db>::queue_depth(const DeviceAddress& device) {
  auto db = pool_.lease();
  HUSH_TRY_ASSIGN(auto q, db->query("SELECT queue_depth FROM devices WHERE account_id = ? AND device_id = ?"));
  q.bind(1, sql::view(device.account)).bind(2, sql::i64(device.device));
  HUSH_TRY_ASSIGN(bool row, q.step());
  return row ? static_cast<std::size_t>(q.int64(0)) : std::size_t{0};
}

// Expiry works device by device (lock order account/device/queue as
// everywhere, and short transactions beside the live writer).
template <class Db>
Result<std::size_t> SqlStore<Db>::expire(Timestamp cutoff, Timestamp now) {
  /// Devices handled per round; each round is one short transaction per device.
  constexpr std::int64_t kDevicesPerRound = 100;
  auto db = pool_.lease();
  std::size_t total = 0;
  for (;;) {
    std::vector<DeviceAddress> devices;
    {
      HUSH_TRY_ASSIGN(auto q, db->query("SELECT DISTINCT account_id, device_id FROM queue WHERE server_time < ? "
                                        "LIMIT ?"));
      q.bind(1, to_millis(cutoff)).bind(2, kDevicesPerRound);
      for (;;) {
        HUSH_TRY_ASSIGN(bool row, q.step());
        if (!row) break;
        HUSH_TRY_ASSIGN(auto account, AccountId::from_bytes(q.blob(0)));
        devices.push_back(DeviceAddress{account, DeviceId{static_cast<std::uint32_t>(q.int64(1))}});
      }
    }
    if (devices.empty()) break;
    std::size_t round = 0;
    for (const DeviceAddress& d : devices) {
      SqlTransaction<Db> tx(*db);
      HUSH_TRY(tx.begin());
      HUSH_TRY_ASSIGN(bool exists, device_exists(*db, d, true));
      if (!exists) continue;
      std::size_t deleted = 0;
      HUSH_TRY(delete_queue_rows(*db, d, to_millis(cutoff), deleted));
      HUSH_TRY(tx.commit());
      round += deleted;
    }
    total += round;
    if (round == 0) break;  // nothing deletable left (never loop forever)
  }
  SqlTransaction<Db> tx(*db);
  HUSH_TRY(tx.begin());
  {
    HUSH_TRY_ASSIGN(auto q, db->query("DELETE FROM sent WHERE server_time < ?"));
    q.bind(1, to_millis(cutoff));
    HUSH_TRY(q.run());
  }
  {
    HUSH_TRY_ASSIGN(auto q, db->query("DELETE FROM link_tokens WHERE expires_at <= ?"));
    q.bind(1, to_millis(now));
    HUSH_TRY(q.run());
  }
  {
    // Bodies left unreferenced by racing deletes on different connections
    // (possible under PostgreSQL's read committed); a bounded sweep each time.
    HUSH_TRY_ASSIGN(auto q, db->query("DELETE FROM bodies WHERE id IN (SELECT b.id FROM bodies b WHERE NOT EXISTS "
                                      "(SELECT 1 FROM queue q WHERE q.body_id = b.id) LIMIT 1000)"));
    HUSH_TRY(q.run());
  }
  HUSH_TRY(tx.commit());
  return total;
}

}  // namespace hush::server::storage
