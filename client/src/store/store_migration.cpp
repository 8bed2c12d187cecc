// The v1 -> v2 migration of the client store (docs/adr/0003-client-store-encryption.md,
// "Schema versions"). The cell's associated data carries the schema version,
// so every sealed value is opened under v1 and sealed again under v2, which
// also authenticates every value once: a damaged cell fails the migration
// and, with it, the open, before anything is written. v2 keys peers by
// account (store/account_address.hpp): usernames are translated through the
// v1 directory table; no network call happens here.
#include "store_migration.hpp"

#include "group_record_migration.hpp"
#include "record_codec.hpp"
#include "schema.hpp"
#include "store_access.hpp"

#include <hush/client/store/account_address.hpp>
#include <hush/client/store/unresolved_peers.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace hush::client::store {

namespace {

constexpr std::uint32_t kV1 = 1;

/// How a v1 row's address name becomes a v2 one.
enum class Rename {
  none,          ///< the row keys do not name a peer
  by_directory,  ///< a username, translated through the v1 directory
  by_account,    ///< a username beside its account id (column account_col)
};

/// One sealed column of schema 1: where it is and how its row key is made.
/// The statement's columns are rowid, the `keys`, then the sealed value.
struct SealedColumn {
  const char* table;
  const char* column;  ///< the sealed column's name in `table`
  const char* keys;    ///< the key columns, as SQL ("username, device_id")
  int key_count;
  /// The row key from columns 1..key_count, with `name` in place of the
  /// username column (the v1 name, or the v2 address).
  Bytes (*row_key)(const SqliteStatement& row, const std::string& name);
  Rename rename = Rename::none;
  int name_col = 0;              ///< statement column of the username
  const char* name_sql = "";     ///< its SQL name
  const char* renamed_to = "";   ///< the column's v2 name (empty: the same)
  int account_col = 0;           ///< Rename::by_account: statement column of the account id
};

Bytes no_key_row(const SqliteStatement&, const std::string&) { return RecordWriter().u32(1).finish_public(); }
Bytes id_row(const SqliteStatement& r, const std::string&) {
  return RecordWriter().u32(static_cast<std::uint32_t>(r.int64(1))).finish_public();
}

/// Every sealed cell of schema 1, with the row keys the v1 code bound them to
/// (the same encodings the table classes use), and how v2 names their peer.
const std::vector<SealedColumn>& v1_sealed_columns() {
  static const std::vector<SealedColumn> columns = {
      {"local_identity", "identity", "id", 1, no_key_row},
      {"account", "record", "id", 1, no_key_row},
      {"contacts", "identity", "username", 1,
       [](const SqliteStatement&, const std::string& name) { return RecordWriter().string(name).finish_public(); },
       Rename::by_directory, 1, "username", "account"},
      {"sessions", "record", "username, device_id", 2,
       [](const SqliteStatement& r, const std::string& name) {
         return RecordWriter().string(name).u32(static_cast<std::uint32_t>(r.int64(2))).finish_public();
       },
       Rename::by_directory, 1, "username", "account"},
      {"pre_keys", "record", "id", 1, id_row},
      {"signed_pre_keys", "record", "id", 1, id_row},
      {"kyber_pre_keys", "record", "id", 1, id_row},
      {"messages", "body", "peer, direction, message_id", 3,
       [](const SqliteStatement& r, const std::string& name) {
         return RecordWriter()
             .string(name)
             .u8(static_cast<std::uint8_t>(r.int64(2)))
             .bytes(r.blob(3))
             .finish_public();
       },
       Rename::by_directory, 1, "peer"},
      // Group change copies stay addressed by username: they are resolved
      // when sent, as a new change's are (docs/protocol.md §8.3).
      {"outbox", "payload", "recipient, message_id", 2,
       [](const SqliteStatement& r, const std::string&) {
         return RecordWriter().string(r.text(1)).bytes(r.blob(2)).finish_public();
       }},
      {"groups", "record", "group_id", 1, [](const SqliteStatement& r, const std::string&) { return to_bytes(r.blob(1)); }},
      {"sender_keys", "record", "group_id, username, device_id", 3,
       [](const SqliteStatement& r, const std::string& name) {
         return RecordWriter().bytes(r.blob(1)).string(name).u32(static_cast<std::uint32_t>(r.int64(3))).finish_public();
       },
       Rename::by_directory, 2, "username", "account"},
      {"sent_messages", "frame", "message_id, recipient_account, recipient_name", 3,
       [](const SqliteStatement& r, const std::string& name) {
         return RecordWriter().bytes(r.blob(1)).bytes(r.blob(2)).string(name).finish_public();
       },
       Rename::by_account, 3, "recipient_name", "recipient_address", 2},
      {"sdk_state", "value", "name", 1,
       [](const SqliteStatement& r, const std::string&) { return to_bytes(as_bytes(r.text(1))); }},
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

/// v1 usernames -> v2 address names, from the v1 directory; a name it does
/// not know keeps its username as its address and is listed in
/// unresolved_peers (resolved by a lookup on a later connection).
class Names {
 public:
  static Result<Names> load(SqliteDb& db) {
    Names n;
    HUSH_TRY_ASSIGN(bool exists, table_exists(db, "directory"));
    if (!exists) return n;
    HUSH_TRY_ASSIGN(auto q, db.prepare("SELECT account_id, username FROM directory"));
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      const std::string address = account_address(q.blob(0));
      if (!address.empty()) n.known_.emplace(q.text(1), address);
    }
    return n;
  }
  std::string address_of(const std::string& username) {
    auto it = known_.find(username);
    if (it != known_.end()) return it->second;
    unresolved_.insert(username);
    return username;
  }
  [[nodiscard]] const std::set<std::string>& unresolved() const noexcept { return unresolved_; }

 private:
  std::map<std::string, std::string> known_;
  std::set<std::string> unresolved_;
};

/// Opens every value of `c` under its v1 associated data and seals it again
/// under v2's, under the row's v2 key (its peer renamed as `c` says).
Status reseal(LocalStore& store, SqliteDb& db, const SealedColumn& c, Names& names) {
  HUSH_TRY_ASSIGN(bool exists, table_exists(db, c.table));
  if (!exists) return ok();
  const std::string ad_column = std::string(c.table) + "." + c.column;
  struct Resealed {
    std::int64_t rowid;
    std::string name;  ///< the v2 address (renamed columns only)
    Bytes value;
  };
  std::vector<Resealed> rows;
  {
    const std::string sql = std::string("SELECT rowid, ") + c.keys + ", " + c.column + " FROM " + c.table;
    HUSH_TRY_ASSIGN(auto q, db.prepare(sql));
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      const std::string old_name = c.rename == Rename::none ? std::string() : q.text(c.name_col);
      std::string new_name = old_name;
      if (c.rename == Rename::by_directory) new_name = names.address_of(old_name);
      if (c.rename == Rename::by_account) {
        new_name = account_address(q.blob(c.account_col));
        if (new_name.empty()) return make_error(Errc::decode_error, "store migration: account id length");
      }
      auto plain = crypto::open_xchacha(StoreAccess::data_key(store).expose(), q.blob(c.key_count + 1),
                                        cell_ad(kV1, ad_column, c.row_key(q, old_name)));
      if (!plain) return make_error(Errc::bad_mac, "store migration: a stored value failed authentication");
      if (std::string_view(c.table) == "groups") {
        // Our Sender Key's holders are addresses too.
        HUSH_TRY_ASSIGN(plain, rename_key_holders(q.blob(1), plain->expose(),
                                                  [&](const std::string& n) { return names.address_of(n); }));
      }
      rows.push_back({q.int64(0), new_name, store.seal(ad_column, c.row_key(q, new_name), plain->expose())});
    }
  }
  const std::string sql = c.rename == Rename::none
                              ? std::string("UPDATE ") + c.table + " SET " + c.column + " = ? WHERE rowid = ?"
                              : std::string("UPDATE ") + c.table + " SET " + c.column + " = ?, " + c.name_sql +
                                    " = ? WHERE rowid = ?";
  for (const auto& r : rows) {
    HUSH_TRY_ASSIGN(auto u, db.prepare(sql));
    u.bind(1, ByteView(r.value));
    if (c.rename == Rename::none) {
      u.bind(2, r.rowid);
    } else {
      u.bind_text(2, r.name).bind(3, r.rowid);
    }
    HUSH_TRY(u.run());
  }
  if (*c.renamed_to != '\0') {
    const std::string alter =
        std::string("ALTER TABLE ") + c.table + " RENAME COLUMN " + c.name_sql + " TO " + c.renamed_to;
    HUSH_TRY(db.exec(alter.c_str()));
  }
  return ok();
}

Status migrate_v1_to_v2(LocalStore& store, SqliteDb& db) {
  HUSH_TRY_ASSIGN(auto names, Names::load(db));
  for (const auto& c : v1_sealed_columns()) HUSH_TRY(reseal(store, db, c, names));
  HUSH_TRY(ensure_unresolved_peers_table(store));
  for (const auto& name : names.unresolved()) HUSH_TRY(note_unresolved_peer(store, name));
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
