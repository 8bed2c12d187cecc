// The SQL of the mailbox's hot statements — those run for every send, ack
// or delivery — named in one place, so that the PostgreSQL plan check
// (tests/server/pg_plans_test.cpp) examines exactly the text hushd
// prepares. Parameters are written `?` (PgConn turns them into $n).
// Connections cache prepared statements by the pointer: always pass these
// constants, never a copy of their text. docs/server/storage.md, "Plans".
#pragma once

namespace hush::server::storage::statements {

// ---- both backends -----------------------------------------------------------

/// A device's queued messages after a seq, with their bodies (delivery).
inline constexpr const char* kPending =
    "SELECT q.seq, q.sender_account, q.sender_device, q.message_id, q.type, "
    "q.server_time, b.content FROM queue q JOIN bodies b ON b.id = q.body_id "
    "WHERE q.account_id = ? AND q.device_id = ? AND q.seq > ? "
    "ORDER BY q.seq LIMIT ?";
/// An account's devices as a send is checked against them; one row with
/// NULLs for an account without devices, none for an unknown account.
inline constexpr const char* kAccountDevices =
    "SELECT d.device_id, d.registration_id, d.next_seq, d.queue_depth "
    "FROM accounts a LEFT JOIN devices d ON d.account_id = a.id "
    "WHERE a.id = ? ORDER BY d.device_id";
/// A device's credential hash (every authentication).
inline constexpr const char* kCredential =
    "SELECT credential_hash, registration_id FROM devices WHERE account_id = ? AND device_id = ?";

// ---- PostgreSQL: one statement per batch, arrays as parameters -----------------

inline constexpr const char* kPgInsertBodies =
    "INSERT INTO bodies (id, content) SELECT * FROM unnest(?::int8[], ?::bytea[])";
inline constexpr const char* kPgInsertQueueRows =
    "INSERT INTO queue (account_id, device_id, seq, body_id, sender_account, "
    "sender_device, message_id, type, server_time) "
    "SELECT * FROM unnest(?::bytea[], ?::int8[], ?::int8[], ?::int8[], ?::bytea[], "
    "?::int8[], ?::bytea[], ?::int8[], ?::int8[])";
inline constexpr const char* kPgInsertSent =
    "INSERT INTO sent (sender_account, sender_device, message_id, server_time) "
    "SELECT * FROM unnest(?::bytea[], ?::int8[], ?::bytea[], ?::int8[])";
inline constexpr const char* kPgUpdateDeviceCounters =
    "UPDATE devices d SET next_seq = u.next_seq, queue_depth = d.queue_depth + u.delta "
    "FROM unnest(?::bytea[], ?::int8[], ?::int8[], ?::int8[]) "
    "AS u(account_id, device_id, next_seq, delta) "
    "WHERE d.account_id = u.account_id AND d.device_id = u.device_id "
    "RETURNING d.device_id";
inline constexpr const char* kPgFindSent =
    "SELECT s.sender_account, s.sender_device, s.message_id, s.server_time "
    "FROM sent s JOIN unnest(?::bytea[], ?::int8[], ?::bytea[]) AS k(a, d, m) "
    "ON s.sender_account = k.a AND s.sender_device = k.d AND s.message_id = k.m";
inline constexpr const char* kPgDeleteQueueRows =
    "DELETE FROM queue q USING unnest(?::bytea[], ?::int8[], ?::int8[]) AS k(a, d, s) "
    "WHERE q.account_id = k.a AND q.device_id = k.d AND q.seq = k.s "
    "RETURNING q.account_id, q.device_id, q.seq, q.body_id";
inline constexpr const char* kPgDeleteUnreferencedBodies =
    "DELETE FROM bodies b WHERE b.id = ANY(?::int8[]) "
    "AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.body_id = b.id)";
inline constexpr const char* kPgReserveBodyIds = "SELECT nextval('body_ids') FROM generate_series(1::int8, ?::int8)";
/// Shared writers lock the devices a batch checks, in this order (LockRows
/// sits above the Sort). NO KEY UPDATE: what the batch's UPDATE of the
/// counters takes anyway; it still lets foreign-key checks (a one-time
/// pre-key upload on a pooled connection) through, and a device removal
/// (DELETE) waits for it.
inline constexpr const char* kPgLockDevices =
    "SELECT account_id, device_id, registration_id, next_seq, queue_depth "
    "FROM devices WHERE account_id = ANY(?::bytea[]) "
    "ORDER BY account_id, device_id FOR NO KEY UPDATE";

}  // namespace hush::server::storage::statements
