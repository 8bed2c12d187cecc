// SqlStore<Db>: identity keys, signed pre-keys, one-time pre-keys, Kyber
// pre-keys (one-time and last-resort) and bundle fetches that take each
// one-time key exactly once, EC and Kyber in one transaction. Included by
// sql_store.hpp only.
#pragma once

#include <algorithm>
#include <vector>

namespace hush::server::storage {

template <class Db>
Status SqlStore<Db>::set_device_keys(const DeviceAddress& device, const crypto::PublicKey& identity_key,
                                     const SignedPreKeyRecord& spk) {
  auto db = pool_.lease();
  SqlTransaction<Db> tx(*db);
  HUSH_TRY(tx.begin());
  {
    // Lock order everywhere: account, then device, then queue rows.
    HUSH_TRY_ASSIGN(auto q, db->query(Db::kLockAccountForUpdate));
    q.bind(1, sql::view(device.account));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) return make_error(Errc::not_found, "account");
  }
  HUSH_TRY_ASSIGN(bool exists, device_exists(*db, device, true));
  if (!exists) return make_error(Errc::not_found, "device");
  HUSH_TRY(set_identity_key_in(*db, device.account, identity_key));
  HUSH_TRY(set_signed_pre_key_in(*db, device, spk));
  return tx.commit();
}

// The first key upload (or registration) fixes the account's identity;
// another one is refused. Caller holds the account row.
template <class Db>
Status SqlStore<Db>::set_identity_key_in(Db& db, const AccountId& account, const crypto::PublicKey& identity_key) {
  Bytes identity = identity_key.serialize();
  HUSH_TRY_ASSIGN(auto q, db.query("UPDATE accounts SET identity_key = ? WHERE id = ? "
                                   "AND (identity_key IS NULL OR identity_key = ?) RETURNING id"));
  q.bind(1, ByteView(identity)).bind(2, sql::view(account)).bind(3, ByteView(identity));
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return make_error(Errc::conflict, "account has another identity key");
  return ok();
}

template <class Db>
Status SqlStore<Db>::store_device_keys(Db& db, const DeviceAddress& device, const DeviceKeys& keys) {
  HUSH_TRY(set_identity_key_in(db, device.account, keys.identity_key));
  HUSH_TRY(set_signed_pre_key_in(db, device, keys.signed_pre_key));
  HUSH_TRY(add_one_time_pre_keys_in(db, device, keys.one_time_pre_keys));
  if (keys.last_resort_kyber_pre_key) HUSH_TRY(set_last_resort_kyber_in(db, device, *keys.last_resort_kyber_pre_key));
  return add_kyber_pre_keys_in(db, device, keys.kyber_pre_keys);
}

template <class Db>
Status SqlStore<Db>::set_signed_pre_key_in(Db& db, const DeviceAddress& device, const SignedPreKeyRecord& spk) {
  Bytes pub = spk.public_key.serialize();
  HUSH_TRY_ASSIGN(auto q, db.query("UPDATE devices SET spk_id = ?, spk_public = ?, spk_signature = ? "
                                   "WHERE account_id = ? AND device_id = ? RETURNING device_id"));
  q.bind(1, std::int64_t{spk.id})
      .bind(2, ByteView(pub))
      .bind(3, ByteView(spk.signature))
      .bind(4, sql::view(device.account))
      .bind(5, sql::i64(device.device));
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return make_error(Errc::not_found, "device");
  return ok();
}

template <class Db>
Status SqlStore<Db>::set_signed_pre_key(const DeviceAddress& device, const SignedPreKeyRecord& spk) {
  auto db = pool_.lease();
  return set_signed_pre_key_in(*db, device, spk);
}

template <class Db>
Status SqlStore<Db>::add_one_time_pre_keys(const DeviceAddress& device, std::span<const OneTimePreKeyRecord> keys,
                                           std::size_t max_held) {
  auto db = pool_.lease();
  SqlTransaction<Db> tx(*db);
  HUSH_TRY(tx.begin());
  HUSH_TRY_ASSIGN(bool exists, device_exists(*db, device, true));
  if (!exists) return make_error(Errc::not_found, "device");
  HUSH_TRY(add_one_time_pre_keys_in(*db, device, keys));
  HUSH_TRY_ASSIGN(std::size_t held, count_in(*db, OneTimeTable::ec, device));
  if (held > max_held) return make_error(Errc::quota_exceeded, "one-time pre-keys");  // rolls back
  return tx.commit();
}

// A key id the device already holds is replaced. Caller holds the device row.
template <class Db>
Status SqlStore<Db>::add_one_time_pre_keys_in(Db& db, const DeviceAddress& device,
                                              std::span<const OneTimePreKeyRecord> keys) {
  for (const OneTimePreKeyRecord& k : keys) {
    Bytes pub = k.public_key.serialize();
    HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO one_time_pre_keys (account_id, device_id, key_id, public_key) "
                                     "VALUES (?, ?, ?, ?) ON CONFLICT (account_id, device_id, key_id) "
                                     "DO UPDATE SET public_key = excluded.public_key"));
    q.bind(1, sql::view(device.account))
        .bind(2, sql::i64(device.device))
        .bind(3, std::int64_t{k.id})
        .bind(4, ByteView(pub));
    HUSH_TRY(q.run());
  }
  return ok();
}

template <class Db>
Result<std::size_t> SqlStore<Db>::count_in(Db& db, OneTimeTable table, const DeviceAddress& device) {
  // Literals only: Db::query caches statements by the text's address.
  const char* sql = table == OneTimeTable::kyber
                        ? "SELECT COUNT(*) FROM kyber_pre_keys WHERE account_id = ? AND device_id = ?"
                        : "SELECT COUNT(*) FROM one_time_pre_keys WHERE account_id = ? AND device_id = ?";
  HUSH_TRY_ASSIGN(auto q, db.query(sql));
  q.bind(1, sql::view(device.account)).bind(2, sql::i64(device.device));
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return make_error(Errc::storage_failure, "count");
  return static_cast<std::size_t>(q.int64(0));
}

template <class Db>
Result<std::vector<std::uint32_t>> SqlStore<Db>::key_ids(OneTimeTable table, const DeviceAddress& device) {
  auto db = pool_.lease();
  HUSH_TRY_ASSIGN(bool exists, device_exists(*db, device, false));
  if (!exists) return make_error(Errc::not_found, "device");
  const char* sql =
      table == OneTimeTable::kyber
          ? "SELECT key_id FROM kyber_pre_keys WHERE account_id = ? AND device_id = ? ORDER BY key_id"
          : "SELECT key_id FROM one_time_pre_keys WHERE account_id = ? AND device_id = ? ORDER BY key_id";
  HUSH_TRY_ASSIGN(auto q, db->query(sql));
  q.bind(1, sql::view(device.account)).bind(2, sql::i64(device.device));
  std::vector<std::uint32_t> ids;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    ids.push_back(static_cast<std::uint32_t>(q.int64(0)));
  }
  return ids;
}

template <class Db>
Result<std::vector<std::uint32_t>> SqlStore<Db>::one_time_pre_key_ids(const DeviceAddress& device) {
  return key_ids(OneTimeTable::ec, device);
}

template <class Db>
Result<std::size_t> SqlStore<Db>::count_keys(OneTimeTable table, const DeviceAddress& device) {
  auto db = pool_.lease();
  HUSH_TRY_ASSIGN(bool exists, device_exists(*db, device, false));
  if (!exists) return make_error(Errc::not_found, "device");
  return count_in(*db, table, device);
}

template <class Db>
Result<std::size_t> SqlStore<Db>::count_one_time_pre_keys(const DeviceAddress& device) {
  return count_keys(OneTimeTable::ec, device);
}

// One transaction for the whole upload, so a refused part (another identity
// key, a held limit) leaves the earlier parts unstored too.
template <class Db>
Status SqlStore<Db>::upload_keys(const DeviceAddress& device, const KeyBatch& batch, std::size_t max_one_time,
                                 std::size_t max_kyber) {
  auto db = pool_.lease();
  SqlTransaction<Db> tx(*db);
  HUSH_TRY(tx.begin());
  if (batch.identity_key) {
    // Lock order everywhere: account, then device, then queue rows.
    HUSH_TRY_ASSIGN(auto q, db->query(Db::kLockAccountForUpdate));
    q.bind(1, sql::view(device.account));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) return make_error(Errc::not_found, "account");
  }
  HUSH_TRY_ASSIGN(bool exists, device_exists(*db, device, true));
  if (!exists) return make_error(Errc::not_found, "device");
  if (batch.identity_key) HUSH_TRY(set_identity_key_in(*db, device.account, *batch.identity_key));
  if (batch.signed_pre_key) HUSH_TRY(set_signed_pre_key_in(*db, device, *batch.signed_pre_key));
  if (!batch.one_time_pre_keys.empty()) {
    HUSH_TRY(add_one_time_pre_keys_in(*db, device, batch.one_time_pre_keys));
    HUSH_TRY_ASSIGN(std::size_t held, count_in(*db, OneTimeTable::ec, device));
    if (held > max_one_time) return make_error(Errc::quota_exceeded, "one-time pre-keys");  // rolls back
  }
  if (batch.last_resort_kyber_pre_key) {
    HUSH_TRY(set_last_resort_kyber_in(*db, device, *batch.last_resort_kyber_pre_key));
  }
  if (!batch.kyber_pre_keys.empty()) {
    HUSH_TRY(add_kyber_pre_keys_in(*db, device, batch.kyber_pre_keys));
    HUSH_TRY_ASSIGN(std::size_t held, count_in(*db, OneTimeTable::kyber, device));
    if (held > max_kyber) return make_error(Errc::quota_exceeded, "kyber pre-keys");  // rolls back
  }
  return tx.commit();
}

// ---- Kyber pre-keys (PQXDH, issue #15) ---------------------------------------

namespace sql {
/// A Kyber pre-key from columns (id, public_key, signature) starting at `first`.
template <class Query>
Result<KyberPreKeyRecord> read_kyber(Query& q, int first) {
  KyberPreKeyRecord k;
  k.id = static_cast<std::uint32_t>(q.int64(first));
  ByteView pub = q.blob(first + 1);
  if (pub.size() != kKyberPublicKeySize) {
    return make_error(Errc::storage_failure, "stored kyber key has the wrong size");
  }
  k.public_key = to_bytes(pub);
  HUSH_TRY_ASSIGN(k.signature, read_array<crypto::kSignatureSize>(q.blob(first + 2)));
  return k;
}
}  // namespace sql

template <class Db>
Status SqlStore<Db>::set_last_resort_kyber_in(Db& db, const DeviceAddress& device, const KyberPreKeyRecord& key) {
  HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO kyber_last_resort_keys (account_id, device_id, key_id, public_key, "
                                   "signature) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, device_id) "
                                   "DO UPDATE SET key_id = excluded.key_id, public_key = excluded.public_key, "
                                   "signature = excluded.signature"));
  q.bind(1, sql::view(device.account))
      .bind(2, sql::i64(device.device))
      .bind(3, std::int64_t{key.id})
      .bind(4, ByteView(key.public_key))
      .bind(5, ByteView(key.signature));
  return q.run();
}

// A key id the device already holds is replaced. Caller holds the device row.
template <class Db>
Status SqlStore<Db>::add_kyber_pre_keys_in(Db& db, const DeviceAddress& device,
                                           std::span<const KyberPreKeyRecord> keys) {
  for (const KyberPreKeyRecord& k : keys) {
    HUSH_TRY_ASSIGN(auto q, db.query("INSERT INTO kyber_pre_keys (account_id, device_id, key_id, public_key, "
                                     "signature) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, device_id, key_id) "
                                     "DO UPDATE SET public_key = excluded.public_key, signature = excluded.signature"));
    q.bind(1, sql::view(device.account))
        .bind(2, sql::i64(device.device))
        .bind(3, std::int64_t{k.id})
        .bind(4, ByteView(k.public_key))
        .bind(5, ByteView(k.signature));
    HUSH_TRY(q.run());
  }
  return ok();
}

template <class Db>
Result<std::size_t> SqlStore<Db>::count_kyber_pre_keys(const DeviceAddress& device) {
  return count_keys(OneTimeTable::kyber, device);
}

template <class Db>
Result<std::vector<std::uint32_t>> SqlStore<Db>::kyber_pre_key_ids(const DeviceAddress& device) {
  return key_ids(OneTimeTable::kyber, device);
}

// The one-time Kyber key is taken in the caller's transaction, the one that
// took (or tried to take) the EC one: both go, or neither does.
template <class Db>
Status SqlStore<Db>::take_kyber_in(Db& db, const AccountId& account, PreKeyBundle& b, bool one_time) {
  if (one_time) {
    HUSH_TRY_ASSIGN(auto q, db.query(Db::kTakeKyberPreKey));
    q.bind(1, sql::view(account)).bind(2, sql::i64(b.device));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (row) {
      HUSH_TRY_ASSIGN(b.kyber_pre_key, sql::read_kyber(q, 0));
      b.kyber_last_resort = false;
    }
  }
  if (!b.kyber_pre_key) {
    HUSH_TRY_ASSIGN(auto q, db.query("SELECT key_id, public_key, signature FROM kyber_last_resort_keys "
                                     "WHERE account_id = ? AND device_id = ?"));
    q.bind(1, sql::view(account)).bind(2, sql::i64(b.device));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (row) {
      HUSH_TRY_ASSIGN(b.kyber_pre_key, sql::read_kyber(q, 0));
      b.kyber_last_resort = true;
    }
  }
  return ok();
}

template <class Db>
Result<std::vector<PreKeyBundle>> SqlStore<Db>::take_bundles(const AccountId& account, std::optional<DeviceId> only,
                                                             std::span<const DeviceId> no_one_time) {
  auto db = pool_.lease();
  SqlTransaction<Db> tx(*db);
  HUSH_TRY(tx.begin());
  std::optional<crypto::PublicKey> identity;
  {
    HUSH_TRY_ASSIGN(auto q, db->query("SELECT identity_key FROM accounts WHERE id = ?"));
    q.bind(1, sql::view(account));
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) return make_error(Errc::not_found, "account");
    if (!q.is_null(0)) {
      HUSH_TRY_ASSIGN(identity, sql::read_public_key(q.blob(0)));
    }
  }
  std::vector<PreKeyBundle> bundles;
  if (identity) {
    HUSH_TRY_ASSIGN(auto q, db->query("SELECT device_id, registration_id, spk_id, spk_public, spk_signature "
                                      "FROM devices WHERE account_id = ? AND spk_public IS NOT NULL "
                                      "ORDER BY device_id"));
    q.bind(1, sql::view(account));
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      DeviceId id{static_cast<std::uint32_t>(q.int64(0))};
      if (only && *only != id) continue;
      PreKeyBundle b;
      b.device = id;
      b.registration_id = RegistrationId{static_cast<std::uint32_t>(q.int64(1))};
      b.identity_key = *identity;
      b.signed_pre_key.id = static_cast<std::uint32_t>(q.int64(2));
      HUSH_TRY_ASSIGN(b.signed_pre_key.public_key, sql::read_public_key(q.blob(3)));
      HUSH_TRY_ASSIGN(b.signed_pre_key.signature, sql::read_array<crypto::kSignatureSize>(q.blob(4)));
      bundles.push_back(std::move(b));
    }
  }
  if (only && bundles.empty()) return make_error(Errc::not_found, "device keys");
  for (PreKeyBundle& b : bundles) {
    const DeviceAddress address{account, b.device};
    if (std::find(no_one_time.begin(), no_one_time.end(), b.device) != no_one_time.end()) {
      HUSH_TRY(take_kyber_in(*db, account, b, false));  // the last-resort one, if any
      continue;
    }
    {
      HUSH_TRY_ASSIGN(auto q, db->query(Db::kTakeOneTimePreKey));
      q.bind(1, sql::view(account)).bind(2, sql::i64(b.device));
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (row) {
        OneTimePreKeyRecord k;
        k.id = static_cast<std::uint32_t>(q.int64(0));
        HUSH_TRY_ASSIGN(k.public_key, sql::read_public_key(q.blob(1)));
        b.one_time_pre_key = k;
      }
    }
    HUSH_TRY(take_kyber_in(*db, account, b, true));
    if (b.one_time_pre_key || (b.kyber_pre_key && !b.kyber_last_resort)) {
      HUSH_TRY_ASSIGN(b.one_time_left, count_in(*db, OneTimeTable::ec, address));
      HUSH_TRY_ASSIGN(b.kyber_left, count_in(*db, OneTimeTable::kyber, address));
    }
  }
  HUSH_TRY(tx.commit());
  return bundles;
}

}  // namespace hush::server::storage
