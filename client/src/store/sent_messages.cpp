// Sent frames kept for a resend, and the decryption-error rate limit.
// Row keys bind each sealed frame to its envelope id and recipient.
#include <hush/client/store/sent_messages.hpp>

#include "record_codec.hpp"
#include "store_access.hpp"

#include <algorithm>

namespace hush::client::store {

namespace {

constexpr const char* kTables = R"sql(
CREATE TABLE IF NOT EXISTS sent_messages (
  message_id        BLOB    PRIMARY KEY,  -- the envelope id the recipient sees
  recipient_account BLOB    NOT NULL,
  recipient_address TEXT    NOT NULL,  -- the account's address (store/account_address.hpp)
  created_ms        INTEGER NOT NULL,
  resends           INTEGER NOT NULL DEFAULT 0,
  resend_pending    INTEGER NOT NULL DEFAULT 0,
  frame             BLOB    NOT NULL      -- sealed: the padded frame
) STRICT;
CREATE INDEX IF NOT EXISTS sent_messages_by_age ON sent_messages (created_ms);
CREATE TABLE IF NOT EXISTS decryption_error_budget (
  peer         TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  window_start INTEGER NOT NULL,
  used         INTEGER NOT NULL,
  PRIMARY KEY (peer, kind)
) STRICT, WITHOUT ROWID;
)sql";

constexpr const char* kFrameColumn = "sent_messages.frame";

Bytes row_key(ByteView id, ByteView account, std::string_view name) {
  return RecordWriter().bytes(id).bytes(account).string(name).finish_public();
}

}  // namespace

Status ensure_sent_message_tables(LocalStore& store) { return StoreAccess::db(store).exec(kTables); }

Status SentMessages::keep(ByteView server_message_id, ByteView recipient_account, std::string_view recipient_name,
                          ByteView frame) {
  auto& db = StoreAccess::db(store_);
  const auto now = static_cast<std::int64_t>(store_.now_ms());
  Bytes sealed = store_.seal(kFrameColumn, row_key(server_message_id, recipient_account, recipient_name), frame);
  return store_.transaction([&]() -> Status {
    HUSH_TRY_ASSIGN(auto insert, db.prepare("INSERT OR REPLACE INTO sent_messages "
                                            "(message_id, recipient_account, recipient_address, created_ms, frame) "
                                            "VALUES (?, ?, ?, ?, ?)"));
    insert.bind(1, server_message_id).bind(2, recipient_account).bind_text(3, recipient_name).bind(4, now);
    insert.bind(5, ByteView(sealed));
    HUSH_TRY(insert.run());
    HUSH_TRY_ASSIGN(auto old, db.prepare("DELETE FROM sent_messages WHERE created_ms < ?"));
    old.bind(1, now - static_cast<std::int64_t>(kSentMessageRetentionMs));
    HUSH_TRY(old.run());
    HUSH_TRY_ASSIGN(auto excess, db.prepare("DELETE FROM sent_messages WHERE message_id NOT IN "
                                            "(SELECT message_id FROM sent_messages "
                                            "ORDER BY created_ms DESC, rowid DESC LIMIT ?)"));
    excess.bind(1, static_cast<std::int64_t>(kMaxSentMessages));
    return excess.run();
  });
}

namespace {

Result<SentRecord> read_row(LocalStore& store, const SqliteStatement& stmt) {
  SentRecord r;
  r.server_message_id = to_bytes(stmt.blob(0));
  r.recipient_account = to_bytes(stmt.blob(1));
  r.recipient_name = stmt.text(2);
  r.created_ms = static_cast<std::uint64_t>(stmt.int64(3));
  r.resends = static_cast<std::uint32_t>(stmt.int64(4));
  r.resend_pending = stmt.int64(5) != 0;
  HUSH_TRY_ASSIGN(r.frame, store.open_value(kFrameColumn, row_key(r.server_message_id, r.recipient_account,
                                                                  r.recipient_name),
                                            stmt.blob(6)));
  return r;
}

constexpr const char* kColumns =
    "SELECT message_id, recipient_account, recipient_address, created_ms, resends, resend_pending, frame "
    "FROM sent_messages ";

}  // namespace

Result<std::optional<SentRecord>> SentMessages::find(ByteView server_message_id) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(std::string(kColumns) + "WHERE message_id = ?"));
  stmt.bind(1, server_message_id);
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return std::optional<SentRecord>();
  HUSH_TRY_ASSIGN(auto r, read_row(store_, stmt));
  return std::optional<SentRecord>(std::move(r));
}

Result<bool> SentMessages::request_resend(ByteView server_message_id) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "UPDATE sent_messages SET resend_pending = 1 WHERE message_id = ? AND resends < ? "
                                 "RETURNING message_id"));
  stmt.bind(1, server_message_id).bind(2, static_cast<std::int64_t>(kMaxResendsPerMessage));
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  HUSH_TRY(stmt.run());
  return row;
}

Result<std::vector<SentRecord>> SentMessages::pending_resends() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(std::string(kColumns) +
                                                             "WHERE resend_pending = 1 ORDER BY created_ms, rowid"));
  std::vector<SentRecord> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, stmt.step());
    if (!row) return out;
    HUSH_TRY_ASSIGN(auto r, read_row(store_, stmt));
    out.push_back(std::move(r));
  }
}

Status SentMessages::resent(ByteView server_message_id) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "UPDATE sent_messages SET resend_pending = 0, resends = resends + 1 "
                                 "WHERE message_id = ?"));
  stmt.bind(1, server_message_id);
  return stmt.run();
}

Result<bool> DecryptionErrorBudget::take(std::string_view peer, std::string_view kind, std::uint32_t limit,
                                         std::uint64_t window_ms) {
  auto& db = StoreAccess::db(store_);
  const auto now = static_cast<std::int64_t>(store_.now_ms());
  bool granted = false;
  Status st = store_.transaction([&]() -> Status {
    HUSH_TRY_ASSIGN(auto read, db.prepare("SELECT window_start, used FROM decryption_error_budget "
                                          "WHERE peer = ? AND kind = ?"));
    read.bind_text(1, peer).bind_text(2, kind);
    HUSH_TRY_ASSIGN(bool row, read.step());
    std::int64_t start = now;
    std::int64_t used = 0;
    if (row && now - read.int64(0) < static_cast<std::int64_t>(window_ms) && now >= read.int64(0)) {
      start = read.int64(0);
      used = read.int64(1);
    }
    HUSH_TRY(read.run());
    if (used >= static_cast<std::int64_t>(limit)) return ok();
    granted = true;
    HUSH_TRY_ASSIGN(auto write, db.prepare("INSERT OR REPLACE INTO decryption_error_budget "
                                           "(peer, kind, window_start, used) VALUES (?, ?, ?, ?)"));
    write.bind_text(1, peer).bind_text(2, kind).bind(3, start).bind(4, used + 1);
    return write.run();
  });
  HUSH_TRY(st);
  return granted;
}

}  // namespace hush::client::store
