// History rows: metadata plaintext, the text sealed to (peer, direction, id).
#include <hush/client/store/message_history.hpp>

#include "record_codec.hpp"
#include "store_access.hpp"

#include <algorithm>

namespace hush::client::store {

namespace {

constexpr const char* kBodyColumn = "messages.body";

Bytes message_row_key(std::string_view peer, MessageDirection direction, const MessageId& id) {
  return RecordWriter().string(peer).u8(static_cast<std::uint8_t>(direction)).bytes(id.view()).finish_public();
}

Result<HistoryEntry> read_entry(LocalStore& store, SqliteStatement& stmt) {
  // Columns: peer, direction, message_id, group_id, timestamp_ms, body.
  HistoryEntry e;
  e.peer = stmt.text(0);
  std::int64_t direction = stmt.int64(1);
  if (direction != 1 && direction != 2) return make_error(Errc::decode_error, "history direction");
  e.direction = static_cast<MessageDirection>(direction);
  HUSH_TRY_ASSIGN(e.id, MessageId::from(stmt.blob(2)));
  if (!stmt.is_null(3)) e.group_id = to_bytes(stmt.blob(3));
  e.timestamp_ms = static_cast<std::uint64_t>(stmt.int64(4));
  HUSH_TRY_ASSIGN(e.body, store.open_value(kBodyColumn, message_row_key(e.peer, e.direction, e.id), stmt.blob(5)));
  return e;
}

}  // namespace

Status MessageHistory::insert(const HistoryEntry& e) {
  if (e.group_id && e.group_id->size() > kMaxGroupIdSize) return make_error(Errc::invalid_argument, "group id length");
  Bytes sealed = store_.seal(kBodyColumn, message_row_key(e.peer, e.direction, e.id), e.body.expose());
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "INSERT INTO messages (peer, direction, message_id, group_id, timestamp_ms, body) "
                                 "VALUES (?, ?, ?, ?, ?, ?)"));
  stmt.bind_text(1, e.peer).bind(2, static_cast<std::int64_t>(e.direction)).bind(3, e.id.view());
  if (e.group_id) {
    stmt.bind(4, ByteView(*e.group_id));
  } else {
    stmt.bind_null(4);
  }
  stmt.bind(5, static_cast<std::int64_t>(e.timestamp_ms)).bind(6, ByteView(sealed));
  return stmt.run();
}

Result<std::vector<HistoryEntry>> MessageHistory::with_peer(std::string_view peer, std::size_t limit) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "SELECT peer, direction, message_id, group_id, timestamp_ms, body FROM messages "
                                 "WHERE peer = ? ORDER BY seq DESC LIMIT ?"));
  stmt.bind_text(1, peer).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<HistoryEntry> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, stmt.step());
    if (!row) break;
    HUSH_TRY_ASSIGN(auto e, read_entry(store_, stmt));
    out.push_back(std::move(e));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::vector<HistoryEntry>> MessageHistory::in_group(ByteView group_id, std::size_t limit) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "SELECT peer, direction, message_id, group_id, timestamp_ms, body FROM messages "
                                 "WHERE group_id = ? ORDER BY seq DESC LIMIT ?"));
  stmt.bind(1, group_id).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<HistoryEntry> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, stmt.step());
    if (!row) break;
    HUSH_TRY_ASSIGN(auto e, read_entry(store_, stmt));
    out.push_back(std::move(e));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::optional<HistoryEntry>> MessageHistory::find(std::string_view peer, MessageDirection direction,
                                                         const MessageId& id) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "SELECT peer, direction, message_id, group_id, timestamp_ms, body FROM messages "
                                 "WHERE peer = ? AND direction = ? AND message_id = ?"));
  stmt.bind_text(1, peer).bind(2, static_cast<std::int64_t>(direction)).bind(3, id.view());
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return std::optional<HistoryEntry>{};
  HUSH_TRY_ASSIGN(auto e, read_entry(store_, stmt));
  return std::optional<HistoryEntry>{std::move(e)};
}

}  // namespace hush::client::store
