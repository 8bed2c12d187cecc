// Rows a migration could not key by account yet, moved once their account
// is known. Each value is opened under its old row key and sealed again
// under the new one (a cell is bound to its row key, adr/0003).
#include <hush/client/store/unresolved_peers.hpp>

#include "group_record_migration.hpp"
#include "record_codec.hpp"
#include "store_access.hpp"

#include <algorithm>
#include <cstring>

namespace hush::client::store {

namespace {

constexpr const char* kTable = R"sql(
CREATE TABLE IF NOT EXISTS unresolved_peers (
  username TEXT PRIMARY KEY
) STRICT;
)sql";

/// One table whose rows name a peer: its address column, the other key
/// columns, the sealed column and the row key with a given address.
struct PeerTable {
  const char* table;
  const char* address_col;
  const char* other_keys;  ///< after the address in the statement: columns 1..
  const char* sealed;
  Bytes (*row_key)(const SqliteStatement& r, const std::string& address);
};

const PeerTable kTables[] = {
    {"contacts", "account", "", "identity",
     [](const SqliteStatement&, const std::string& a) { return RecordWriter().string(a).finish_public(); }},
    {"sessions", "account", ", device_id", "record",
     [](const SqliteStatement& r, const std::string& a) {
       return RecordWriter().string(a).u32(static_cast<std::uint32_t>(r.int64(1))).finish_public();
     }},
    {"messages", "peer", ", direction, message_id", "body",
     [](const SqliteStatement& r, const std::string& a) {
       return RecordWriter().string(a).u8(static_cast<std::uint8_t>(r.int64(1))).bytes(r.blob(2)).finish_public();
     }},
    {"sender_keys", "account", ", group_id, device_id", "record",
     [](const SqliteStatement& r, const std::string& a) {
       return RecordWriter().bytes(r.blob(1)).string(a).u32(static_cast<std::uint32_t>(r.int64(2))).finish_public();
     }},
};

Result<bool> table_exists(SqliteDb& db, const char* table) {
  HUSH_TRY_ASSIGN(auto q, db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"));
  q.bind_text(1, table);
  return q.step();
}

Status move_rows(LocalStore& store, const PeerTable& t, const std::string& from, const std::string& to) {
  SqliteDb& db = StoreAccess::db(store);
  HUSH_TRY_ASSIGN(bool exists, table_exists(db, t.table));
  if (!exists) return ok();
  const std::string column = std::string(t.table) + "." + t.sealed;
  struct Moved {
    std::int64_t rowid;
    Bytes value;
  };
  std::vector<Moved> rows;
  {
    const std::string sql = std::string("SELECT rowid") + t.other_keys + ", " + t.sealed + " FROM " + t.table +
                            " WHERE " + t.address_col + " = ?";
    HUSH_TRY_ASSIGN(auto q, db.prepare(sql));
    q.bind_text(1, from);
    const int sealed_col = 1 + static_cast<int>(std::string_view(t.other_keys).empty() ? 0 : std::count(
                                                    t.other_keys, t.other_keys + std::strlen(t.other_keys), ','));
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      HUSH_TRY_ASSIGN(auto plain, store.open_value(column, t.row_key(q, from), q.blob(sealed_col)));
      rows.push_back({q.int64(0), store.seal(column, t.row_key(q, to), plain.expose())});
    }
  }
  // OR IGNORE... then DELETE: a row `to` already holds wins over the old copy.
  const std::string update = std::string("UPDATE OR IGNORE ") + t.table + " SET " + t.address_col + " = ?, " +
                             t.sealed + " = ? WHERE rowid = ?";
  for (const auto& r : rows) {
    HUSH_TRY_ASSIGN(auto u, db.prepare(update));
    u.bind_text(1, to).bind(2, ByteView(r.value)).bind(3, r.rowid);
    HUSH_TRY(u.run());
  }
  const std::string drop = std::string("DELETE FROM ") + t.table + " WHERE " + t.address_col + " = ?";
  HUSH_TRY_ASSIGN(auto d, db.prepare(drop));
  d.bind_text(1, from);
  return d.run();
}

/// Our groups' records list the holders of our Sender Key by address.
Status rename_holders(LocalStore& store, const std::string& from, const std::string& to) {
  SqliteDb& db = StoreAccess::db(store);
  HUSH_TRY_ASSIGN(bool exists, table_exists(db, "groups"));
  if (!exists) return ok();
  struct Renamed {
    Bytes id;
    Bytes value;
  };
  std::vector<Renamed> rows;
  {
    HUSH_TRY_ASSIGN(auto q, db.prepare("SELECT group_id, record FROM groups"));
    for (;;) {
      HUSH_TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      HUSH_TRY_ASSIGN(auto plain, store.open_value("groups.record", q.blob(0), q.blob(1)));
      bool named = false;
      HUSH_TRY_ASSIGN(auto renamed, rename_key_holders(q.blob(0), plain.expose(), [&](const std::string& n) {
                        if (n != from) return n;
                        named = true;
                        return to;
                      }));
      if (named) rows.push_back({to_bytes(q.blob(0)), store.seal("groups.record", q.blob(0), renamed.expose())});
    }
  }
  for (const auto& r : rows) {
    HUSH_TRY_ASSIGN(auto u, db.prepare("UPDATE groups SET record = ? WHERE group_id = ?"));
    u.bind(1, ByteView(r.value)).bind(2, ByteView(r.id));
    HUSH_TRY(u.run());
  }
  return ok();
}

}  // namespace

Status ensure_unresolved_peers_table(LocalStore& store) { return StoreAccess::db(store).exec(kTable); }

Status note_unresolved_peer(LocalStore& store, const std::string& username) {
  HUSH_TRY(ensure_unresolved_peers_table(store));
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store).prepare("INSERT OR IGNORE INTO unresolved_peers (username) VALUES (?)"));
  q.bind_text(1, username);
  return q.run();
}

Result<std::vector<std::string>> unresolved_peers(LocalStore& store) {
  SqliteDb& db = StoreAccess::db(store);
  std::vector<std::string> out;
  HUSH_TRY_ASSIGN(bool exists, table_exists(db, "unresolved_peers"));
  if (!exists) return out;
  HUSH_TRY_ASSIGN(auto q, db.prepare("SELECT username FROM unresolved_peers ORDER BY username"));
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    out.push_back(q.text(0));
  }
  return out;
}

Status rename_peer(LocalStore& store, const std::string& from, const std::string& to) {
  return store.transaction([&]() -> Status {
    for (const auto& t : kTables) HUSH_TRY(move_rows(store, t, from, to));
    HUSH_TRY(rename_holders(store, from, to));
    HUSH_TRY(ensure_unresolved_peers_table(store));
    HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store).prepare("DELETE FROM unresolved_peers WHERE username = ?"));
    q.bind_text(1, from);
    return q.run();
  });
}

}  // namespace hush::client::store
