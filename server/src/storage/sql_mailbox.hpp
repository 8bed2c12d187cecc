// SqlStore<Db>: mailboxes. Sends and acks go through group commit to the
// MailboxWriter (mailbox_writer.hpp), which checks and writes whole batches;
// reads use the pool. Included by sql_store.hpp only.
#pragma once

#include "storage/mailbox_statements.hpp"

#include <algorithm>
#include <vector>

namespace hush::server::storage {

template <class Db>
Result<StoreReceipt> SqlStore<Db>::store_message(const NewMessage& message, std::size_t queue_cap,
                                                 std::vector<DeviceMismatch>& mismatches) {
  StoreReceipt receipt;
  SendWrite w(message, queue_cap, mismatches, receipt);
  HUSH_TRY(group_commit_->run(w));
  return receipt;
}

template <class Db>
void SqlStore<Db>::store_message_async(NewMessage message, std::size_t queue_cap, StoreMessageDone done) {
  group_commit_->submit(std::make_unique<AsyncSend>(std::move(message), queue_cap, std::move(done)));
}

template <class Db>
Result<std::vector<QueuedMessage>> SqlStore<Db>::pending(const DeviceAddress& device, Seq after, std::size_t limit) {
  auto db = pool_.lease();
  HUSH_TRY_ASSIGN(auto q, db->query(statements::kPending));
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
Status SqlStore<Db>::ack(const DeviceAddress& device, Seq seq) {
  AckWrite w(device, seq);
  return group_commit_->run(w);
}

template <class Db>
void SqlStore<Db>::ack_async(const DeviceAddress& device, Seq seq, AckDone done) {
  group_commit_->submit(std::make_unique<AsyncAck>(device, seq, std::move(done)));
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
      // On the writer: queue_depth is cached there (one short batch per device).
      std::size_t deleted = 0;
      Status st = run_on_writer([&](Db& w, OtherOutcome& out) -> Status {
        out.touched.push_back(d.account);
        deleted = 0;
        HUSH_TRY_ASSIGN(bool exists, device_exists(w, d, true));
        if (!exists) return ok();
        return delete_queue_rows(w, d, to_millis(cutoff), deleted);
      });
      if (!st) return st.error();
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
    HUSH_TRY_ASSIGN(auto q, db->query("DELETE FROM used_challenges WHERE expires_at <= ?"));
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
