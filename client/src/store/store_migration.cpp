// The v1 -> v2 migration of the client store (docs/adr/0003-client-store-encryption.md,
// "Schema versions"). The cell's associated data carries the schema version,
// so every sealed value is opened under v1 and sealed again under v2, which
// also authenticates every value once: a damaged cell fails the migration
// and, with it, the open, before anything is written.
#include "store_migration.hpp"

#include "record_codec.hpp"
#include "schema.hpp"
#include "store_access.hpp"

#include <vector>

namespace hush::client::store {

namespace {

constexpr std::uint32_t kV1 = 1;

/// One sealed column of schema 1: where it is and how its row key is made.
/// The statement's columns are rowid, the `keys`, then the sealed value.
struct SealedColumn {
  const char* table;
  const char* column;  ///< the sealed column's name in `table`
  const char* keys;    ///< the key columns, as SQL ("username, device_id")
  int key_count;
  Bytes (*row_key)(const SqliteStatement& row);  ///< from columns 1..key_count
};

Bytes no_key_row(const SqliteStatement&) { return RecordWriter().u32(1).finish_public(); }
Bytes id_row(const SqliteStatement& r) {
  return RecordWriter().u32(static_cast<std::uint32_t>(r.int64(1))).finish_public();
}

/// Every sealed cell of schema 1, with the row keys the v1 code bound them to
/// (the same functions the table classes used).
const std::vector<SealedColumn>& v1_sealed_columns() {
  static const std::vector<SealedColumn> columns = {
      {"local_identity", "identity", "id", 1, no_key_row},
      {"account", "record", "id", 1, no_key_row},
      {"contacts", "identity", "username", 1,
       [](const SqliteStatement& r) { return RecordWriter().string(r.text(1)).finish_public(); }},
      {"sessions", "record", "username, device_id", 2,
       [](const SqliteStatement& r) {
         return RecordWriter().string(r.text(1)).u32(static_cast<std::uint32_t>(r.int64(2))).finish_public();
       }},
      {"pre_keys", "record", "id", 1, id_row},
      {"signed_pre_keys", "record", "id", 1, id_row},
      {"kyber_pre_keys", "record", "id", 1, id_row},
      {"messages", "body", "peer, direction, message_id", 3,
       [](const SqliteStatement& r) {
         return RecordWriter()
             .string(r.text(1))
             .u8(static_cast<std::uint8_t>(r.int64(2)))
             .bytes(r.blob(3))
             .finish_public();
       }},
      {"outbox", "payload", "recipient, message_id", 2,
       [](const SqliteStatement& r) { return RecordWriter().string(r.text(1)).bytes(r.blob(2)).finish_public(); }},
      {"groups", "record", "group_id", 1, [](const SqliteStatement& r) { return to_bytes(r.blob(1)); }},
      {"sender_keys", "record", "group_id, username, device_id", 3,
       [](const SqliteStatement& r) {
         return RecordWriter()
             .bytes(r.blob(1))
             .string(r.text(2))
             .u32(static_cast<std::uint32_t>(r.int64(3)))
             .finish_public();
       }},
      {"sent_messages", "frame", "message_id, recipient_account, recipient_name", 3,
       [](const SqliteStatement& r) {
         return RecordWriter().bytes(r.blob(1)).bytes(r.blob(2)).string(r.text(3)).finish_public();
       }},
      {"sdk_state", "value", "name", 1, [](const SqliteStatement& r) { return to_bytes(as_bytes(r.text(1))); }},
  };
  return columns;
}

/// Whether `table` exists: the tables made at first use (IF NOT EXISTS) may
/// be missing from an older store.
Result<bool> table_exists(SqliteDb& db, const char* table) {
  HUSH_TRY_ASSIGN(auto q, db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"));
  q.bind_text(1, table);
  return q.step();
}

/// Opens every value of `c` under its v1 associated data and seals it again
/// under the current one, in place (the row keys of these columns do not change).
Status reseal_in_place(LocalStore& store, SqliteDb& db, const SealedColumn& c) {
  HUSH_TRY_ASSIGN(bool exists, table_exists(db, c.table));
  if (!exists) return ok();
  const std::string ad_column = std::string(c.table) + "." + c.column;
  struct Resealed {
    std::int64_t rowid;
    Bytes value;
  };
  std::vector<Resealed> rows;
  {
    const std::string sql = std::string("SELECT rowid, ") + c.keys + ", " + c.column + " FROM " + c.table;
    HUSH_TRY_ASSIGN(auto q, db.prepare(sql));
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      const Bytes key = c.row_key(q);
      auto plain = crypto::open_xchacha(StoreAccess::data_key(store).expose(), q.blob(c.key_count + 1),
                                        cell_ad(kV1, ad_column, key));
      if (!plain) return make_error(Errc::bad_mac, "store migration: a stored value failed authentication");
      rows.push_back({q.int64(0), store.seal(ad_column, key, plain->expose())});
    }
  }
  const std::string sql = std::string("UPDATE ") + c.table + " SET " + c.column + " = ? WHERE rowid = ?";
  for (const auto& r : rows) {
    HUSH_TRY_ASSIGN(auto u, db.prepare(sql));
    u.bind(1, ByteView(r.value)).bind(2, r.rowid);
    HUSH_TRY(u.run());
  }
  return ok();
}

Status migrate_v1_to_v2(LocalStore& store, SqliteDb& db) {
  for (const auto& c : v1_sealed_columns()) HUSH_TRY(reseal_in_place(store, db, c));
  return ok();
}

}  // namespace

Status migrate_store(LocalStore& store, const StoreHeader& header, const crypto::Argon2idKey& kek) {
  SqliteDb& db = StoreAccess::db(store);
  HUSH_CHECK(db.depth() == 0);
  HUSH_TRY(db.begin());  // BEGIN IMMEDIATE: no other process writes until we are done
  Status st = [&]() -> Status {
    // Read again under the lock: another process may have migrated (or
    // rewrapped) since our first read.
    HUSH_TRY_ASSIGN(auto current, read_header(db));
    if (current.schema_version == kStoreSchemaVersion) return ok();
    if (current.salt != header.salt || current.wrapped_data_key != header.wrapped_data_key) {
      return make_error(Errc::conflict, "store header changed while opening: open again");
    }
    if (current.schema_version == kV1) HUSH_TRY(migrate_v1_to_v2(store, db));
    current.schema_version = kStoreSchemaVersion;
    wrap_data_key(current, kek, StoreAccess::data_key(store), store.rng());
    return write_header(db, current);
  }();
  if (st) st = db.commit();
  if (!st) db.rollback();
  return st;
}

}  // namespace hush::client::store
