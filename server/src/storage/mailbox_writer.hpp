// MailboxWriter<Db>: the group-commit executor. It runs a batch of sends,
// acks and other writer-only changes (device add/remove, expiry) in one
// transaction with a fixed handful of bulk statements (mailbox_rows.hpp).
// What a send must read — each account's devices with their registration
// ids, next seq and queue depth — comes from one of two places:
// - SQLite (one hushd per file): a cache in memory, exact because every
//   write to those columns goes through this writer (one thread);
// - PostgreSQL (any number of hushd nodes, issue #17): the database, read
//   and locked (FOR NO KEY UPDATE) in one statement at the start of each batch, so
//   another node's writer waits for our commit and then sees it. Body ids
//   come from a sequence there. docs/server/storage.md, "Several nodes".
// Included by sql_store.hpp only.
#pragma once

#include "storage/group_commit.hpp"
#include "storage/mailbox_rows.hpp"
#include "storage/mailbox_statements.hpp"
#include "storage/types.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace hush::server::storage {

/// A send (1:1 or fan-out): every check (retry, device lists, queue caps)
/// happens in memory before its rows are buffered, so a refused send writes
/// nothing.
struct SendWrite final : WriteRequest {
  SendWrite(const NewMessage& m, std::size_t cap, std::vector<DeviceMismatch>& mm, StoreReceipt& r) noexcept
      : WriteRequest(Kind::send), message(m), queue_cap(cap), mismatches(mm), receipt(r) {}
  const NewMessage& message;
  std::size_t queue_cap;
  std::vector<DeviceMismatch>& mismatches;  ///< one per recipient account that differs
  StoreReceipt& receipt;
};

struct AckWrite final : WriteRequest {
  AckWrite(const DeviceAddress& d, Seq s) noexcept : WriteRequest(Kind::ack), device(d), seq(s) {}
  DeviceAddress device;
  Seq seq;
};

/// What an `other` write tells the writer about itself.
struct OtherOutcome {
  /// Accounts whose devices or queues it changed: dropped from the cache.
  std::vector<AccountId> touched;
  /// Keep its writes although it fails (an expired link token is consumed).
  bool keep_on_error = false;
};

/// Any other change to devices or queues, as statements on the writer's
/// connection inside the batch transaction (no begin/commit of its own); it
/// runs in a savepoint, so a failure undoes only its own writes.
template <class Db>
struct OtherWrite final : WriteRequest {
  using Fn = std::function<Status(Db&, OtherOutcome&)>;
  explicit OtherWrite(Fn f) : WriteRequest(Kind::other), fn(std::move(f)) {}
  Fn fn;
};

template <class Db>
class MailboxWriter final : public BatchExecutor {
 public:
  explicit MailboxWriter(Db& db) noexcept : db_(db) {}

  /// Runs the batch in one transaction. When a statement fails the batch is
  /// rolled back (nothing written) and each request is run again alone in a
  /// transaction of its own, so one bad request cannot fail the others. When
  /// COMMIT fails every request in the batch fails with its error.
  void execute(std::span<WriteRequest* const> batch) noexcept override {
    if (cache_.size() > kMaxCachedAccounts) cache_.clear();
    Attempt a = attempt(batch);
    if (a.outcome == Outcome::committed) return merge();
    cache_.clear();  // the database may differ from what we assumed: reload
    if (a.outcome == Outcome::commit_failed) {
      for (WriteRequest* r : batch) r->result = a.error;
      return;
    }
    for (WriteRequest* r : batch) {
      Attempt one = batch.size() == 1 ? a : attempt(std::span<WriteRequest* const>(&r, 1));
      // Another node's writer can deadlock with ours (a device change of
      // theirs against our batch; PostgreSQL aborts one side) or win a race
      // on a sent key: run it again, a bounded number of times.
      for (int retry = 0; Db::kSharedWriters && retry < kSharedRetries && one.outcome == Outcome::statement_failed &&
                          (one.error.code == Errc::unavailable || one.error.code == Errc::conflict);
           ++retry)
        one = attempt(std::span<WriteRequest* const>(&r, 1));
      if (one.outcome == Outcome::committed) {
        merge();
      } else {
        cache_.clear();
        r->result = one.error;
      }
    }
  }

 private:
  /// Accounts whose devices stay cached: ~200 bytes each, so ~10 MB; past
  /// that the cache starts over (reloading costs one query per account).
  static constexpr std::size_t kMaxCachedAccounts = 50'000;
  /// Re-runs of a request alone after losing a race with another node
  /// (deadlock, serialization, a unique key taken meanwhile): a second try
  /// normally wins; three keep a storm from holding the writer for long.
  static constexpr int kSharedRetries = 3;

  struct CachedDevice {
    DeviceId id{};
    RegistrationId registration_id{};
    std::int64_t next_seq = 0;
    std::int64_t depth = 0;
    std::int64_t depth_delta = 0;  ///< not yet written in this batch
    bool dirty = false;
  };
  using CachedAccount = std::vector<CachedDevice>;  ///< ascending by id
  struct AccountHash {
    std::size_t operator()(const AccountId& a) const noexcept {
      std::size_t h = 0;  // ids are random: their first bytes are a good hash
      std::memcpy(&h, a.bytes.data(), sizeof h);
      return h;
    }
  };
  enum class Outcome { committed, statement_failed, commit_failed };
  struct Attempt {
    Outcome outcome;
    Error error{};
  };

  Attempt attempt(std::span<WriteRequest* const> batch) noexcept {
    overlay_.clear();
    evicted_.clear();
    stored_.clear();
    bodies_.clear();
    queue_rows_.clear();
    sent_rows_.clear();
    dirty_.clear();
    body_candidates_.clear();
    share_added_.clear();
    for (WriteRequest* r : batch) r->result = ok();
    if constexpr (Db::kSharedWriters) cache_.clear();  // another node may have written since
    if (auto st = db_.begin(); !st) return {Outcome::statement_failed, st.error()};
    if (auto st = process(batch); !st) {
      db_.rollback();
      return {Outcome::statement_failed, st.error()};
    }
    if (auto st = db_.commit(); !st) return {Outcome::commit_failed, st.error()};
    return {Outcome::committed};
  }

  // Every request of a batch was issued concurrently (none has returned to
  // its caller), so any serial order is a valid one. We pick: other writes
  // (taking account, device, queue locks in that order), then acks, then
  // sends in arrival order.
  Status process(std::span<WriteRequest* const> batch) {
    for (WriteRequest* r : batch)
      if (r->kind == WriteRequest::Kind::other) HUSH_TRY(run_other(static_cast<OtherWrite<Db>&>(*r)));
    if constexpr (Db::kSharedWriters) HUSH_TRY(lock_batch_devices(batch));
    HUSH_TRY(run_acks(batch));
    std::vector<SentKey> keys;
    for (WriteRequest* r : batch) {
      if (r->kind != WriteRequest::Kind::send) continue;
      const NewMessage& m = static_cast<SendWrite&>(*r).message;
      keys.push_back(SentKey{m.sender, m.message_id});
      if (m.sync_message_id) keys.push_back(SentKey{m.sender, *m.sync_message_id});
    }
    std::vector<SentRow> found;
    HUSH_TRY(find_sent(db_, keys, found));
    std::map<SentKey, std::int64_t> earlier;
    for (const SentRow& s : found) earlier.emplace(s.key, s.server_time);
    for (WriteRequest* r : batch)
      if (r->kind == WriteRequest::Kind::send) HUSH_TRY(run_send(static_cast<SendWrite&>(*r), earlier));
    return flush();
  }

  Status run_other(OtherWrite<Db>& w) {
    HUSH_TRY(db_.exec("SAVEPOINT hush_other"));
    OtherOutcome out;
    Status st = w.fn(db_, out);
    if (st || out.keep_on_error) {
      HUSH_TRY(db_.exec("RELEASE SAVEPOINT hush_other"));
    } else {
      HUSH_TRY(db_.exec("ROLLBACK TO SAVEPOINT hush_other; RELEASE SAVEPOINT hush_other"));
    }
    for (const AccountId& a : out.touched) {
      overlay_.erase(a);
      evicted_.insert(a);
    }
    w.result = st;
    return ok();
  }

  Status run_acks(std::span<WriteRequest* const> batch) {
    std::vector<QueueKey> keys;
    for (WriteRequest* r : batch) {
      if (r->kind != WriteRequest::Kind::ack) continue;
      auto& a = static_cast<AckWrite&>(*r);
      keys.push_back(QueueKey{a.device, static_cast<std::int64_t>(raw(a.seq))});
    }
    if (keys.empty()) return ok();
    std::vector<DeletedRow> deleted;
    HUSH_TRY(delete_queue_rows(db_, keys, deleted));
    std::map<QueueKey, bool> gone;  // a row acked twice in one batch is deleted once
    for (const DeletedRow& d : deleted) {
      HUSH_TRY_ASSIGN(CachedDevice * dev, device_state(d.key.device));
      if (dev == nullptr) return make_error(Errc::storage_failure, "queue row without device");
      --dev->depth;
      --dev->depth_delta;
      mark_dirty(d.key.device, *dev);
      body_candidates_.push_back(d.body_id);
      gone.emplace(d.key, false);
    }
    for (WriteRequest* r : batch) {
      if (r->kind != WriteRequest::Kind::ack) continue;
      auto& a = static_cast<AckWrite&>(*r);
      auto it = gone.find(QueueKey{a.device, static_cast<std::int64_t>(raw(a.seq))});
      if (it == gone.end() || it->second) {
        a.result = make_error(Errc::not_found, "queue row");
      } else {
        it->second = true;
      }
    }
    return ok();
  }

  // Sets w.result for the send's own verdicts; returns an error only when a
  // statement failed (then the whole batch is rolled back).
  Status run_send(SendWrite& w, const std::map<SentKey, std::int64_t>& earlier) {
    const NewMessage& m = w.message;
    w.receipt = StoreReceipt{};
    w.mismatches.clear();
    SentKey key{m.sender, m.message_id};
    if (auto it = stored_.find(key); it != stored_.end()) return duplicate(w, it->second);
    if (auto it = earlier.find(key); it != earlier.end()) return duplicate(w, it->second);
    for (const Delivery& d : m.deliveries) {
      if (d.body_index >= m.bodies.size()) {
        w.result = make_error(Errc::invalid_argument, "body index");
        return ok();
      }
    }
    if (m.expected_username) {
      HUSH_TRY_ASSIGN(bool named, has_username(m.expected_username->account, m.expected_username->username));
      if (!named) {  // the client's cached binding is out of date: it looks the name up again
        w.result = make_error(Errc::not_found, "recipient username");
        return ok();
      }
    }
    // The sender's view of each recipient account against the current
    // devices. Every account is checked (a fan-out learns all its stale
    // accounts in one answer); an unknown account refuses the send at once.
    std::map<AccountId, std::map<DeviceId, RegistrationId>> wanted;
    for (const Delivery& d : m.deliveries) {
      if (!wanted[d.recipient.account].emplace(d.recipient.device, d.registration_id).second) {
        w.result = make_error(Errc::invalid_argument, "device named twice");
        return ok();
      }
    }
    for (const AccountId& account : m.exact_accounts) wanted.try_emplace(account);
    for (auto& [account, devices] : wanted) {
      HUSH_TRY_ASSIGN(CachedAccount * current, account_state(account));
      if (current == nullptr) {
        w.mismatches.clear();
        w.result = make_error(Errc::not_found, "recipient account");
        return ok();
      }
      DeviceMismatch found = compare_devices(m.sender, account, devices, *current);
      if (!found.missing.empty() || !found.extra.empty() || !found.stale.empty())
        w.mismatches.push_back(std::move(found));
    }
    if (!w.mismatches.empty()) {
      w.result = make_error(Errc::stale_devices, "device list is stale");
      return ok();
    }
    std::vector<bool> refused(m.deliveries.size(), false);
    HUSH_TRY(check_room(w, refused));
    if (!w.receipt.refused.empty() && !m.partial) {
      const bool share = std::any_of(w.receipt.refused.begin(), w.receipt.refused.end(),
                                     [](const RefusedDelivery& r) { return r.reason == RefusalReason::share_full; });
      w.receipt.refused.clear();
      w.result = make_error(Errc::quota_exceeded, share ? kShareFullContext : "recipient queue is full");
      return ok();
    }
    if (w.receipt.refused.size() == m.deliveries.size() && !m.deliveries.empty()) {
      // Every copy refused: nothing stored, not even the idempotency record.
      w.receipt.server_time = m.server_time;
      return ok();
    }

    // Accepted: buffer the rows (written by flush(), committed with the batch).
    // Body ids are given out by flush(); until then a queue row's body_id is
    // the index of its body in bodies_. A body only refused copies used is
    // not stored.
    std::vector<std::int64_t> body_index(m.bodies.size(), -1);
    for (std::size_t i = 0; i < m.deliveries.size(); ++i) {
      const Delivery& d = m.deliveries[i];
      if (refused[i] || body_index[d.body_index] >= 0) continue;
      body_index[d.body_index] = static_cast<std::int64_t>(bodies_.size());
      bodies_.push_back(BodyRow{0, ByteView(m.bodies[d.body_index])});
    }
    std::int64_t now_ms = to_millis(m.server_time);
    for (std::size_t i = 0; i < m.deliveries.size(); ++i) {
      const Delivery& d = m.deliveries[i];
      if (refused[i]) continue;
      if (d.recipient.account != m.sender.account) ++share_added_[ShareKey{d.recipient, m.sender.account}];
      HUSH_TRY_ASSIGN(CachedDevice * dev, device_state(d.recipient));
      if (dev == nullptr) return make_error(Errc::storage_failure, "checked device vanished");
      std::int64_t seq = dev->next_seq++;
      ++dev->depth;
      ++dev->depth_delta;
      mark_dirty(d.recipient, *dev);
      // A sync copy (our own other devices) goes under its own id (issue #16).
      const MessageId* id =
          m.sync_message_id && d.recipient.account == m.sender.account ? &*m.sync_message_id : &m.message_id;
      queue_rows_.push_back(QueueRow{d.recipient, seq, body_index[d.body_index], m.sender,
                                     id, std::int64_t{d.type}, now_ms});
      w.receipt.queued.emplace_back(d.recipient, Seq{static_cast<std::uint64_t>(seq)});
    }
    sent_rows_.push_back(SentRow{key, now_ms});
    stored_.emplace(key, now_ms);
    if (m.sync_message_id) {
      // Recorded too, so a copy sent alone under that id (an older client
      // on another device of ours never does; a retry does not) is a duplicate.
      SentKey sync{m.sender, *m.sync_message_id};
      if (!earlier.contains(sync) && !stored_.contains(sync)) {
        sent_rows_.push_back(SentRow{sync, now_ms});
        stored_.emplace(sync, now_ms);
      }
    }
    w.receipt.server_time = m.server_time;
    return ok();
  }

  /// Whether `account` exists and holds `username` (in this transaction).
  Result<bool> has_username(const AccountId& account, const std::string& username) {
    HUSH_TRY_ASSIGN(auto q, db_.query("SELECT username FROM accounts WHERE id = ?"));
    q.bind(1, ByteView(account.bytes));
    HUSH_TRY_ASSIGN(bool row, q.step());
    return row && q.text(0) == username;
  }

  /// The sender's view `named` of one account against its current devices
  /// (the sending device itself is never expected).
  static DeviceMismatch compare_devices(const DeviceAddress& sender, const AccountId& account,
                                        const std::map<DeviceId, RegistrationId>& named,
                                        const CachedAccount& current) {
    DeviceMismatch found{account, {}, {}, {}};
    const bool own = account == sender.account;
    std::size_t seen = 0;
    for (const CachedDevice& dev : current) {
      if (own && dev.id == sender.device) continue;  // never to oneself
      auto it = named.find(dev.id);
      if (it == named.end()) {
        found.missing.push_back(dev.id);
        continue;
      }
      ++seen;
      if (it->second != dev.registration_id) found.stale.push_back(dev.id);
    }
    if (seen != named.size()) {
      for (const auto& [id, reg] : named) {
        bool known = std::any_of(current.begin(), current.end(), [&](const CachedDevice& dev) {
          return dev.id == id && !(own && id == sender.device);
        });
        if (!known) found.extra.push_back(id);
      }
    }
    return found;
  }

  /// Marks in `refused` (and w.receipt.refused) each delivery whose device
  /// has no room: its queue holds queue_cap rows, or the sender's account
  /// holds its share of it. The share counts rows in the queue table (SQL,
  /// within this transaction, so acks and expiry are seen as they commit)
  /// plus this batch's own rows not yet written. A device's queue depth
  /// bounds every sender's rows in it, so only queues at least a share deep
  /// are counted: in normal use none are, and a send costs no extra query.
  /// A sender's rows in its own account's queues (its other devices) are
  /// not limited by the share.
  Status check_room(SendWrite& w, std::vector<bool>& refused) {
    const NewMessage& m = w.message;
    const auto share = static_cast<std::int64_t>(m.sender_share);
    std::vector<ShareKey> to_count;
    std::vector<std::size_t> counted;  // delivery index of each to_count entry
    for (std::size_t i = 0; i < m.deliveries.size(); ++i) {
      const Delivery& d = m.deliveries[i];
      HUSH_TRY_ASSIGN(CachedDevice * dev, device_state(d.recipient));
      if (dev == nullptr) return make_error(Errc::storage_failure, "checked device vanished");
      if (static_cast<std::size_t>(dev->depth) >= w.queue_cap) {
        refused[i] = true;
      } else if (share > 0 && d.recipient.account != m.sender.account && dev->depth >= share) {
        to_count.push_back(ShareKey{d.recipient, m.sender.account});
        counted.push_back(i);
      }
    }
    if (!to_count.empty()) {
      std::vector<std::int64_t> held;
      HUSH_TRY(count_sender_rows(db_, to_count, share, held));
      for (std::size_t j = 0; j < to_count.size(); ++j) {
        auto added = share_added_.find(to_count[j]);
        const std::int64_t in_batch = added == share_added_.end() ? 0 : added->second;
        if (held[j] + in_batch >= share) refused[counted[j]] = true;
      }
    }
    for (std::size_t i = 0; i < m.deliveries.size(); ++i) {
      if (!refused[i]) continue;
      const Delivery& d = m.deliveries[i];
      HUSH_TRY_ASSIGN(CachedDevice * dev, device_state(d.recipient));
      const bool full = static_cast<std::size_t>(dev->depth) >= w.queue_cap;
      w.receipt.refused.push_back(
          RefusedDelivery{d.recipient, full ? RefusalReason::queue_full : RefusalReason::share_full});
    }
    return ok();
  }

  static Status duplicate(SendWrite& w, std::int64_t server_time_ms) {
    w.receipt.server_time = from_millis(server_time_ms);
    w.receipt.duplicate = true;
    return ok();
  }

  Status flush() {
    HUSH_TRY(assign_body_ids());
    HUSH_TRY(insert_bodies(db_, bodies_));
    HUSH_TRY(insert_queue_rows(db_, queue_rows_));
    HUSH_TRY(insert_sent(db_, sent_rows_));
    std::vector<DeviceCounters> counters;
    for (const DeviceAddress& a : dirty_) {
      HUSH_TRY_ASSIGN(CachedDevice * dev, device_state(a));
      if (dev == nullptr) return make_error(Errc::storage_failure, "dirty device vanished");
      counters.push_back(DeviceCounters{a, dev->next_seq, dev->depth_delta});
      dev->depth_delta = 0;
      dev->dirty = false;
    }
    HUSH_TRY(update_device_counters(db_, counters));
    std::sort(body_candidates_.begin(), body_candidates_.end());
    body_candidates_.erase(std::unique(body_candidates_.begin(), body_candidates_.end()), body_candidates_.end());
    return delete_unreferenced_bodies(db_, body_candidates_);
  }

  /// Gives the batch's bodies their ids and points the queue rows at them.
  Status assign_body_ids() {
    if (bodies_.empty()) return ok();
    std::vector<std::int64_t> ids;
    ids.reserve(bodies_.size());
    if constexpr (Db::kSharedWriters) {
      HUSH_TRY(reserve_body_ids(db_, bodies_.size(), ids));
    } else {
      if (!last_body_id_) {
        HUSH_TRY_ASSIGN(std::int64_t max_id, max_body_id(db_));
        last_body_id_ = max_id;
      }
      for (std::size_t i = 0; i < bodies_.size(); ++i) ids.push_back(++*last_body_id_);
    }
    for (std::size_t i = 0; i < bodies_.size(); ++i) bodies_[i].id = ids[i];
    for (QueueRow& q : queue_rows_) q.body_id = ids[static_cast<std::size_t>(q.body_id)];
    return ok();
  }

  /// Shared writers: reads and locks, in one statement and in a fixed order,
  /// the devices of every account the batch's sends and acks name, into the
  /// batch's overlay (accounts another write of this batch changed too: it
  /// has run already and holds their locks).
  Status lock_batch_devices(std::span<WriteRequest* const> batch) {
    std::vector<AccountId> accounts;
    for (WriteRequest* r : batch) {
      if (r->kind == WriteRequest::Kind::ack) {
        accounts.push_back(static_cast<AckWrite&>(*r).device.account);
      } else if (r->kind == WriteRequest::Kind::send) {
        const NewMessage& m = static_cast<SendWrite&>(*r).message;
        for (const Delivery& d : m.deliveries) accounts.push_back(d.recipient.account);
        accounts.insert(accounts.end(), m.exact_accounts.begin(), m.exact_accounts.end());
      }
    }
    std::sort(accounts.begin(), accounts.end());
    accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
    std::vector<DeviceState> rows;
    HUSH_TRY(lock_devices(db_, accounts, rows));
    for (const AccountId& a : accounts) overlay_.erase(a);
    for (const DeviceState& d : rows) {
      overlay_[d.device.account].push_back(CachedDevice{d.device.device,
                                                        RegistrationId{static_cast<std::uint32_t>(d.registration_id)},
                                                        d.next_seq, d.queue_depth});
    }
    // An account without device rows (unknown, or all removed) is not in
    // the overlay: account_state reads it, and finds out which.
    return ok();
  }

  void mark_dirty(const DeviceAddress& a, CachedDevice& dev) {
    if (dev.dirty) return;
    dev.dirty = true;
    dirty_.push_back(a);
  }

  /// The batch's copy of the account's devices (from the cache, else read in
  /// this transaction); nullptr when the account does not exist (not cached).
  Result<CachedAccount*> account_state(const AccountId& account) {
    if (auto it = overlay_.find(account); it != overlay_.end()) return &it->second;
    if (auto it = cache_.find(account); it != cache_.end() && !evicted_.contains(account))
      return &overlay_.emplace(account, it->second).first->second;
    HUSH_TRY_ASSIGN(auto q, db_.query(statements::kAccountDevices));
    q.bind(1, ByteView(account.bytes));
    CachedAccount devices;
    bool exists = false;
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      exists = true;
      if (q.is_null(0)) continue;  // an account without devices
      devices.push_back(CachedDevice{DeviceId{static_cast<std::uint32_t>(q.int64(0))},
                                     RegistrationId{static_cast<std::uint32_t>(q.int64(1))}, q.int64(2), q.int64(3)});
    }
    if (!exists) return static_cast<CachedAccount*>(nullptr);
    return &overlay_.emplace(account, std::move(devices)).first->second;
  }

  Result<CachedDevice*> device_state(const DeviceAddress& a) {
    HUSH_TRY_ASSIGN(CachedAccount * account, account_state(a.account));
    if (account == nullptr) return static_cast<CachedDevice*>(nullptr);
    for (CachedDevice& d : *account)
      if (d.id == a.device) return &d;
    return static_cast<CachedDevice*>(nullptr);
  }

  /// After a commit: what the batch read and changed becomes the cache.
  void merge() {
    if constexpr (Db::kSharedWriters) {
      overlay_.clear();  // read again next batch: another node may write meanwhile
      return;
    }
    for (const AccountId& a : evicted_) cache_.erase(a);
    for (auto& [a, devices] : overlay_) cache_.insert_or_assign(a, std::move(devices));
    overlay_.clear();
  }

  Db& db_;  // NOLINT: the writer connection outlives its executor
  std::unordered_map<AccountId, CachedAccount, AccountHash> cache_;  ///< as of the last commit
  /// SQLite: bodies.id is assigned here (only this writer inserts).
  std::optional<std::int64_t> last_body_id_;

  // One attempt's state.
  std::unordered_map<AccountId, CachedAccount, AccountHash> overlay_;
  std::set<AccountId> evicted_;  ///< changed by other writes: cache_ is out of date for them
  std::map<SentKey, std::int64_t> stored_;  ///< sends stored in this batch (a retry inside it is a duplicate)
  std::vector<BodyRow> bodies_;
  std::vector<QueueRow> queue_rows_;
  std::vector<SentRow> sent_rows_;
  std::vector<DeviceAddress> dirty_;
  std::vector<std::int64_t> body_candidates_;
  std::map<ShareKey, std::int64_t> share_added_;  ///< rows this batch queued per (device, sender), not yet written
};

}  // namespace hush::server::storage
