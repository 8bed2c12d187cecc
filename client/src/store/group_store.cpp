// Group records and sender key records, each sealed to its row. A group
// record is one RecordWriter encoding (format 2; 1 still loads): name, members, admins,
// version, active, history, refused changes, holders of our sending key.
#include <hush/client/store/group_store.hpp>

#include "record_codec.hpp"
#include "group_record_migration.hpp"
#include "store_access.hpp"

#include <algorithm>
#include <tuple>

namespace hush::client::store {

namespace {

constexpr const char* kGroupTables = R"sql(
CREATE TABLE IF NOT EXISTS groups (
  group_id BLOB PRIMARY KEY CHECK (length(group_id) = 32),
  record   BLOB NOT NULL                 -- sealed: GroupRecord (format 1)
) STRICT;
CREATE TABLE IF NOT EXISTS sender_keys (
  group_id  BLOB    NOT NULL,
  account   TEXT    NOT NULL,          -- the sender's address (store/account_address.hpp)
  device_id INTEGER NOT NULL,
  record    BLOB    NOT NULL,            -- sealed: libhush SenderKeyRecord
  PRIMARY KEY (group_id, account, device_id)
) STRICT;
CREATE INDEX IF NOT EXISTS sender_keys_by_sender ON sender_keys (account, device_id);
)sql";

constexpr const char* kGroupColumn = "groups.record";
constexpr const char* kSenderKeyColumn = "sender_keys.record";
/// Format 2 adds the fields of membership agreement (§8.7); format 1 records still load.
constexpr std::uint32_t kGroupRecordFormat = 2;
constexpr std::uint32_t kGroupRecordFormat1 = 1;
/// Longest kept serialized change (a change without history is far smaller).
constexpr std::size_t kMaxKeptChangeBytes = 256 * 1024;
/// Bounds when reading a record back (each far above what the SDK writes).
constexpr std::size_t kMaxNameBytes = 1024;
constexpr std::uint32_t kMaxListLength = 100000;

Bytes sender_key_row_key(ByteView group_id, const signal::ProtocolAddress& a) {
  return RecordWriter().bytes(group_id).string(a.name).u32(a.device.value).finish_public();
}

void write_names(RecordWriter& w, const std::vector<std::string>& names) {
  w.u32(static_cast<std::uint32_t>(names.size()));
  for (const auto& n : names) w.string(n);
}

Result<std::vector<std::string>> read_names(RecordReader& r) {
  HUSH_TRY_ASSIGN(auto n, r.u32());
  if (n > kMaxListLength) return make_error(Errc::decode_error, "group record list");
  std::vector<std::string> out;
  out.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    HUSH_TRY_ASSIGN(auto s, r.string(kMaxNameBytes));
    out.push_back(std::move(s));
  }
  return out;
}

Result<content::GroupAction> read_action(RecordReader& r) {
  HUSH_TRY_ASSIGN(auto a, r.u8());
  if (a < 1 || a > 5) return make_error(Errc::decode_error, "group record action");
  return static_cast<content::GroupAction>(a);
}

SecretBuffer encode(const GroupRecord& g) {
  RecordWriter w;
  w.u32(kGroupRecordFormat).string(g.name);
  write_names(w, g.members);
  write_names(w, g.admins);
  w.u32(g.version).u8(g.active ? 1 : 0);
  w.u32(static_cast<std::uint32_t>(g.history.size()));
  for (const auto& h : g.history) {
    w.u32(h.version).string(h.author).u8(static_cast<std::uint8_t>(h.action));
    write_names(w, h.subjects);
    w.string(h.name).u64(h.timestamp_ms);
  }
  w.u32(static_cast<std::uint32_t>(g.refused.size()));
  for (const auto& f : g.refused) {
    w.u32(f.version).string(f.author).u8(static_cast<std::uint8_t>(f.action)).string(f.reason).u64(f.received_ms);
  }
  w.u32(static_cast<std::uint32_t>(g.key_holders.size()));
  for (const auto& a : g.key_holders) w.string(a.name).u32(a.device.value);
  w.u32(static_cast<std::uint32_t>(g.recent_changes.size()));
  for (const auto& c : g.recent_changes) w.bytes(c);
  w.u8(g.has_previous ? 1 : 0);
  write_names(w, g.previous_members);
  write_names(w, g.previous_admins);
  w.string(g.previous_name);
  w.u32(static_cast<std::uint32_t>(g.warnings.size()));
  for (const auto& x : g.warnings) w.u64(x.at_ms).string(x.text);
  w.u32(g.known_ahead).string(g.ahead_member);
  return w.finish();
}

Result<GroupRecord> decode(ByteView id, ByteView bytes) {
  RecordReader r(bytes);
  GroupRecord g;
  g.id = to_bytes(id);
  HUSH_TRY_ASSIGN(auto format, r.u32());
  if (format != kGroupRecordFormat && format != kGroupRecordFormat1) {
    return make_error(Errc::unsupported_version, "group record format");
  }
  HUSH_TRY_ASSIGN(g.name, r.string(kMaxNameBytes));
  HUSH_TRY_ASSIGN(g.members, read_names(r));
  HUSH_TRY_ASSIGN(g.admins, read_names(r));
  HUSH_TRY_ASSIGN(g.version, r.u32());
  HUSH_TRY_ASSIGN(auto active, r.u8());
  g.active = active != 0;
  HUSH_TRY_ASSIGN(auto nh, r.u32());
  if (nh > kMaxListLength) return make_error(Errc::decode_error, "group record history");
  for (std::uint32_t i = 0; i < nh; ++i) {
    GroupHistoryEntry h;
    HUSH_TRY_ASSIGN(h.version, r.u32());
    HUSH_TRY_ASSIGN(h.author, r.string(kMaxNameBytes));
    HUSH_TRY_ASSIGN(h.action, read_action(r));
    HUSH_TRY_ASSIGN(h.subjects, read_names(r));
    HUSH_TRY_ASSIGN(h.name, r.string(kMaxNameBytes));
    HUSH_TRY_ASSIGN(h.timestamp_ms, r.u64());
    g.history.push_back(std::move(h));
  }
  HUSH_TRY_ASSIGN(auto nr, r.u32());
  if (nr > kMaxListLength) return make_error(Errc::decode_error, "group record refused");
  for (std::uint32_t i = 0; i < nr; ++i) {
    RefusedGroupChange f;
    HUSH_TRY_ASSIGN(f.version, r.u32());
    HUSH_TRY_ASSIGN(f.author, r.string(kMaxNameBytes));
    HUSH_TRY_ASSIGN(f.action, read_action(r));
    HUSH_TRY_ASSIGN(f.reason, r.string(kMaxNameBytes));
    HUSH_TRY_ASSIGN(f.received_ms, r.u64());
    g.refused.push_back(std::move(f));
  }
  HUSH_TRY_ASSIGN(auto nk, r.u32());
  if (nk > kMaxListLength) return make_error(Errc::decode_error, "group record holders");
  for (std::uint32_t i = 0; i < nk; ++i) {
    HUSH_TRY_ASSIGN(auto name, r.string(kMaxNameBytes));
    HUSH_TRY_ASSIGN(auto device, r.u32());
    g.key_holders.push_back(signal::ProtocolAddress{std::move(name), signal::DeviceId{device}});
  }
  if (format >= kGroupRecordFormat) {
    HUSH_TRY_ASSIGN(auto nc, r.u32());
    if (nc > kMaxKeptChanges) return make_error(Errc::decode_error, "group record changes");
    for (std::uint32_t i = 0; i < nc; ++i) {
      HUSH_TRY_ASSIGN(auto c, r.bytes(kMaxKeptChangeBytes));
      g.recent_changes.push_back(to_bytes(c));
    }
    HUSH_TRY_ASSIGN(auto hp, r.u8());
    g.has_previous = hp != 0;
    HUSH_TRY_ASSIGN(g.previous_members, read_names(r));
    HUSH_TRY_ASSIGN(g.previous_admins, read_names(r));
    HUSH_TRY_ASSIGN(g.previous_name, r.string(kMaxNameBytes));
    HUSH_TRY_ASSIGN(auto nw, r.u32());
    if (nw > kMaxGroupWarnings) return make_error(Errc::decode_error, "group record warnings");
    for (std::uint32_t i = 0; i < nw; ++i) {
      GroupWarning x;
      HUSH_TRY_ASSIGN(x.at_ms, r.u64());
      HUSH_TRY_ASSIGN(x.text, r.string(4096));
      g.warnings.push_back(std::move(x));
    }
    HUSH_TRY_ASSIGN(g.known_ahead, r.u32());
    HUSH_TRY_ASSIGN(g.ahead_member, r.string(kMaxNameBytes));
  }
  HUSH_TRY(r.done());
  return g;
}

}  // namespace

Result<SecretBuffer> rename_key_holders(ByteView group_id, ByteView record,
                                        const std::function<std::string(const std::string&)>& rename) {
  HUSH_TRY_ASSIGN(auto g, decode(group_id, record));
  for (auto& a : g.key_holders) a.name = rename(a.name);
  return encode(g);
}

Status ensure_group_tables(LocalStore& store) { return StoreAccess::db(store).exec(kGroupTables); }

Status GroupStore::put(const GroupRecord& g) {
  if (g.id.size() != content::kGroupIdSize) return make_error(Errc::invalid_argument, "group id length");
  SecretBuffer plain = encode(g);
  Bytes sealed = store_.seal(kGroupColumn, g.id, plain.expose());
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare(
                              "INSERT INTO groups (group_id, record) VALUES (?, ?) "
                              "ON CONFLICT (group_id) DO UPDATE SET record = excluded.record"));
  q.bind(1, ByteView(g.id)).bind(2, ByteView(sealed));
  return q.run();
}

Result<std::optional<GroupRecord>> GroupStore::get(ByteView group_id) {
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare("SELECT record FROM groups WHERE group_id = ?"));
  q.bind(1, group_id);
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return std::optional<GroupRecord>();
  HUSH_TRY_ASSIGN(auto plain, store_.open_value(kGroupColumn, group_id, q.blob(0)));
  HUSH_TRY_ASSIGN(auto g, decode(group_id, plain.expose()));
  return std::optional<GroupRecord>(std::move(g));
}

Result<std::vector<GroupRecord>> GroupStore::all() {
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare("SELECT group_id, record FROM groups"));
  std::vector<GroupRecord> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    Bytes id = to_bytes(q.blob(0));
    HUSH_TRY_ASSIGN(auto plain, store_.open_value(kGroupColumn, id, q.blob(1)));
    HUSH_TRY_ASSIGN(auto g, decode(id, plain.expose()));
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(),
            [](const GroupRecord& a, const GroupRecord& b) { return std::tie(a.name, a.id) < std::tie(b.name, b.id); });
  return out;
}

Result<std::optional<signal::SenderKeyRecord>> SqliteSenderKeyStore::load_sender_key(const signal::SenderKeyName& n) {
  const ByteView group = as_bytes(n.group_id);
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare(
                              "SELECT record FROM sender_keys WHERE group_id = ? AND account = ? AND device_id = ?"));
  q.bind(1, group).bind_text(2, n.sender.name).bind(3, static_cast<std::int64_t>(n.sender.device.value));
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return std::optional<signal::SenderKeyRecord>();
  HUSH_TRY_ASSIGN(auto plain, store_.open_value(kSenderKeyColumn, sender_key_row_key(group, n.sender), q.blob(0)));
  HUSH_TRY_ASSIGN(auto record, signal::SenderKeyRecord::deserialize(plain.expose()));
  return std::optional<signal::SenderKeyRecord>(std::move(record));
}

Status SqliteSenderKeyStore::store_sender_key(const signal::SenderKeyName& n, const signal::SenderKeyRecord& record) {
  const ByteView group = as_bytes(n.group_id);
  SecretBuffer plain = record.serialize();
  Bytes sealed = store_.seal(kSenderKeyColumn, sender_key_row_key(group, n.sender), plain.expose());
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare(
                              "INSERT OR REPLACE INTO sender_keys (group_id, account, device_id, record) "
                              "VALUES (?, ?, ?, ?)"));
  q.bind(1, group).bind_text(2, n.sender.name).bind(3, static_cast<std::int64_t>(n.sender.device.value));
  q.bind(4, ByteView(sealed));
  return q.run();
}

Status SqliteSenderKeyStore::erase(const signal::SenderKeyName& n) {
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare(
                              "DELETE FROM sender_keys WHERE group_id = ? AND account = ? AND device_id = ?"));
  q.bind(1, as_bytes(n.group_id)).bind_text(2, n.sender.name).bind(3, static_cast<std::int64_t>(n.sender.device.value));
  return q.run();
}

Status SqliteSenderKeyStore::erase_group(ByteView group_id, std::string_view username) {
  if (username.empty()) {
    HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare("DELETE FROM sender_keys WHERE group_id = ?"));
    q.bind(1, group_id);
    return q.run();
  }
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare("DELETE FROM sender_keys WHERE group_id = ? AND account = ?"));
  q.bind(1, group_id).bind_text(2, username);
  return q.run();
}

Result<std::vector<Bytes>> SqliteSenderKeyStore::groups_of(const signal::ProtocolAddress& sender) {
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare(
                              "SELECT group_id FROM sender_keys WHERE account = ? AND device_id = ?"));
  q.bind_text(1, sender.name).bind(2, static_cast<std::int64_t>(sender.device.value));
  std::vector<Bytes> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, q.step());
    if (!row) return out;
    out.push_back(to_bytes(q.blob(0)));
  }
}

}  // namespace hush::client::store
