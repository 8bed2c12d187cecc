// SqlStore<Db>: opening, migrations, accounts, devices and link tokens.
// Included by sql_store.hpp only.
#pragma once

#include <algorithm>
#include <chrono>
#include <limits>
#include <vector>

namespace hush::server::storage {

template <class Db>
SqlStore<Db>::SqlStore(std::unique_ptr<Db> writer, std::size_t max_batch)
    : writer_db_(std::move(writer)),
      mailbox_writer_(std::make_unique<MailboxWriter<Db>>(*writer_db_)),
      group_commit_(std::make_unique<GroupCommit>(*mailbox_writer_, max_batch)) {}

template <class Db>
Status SqlStore<Db>::run_on_writer(typename OtherWrite<Db>::Fn fn) {
  OtherWrite<Db> w(std::move(fn));
  return group_commit_->run(w);
}

template <class Db>
SqlStore<Db>::~SqlStore() {
  group_commit_.reset();  // drains queued writes before the writer connection goes
}

template <class Db>
Result<std::unique_ptr<Store>> SqlStore<Db>::open(const Connect& connect, const StoreOptions& options) {
  HUSH_TRY_ASSIGN(auto writer, connect());
  HUSH_TRY(migrate(*writer));
  std::unique_ptr<SqlStore> store(new SqlStore(std::move(writer), options.max_batch));
  for (std::size_t i = 0; i < std::max<std::size_t>(options.pool_size, 1); ++i) {
    HUSH_TRY_ASSIGN(auto conn, connect());
    store->pool_.add(std::move(conn));
  }
  return std::unique_ptr<Store>(std::move(store));
}

// All pending migrations in one transaction, so a failure leaves the schema
// as it was; the backend's lock_schema() keeps two starting servers apart.
template <class Db>
Status SqlStore<Db>::migrate(Db& db) {
  SqlTransaction<Db> tx(db);
  HUSH_TRY(tx.begin());
  HUSH_TRY(db.lock_schema());
  HUSH_TRY(db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
  std::int64_t current = 0;
  {
    HUSH_TRY_ASSIGN(auto q, db.query("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (row) current = q.int64(0);
  }
  auto migrations = Db::migrations();
  if (!migrations.empty() && current > migrations.back().version)
    return make_error(Errc::storage_failure, "database schema is newer than this hushd");
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    std::string text(m.sql);
    HUSH_TRY(db.exec(text.c_str()));
    HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)"));
    q.bind(1, std::int64_t{m.version}).bind_text(2, m.name).bind(3, std::int64_t{now_ms});
    HUSH_TRY(q.run());
  }
  return tx.commit();
}

template <class Db>
Result<int> SqlStore<Db>::schema_version() {
  auto db = pool_.lease();
  HUSH_TRY_ASSIGN(auto q, db->query("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return make_error(Errc::storage_failure, "schema_version");
  return static_cast<int>(q.int64(0));
}

// Insert-if-absent, then read: two nodes starting at once both end up with
// the row the first insert committed.
template <class Db>
Result<SecretBytes<32>> SqlStore<Db>::shared_secret(std::string_view name, const SecretBytes<32>& candidate) {
  auto db = pool_.lease();
  {
    HUSH_TRY_ASSIGN(auto q, db->query("INSERT INTO server_secrets (name, value) VALUES (?, ?) "
                                      "ON CONFLICT (name) DO NOTHING"));
    q.bind_text(1, name).bind(2, ByteView(candidate.expose()));
    HUSH_TRY(q.run());
  }
  HUSH_TRY_ASSIGN(auto q, db->query("SELECT value FROM server_secrets WHERE name = ?"));
  q.bind_text(1, name);
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row || q.blob(0).size() != 32) return make_error(Errc::storage_failure, "server secret");
  return SecretBytes<32>::from(q.blob(0));
}

template <class Db>
Status SqlStore<Db>::record_challenge_use(ByteView nonce, Timestamp expires_at) {
  auto db = pool_.lease();
  HUSH_TRY_ASSIGN(auto q, db->query("INSERT INTO used_challenges (nonce, expires_at) VALUES (?, ?)"));
  q.bind(1, nonce).bind(2, to_millis(expires_at));
  return q.run();  // a used nonce: the primary key refuses it (conflict)
}

template <class Db>
Result<bool> SqlStore<Db>::device_exists(Db& db, const DeviceAddress& device, bool lock) {
  HUSH_TRY_ASSIGN(auto q, db.query(lock ? Db::kLockDevice
                                        : "SELECT 1 FROM devices WHERE account_id = ? AND device_id = ?"));
  q.bind(1, sql::view(device.account)).bind(2, sql::i64(device.device));
  return q.step();
}

template <class Db>
Status SqlStore<Db>::create_account(const NewAccount& account) {
  auto db = pool_.lease();
  SqlTransaction<Db> tx(*db);
  HUSH_TRY(tx.begin());
  {
    HUSH_TRY_ASSIGN(auto q, db->query("INSERT INTO accounts (id, username, created_at, recovery_hash) "
                                      "VALUES (?, ?, ?, ?)"));
    q.bind(1, sql::view(account.id)).bind_text(2, account.username).bind(3, to_millis(account.created_at));
    if (account.recovery_hash) {
      q.bind(4, ByteView(*account.recovery_hash));
    } else {
      q.bind_null(4);
    }
    HUSH_TRY(q.run());
  }
  {
    HUSH_TRY_ASSIGN(auto q, db->query("INSERT INTO devices (account_id, device_id, registration_id, "
                                      "credential_hash, created_at) VALUES (?, 1, ?, ?, ?)"));
    const NewDevice& d = account.first_device;
    q.bind(1, sql::view(account.id))
        .bind(2, std::int64_t{raw(d.registration_id)})
        .bind(3, ByteView(d.credential_hash))
        .bind(4, to_millis(d.created_at));
    HUSH_TRY(q.run());
  }
  if (account.first_device.keys) {
    HUSH_TRY(store_device_keys(*db, DeviceAddress{account.id, DeviceId{1}}, *account.first_device.keys));
  }
  return tx.commit();
}

namespace sql {
template <class Query>
Result<AccountRecord> read_account(Query& q) {
  AccountRecord a;
  HUSH_TRY_ASSIGN(a.id, AccountId::from_bytes(q.blob(0)));
  a.username = q.text(1);
  a.created_at = from_millis(q.int64(2));
  if (!q.is_null(3)) {
    HUSH_TRY_ASSIGN(auto key, read_public_key(q.blob(3)));
    a.identity_key = key;
  }
  return a;
}
}  // namespace sql

template <class Db>
Result<AccountRecord> SqlStore<Db>::get_account(const AccountId& id) {
  auto db = pool_.lease();
  HUSH_TRY_ASSIGN(auto q, db->query("SELECT id, username, created_at, identity_key FROM accounts WHERE id = ?"));
  q.bind(1, sql::view(id));
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return make_error(Errc::not_found, "account");
  return sql::read_account(q);
}

template <class Db>
Result<AccountRecord> SqlStore<Db>::find_account(std::string_view username_lower) {
  auto db = pool_.lease();
  HUSH_TRY_ASSIGN(auto q,
                  db->query("SELECT id, username, created_at, identity_key FROM accounts WHERE username = ?"));
  q.bind_text(1, username_lower);
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return make_error(Errc::not_found, "username");
  return sql::read_account(q);
}

template <class Db>
Result<std::vector<DeviceRecord>> SqlStore<Db>::list_devices(const AccountId& id) {
  auto db = pool_.lease();
  {
    HUSH_TRY_ASSIGN(auto q, db->query("SELECT 1 FROM accounts WHERE id = ?"));
    q.bind(1, sql::view(id));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) return make_error(Errc::not_found, "account");
  }
  HUSH_TRY_ASSIGN(auto q, db->query("SELECT device_id, registration_id, created_at, "
                                    "CASE WHEN spk_public IS NULL THEN 0 ELSE 1 END "
                                    "FROM devices WHERE account_id = ? ORDER BY device_id"));
  q.bind(1, sql::view(id));
  std::vector<DeviceRecord> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    out.push_back(DeviceRecord{DeviceId{static_cast<std::uint32_t>(q.int64(0))},
                               RegistrationId{static_cast<std::uint32_t>(q.int64(1))}, from_millis(q.int64(2)),
                               q.int64(3) != 0});
  }
  return out;
}

template <class Db>
Result<DeviceCredential> SqlStore<Db>::get_credential(const DeviceAddress& device) {
  auto db = pool_.lease();
  HUSH_TRY_ASSIGN(auto q, db->query(statements::kCredential));
  q.bind(1, sql::view(device.account)).bind(2, sql::i64(device.device));
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return make_error(Errc::not_found, "device");
  DeviceCredential c;
  HUSH_TRY_ASSIGN(c.credential_hash, sql::read_array<32>(q.blob(0)));
  c.registration_id = RegistrationId{static_cast<std::uint32_t>(q.int64(1))};
  return c;
}

template <class Db>
Status SqlStore<Db>::drop_body_if_unreferenced(Db& db, std::int64_t body_id) {
  HUSH_TRY_ASSIGN(auto q, db.query("DELETE FROM bodies WHERE id = ? AND NOT EXISTS "
                                   "(SELECT 1 FROM queue WHERE body_id = ?)"));
  q.bind(1, body_id).bind(2, body_id);
  return q.run();
}

// Deletes the device's rows stored before `before_ms`, keeps queue_depth in
// step and drops bodies nobody references any more. Caller holds the device lock.
template <class Db>
Status SqlStore<Db>::delete_queue_rows(Db& db, const DeviceAddress& device, std::int64_t before_ms,
                                       std::size_t& deleted) {
  std::vector<std::int64_t> bodies;
  {
    HUSH_TRY_ASSIGN(auto q, db.query("DELETE FROM queue WHERE account_id = ? AND device_id = ? "
                                     "AND server_time < ? RETURNING body_id"));
    q.bind(1, sql::view(device.account)).bind(2, sql::i64(device.device)).bind(3, before_ms);
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      bodies.push_back(q.int64(0));
    }
  }
  deleted = bodies.size();
  if (bodies.empty()) return ok();
  {
    HUSH_TRY_ASSIGN(auto q, db.query("UPDATE devices SET queue_depth = queue_depth - ? "
                                     "WHERE account_id = ? AND device_id = ?"));
    q.bind(1, static_cast<std::int64_t>(bodies.size())).bind(2, sql::view(device.account)).bind(3, sql::i64(device.device));
    HUSH_TRY(q.run());
  }
  std::sort(bodies.begin(), bodies.end());
  bodies.erase(std::unique(bodies.begin(), bodies.end()), bodies.end());
  for (std::int64_t id : bodies) HUSH_TRY(drop_body_if_unreferenced(db, id));
  return ok();
}

// On the writer: the device list a send is checked against changes only there.
template <class Db>
Status SqlStore<Db>::remove_device(const DeviceAddress& device) {
  return run_on_writer([&](Db& db, OtherOutcome& out) -> Status {
    out.touched.push_back(device.account);
    {
      // Lock order everywhere: account, then device, then queue rows.
      HUSH_TRY_ASSIGN(auto q, db.query(Db::kLockAccountForUpdate));
      q.bind(1, sql::view(device.account));
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) return make_error(Errc::not_found, "account");
    }
    HUSH_TRY_ASSIGN(bool exists, device_exists(db, device, true));
    if (!exists) return make_error(Errc::not_found, "device");
    return delete_device_rows(db, device);
  });
}

// The device's queue (and bodies nobody else references), keys and row.
// Caller holds the account and device locks.
template <class Db>
Status SqlStore<Db>::delete_device_rows(Db& db, const DeviceAddress& device) {
  std::size_t deleted = 0;
  HUSH_TRY(delete_queue_rows(db, device, std::numeric_limits<std::int64_t>::max(), deleted));
  for (const char* stmt : {"DELETE FROM one_time_pre_keys WHERE account_id = ? AND device_id = ?",
                           "DELETE FROM kyber_pre_keys WHERE account_id = ? AND device_id = ?",
                           "DELETE FROM kyber_last_resort_keys WHERE account_id = ? AND device_id = ?",
                           "DELETE FROM devices WHERE account_id = ? AND device_id = ?"}) {
    HUSH_TRY_ASSIGN(auto q, db.query(stmt));
    q.bind(1, sql::view(device.account)).bind(2, sql::i64(device.device));
    HUSH_TRY(q.run());
  }
  return ok();
}

// Adds `device` as the account's device `next_id` (read from the locked
// account row) and moves next_device_id on: ids are never reused.
template <class Db>
Status SqlStore<Db>::insert_next_device(Db& db, const AccountId& account, std::int64_t next_id,
                                        const NewDevice& device) {
  {
    HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO devices (account_id, device_id, registration_id, "
                                     "credential_hash, created_at) VALUES (?, ?, ?, ?, ?)"));
    q.bind(1, sql::view(account))
        .bind(2, next_id)
        .bind(3, std::int64_t{raw(device.registration_id)})
        .bind(4, ByteView(device.credential_hash))
        .bind(5, to_millis(device.created_at));
    HUSH_TRY(q.run());
  }
  HUSH_TRY_ASSIGN(auto q, db.query("UPDATE accounts SET next_device_id = next_device_id + 1 WHERE id = ?"));
  q.bind(1, sql::view(account));
  return q.run();
}

// On the writer, like remove_device. The account row is claimed by the
// UPDATE that consumes the recovery hash (the account lock, taken first as
// everywhere); a failure anywhere rolls the whole recovery back.
template <class Db>
Result<RecoveredAccount> SqlStore<Db>::recover_account(std::string_view username_lower, const SecretHash& recovery_hash,
                                                       const SecretHash& new_recovery_hash, const NewDevice& device) {
  RecoveredAccount result;
  Status st = run_on_writer([&](Db& db, OtherOutcome& out) -> Status {
    result = {};
    AccountId account;
    std::int64_t next_id = 0;
    {
      HUSH_TRY_ASSIGN(auto q, db.query("UPDATE accounts SET recovery_hash = ?, identity_key = NULL "
                                       "WHERE username = ? AND recovery_hash = ? RETURNING id, next_device_id"));
      q.bind(1, ByteView(new_recovery_hash)).bind_text(2, username_lower).bind(3, ByteView(recovery_hash));
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) return make_error(Errc::not_found, "account or recovery code");
      HUSH_TRY_ASSIGN(account, AccountId::from_bytes(q.blob(0)));
      next_id = q.int64(1);
    }
    out.touched.push_back(account);
    {
      HUSH_TRY_ASSIGN(auto q, db.query("SELECT device_id FROM devices WHERE account_id = ? ORDER BY device_id"));
      q.bind(1, sql::view(account));
      for (;;) {
        HUSH_TRY_ASSIGN(bool row, q.step());
        if (!row) break;
        result.removed.push_back(DeviceId{static_cast<std::uint32_t>(q.int64(0))});
      }
    }
    for (DeviceId id : result.removed) {
      const DeviceAddress old{account, id};
      HUSH_TRY_ASSIGN(bool exists, device_exists(db, old, true));
      if (exists) HUSH_TRY(delete_device_rows(db, old));
    }
    {
      HUSH_TRY_ASSIGN(auto q, db.query("DELETE FROM link_tokens WHERE account_id = ?"));
      q.bind(1, sql::view(account));
      HUSH_TRY(q.run());
    }
    HUSH_TRY(insert_next_device(db, account, next_id, device));
    result.added = DeviceAddress{account, DeviceId{static_cast<std::uint32_t>(next_id)}};
    if (device.keys) HUSH_TRY(store_device_keys(db, result.added, *device.keys));
    return ok();
  });
  if (!st) return st.error();
  return result;
}

template <class Db>
Status SqlStore<Db>::create_link_token(const AccountId& account, const SecretHash& token_hash, Timestamp expires_at) {
  auto db = pool_.lease();
  SqlTransaction<Db> tx(*db);
  HUSH_TRY(tx.begin());
  {
    HUSH_TRY_ASSIGN(auto q, db->query("SELECT 1 FROM accounts WHERE id = ?"));
    q.bind(1, sql::view(account));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) return make_error(Errc::not_found, "account");
  }
  HUSH_TRY_ASSIGN(auto q, db->query("INSERT INTO link_tokens (token_hash, account_id, expires_at) VALUES (?, ?, ?)"));
  q.bind(1, ByteView(token_hash)).bind(2, sql::view(account)).bind(3, to_millis(expires_at));
  HUSH_TRY(q.run());
  return tx.commit();
}

// On the writer, like remove_device. The token is claimed by deleting it: a
// refusal (device cap, another identity key) or a failed statement rolls
// back (the token stays); an expired token is gone for good (kept although
// the call fails).
template <class Db>
Result<DeviceAddress> SqlStore<Db>::add_device_with_link_token(const SecretHash& token_hash, Timestamp now,
                                                               const NewDevice& device, std::size_t max_devices) {
  DeviceAddress added;
  Status st = run_on_writer([&](Db& db, OtherOutcome& out) -> Status {
    AccountId account;
    std::int64_t expires_ms = 0;
    {
      HUSH_TRY_ASSIGN(auto q, db.query("DELETE FROM link_tokens WHERE token_hash = ? RETURNING account_id, expires_at"));
      q.bind(1, ByteView(token_hash));
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) return make_error(Errc::not_found, "link token");
      HUSH_TRY_ASSIGN(account, AccountId::from_bytes(q.blob(0)));
      expires_ms = q.int64(1);
    }
    if (expires_ms <= to_millis(now)) {
      out.keep_on_error = true;
      return make_error(Errc::not_found, "link token expired");
    }
    out.touched.push_back(account);
    std::int64_t next_id = 0;
    {
      HUSH_TRY_ASSIGN(auto q, db.query(Db::kLockAccountForUpdate));
      q.bind(1, sql::view(account));
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) return make_error(Errc::not_found, "account");
      next_id = q.int64(0);
    }
    {
      HUSH_TRY_ASSIGN(auto q, db.query("SELECT COUNT(*) FROM devices WHERE account_id = ?"));
      q.bind(1, sql::view(account));
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) return make_error(Errc::storage_failure, "device count");
      if (static_cast<std::size_t>(q.int64(0)) >= max_devices) return make_error(Errc::quota_exceeded, "devices");
    }
    HUSH_TRY(insert_next_device(db, account, next_id, device));
    added = DeviceAddress{account, DeviceId{static_cast<std::uint32_t>(next_id)}};
    // In the same savepoint: another identity key refuses the whole link
    // (conflict) and rolls back the token's deletion with it.
    if (device.keys) HUSH_TRY(store_device_keys(db, added, *device.keys));
    return ok();
  });
  if (!st) return st.error();
  return added;
}

}  // namespace hush::server::storage
