// The outbox: queued payloads, sealed to (recipient, message id).
#include <hush/client/store/outbox.hpp>

#include "record_codec.hpp"
#include "store_access.hpp"

#include <algorithm>

namespace hush::client::store {

namespace {

constexpr const char* kPayloadColumn = "outbox.payload";

Bytes outbox_row_key(std::string_view recipient, const MessageId& id) {
  return RecordWriter().string(recipient).bytes(id.view()).finish_public();
}

}  // namespace

Result<std::int64_t> Outbox::enqueue(std::string_view recipient, const MessageId& id, ByteView payload) {
  Bytes sealed = store_.seal(kPayloadColumn, outbox_row_key(recipient, id), payload);
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "INSERT INTO outbox (recipient, message_id, created_ms, payload) VALUES (?, ?, ?, ?) "
                                 "RETURNING seq"));
  stmt.bind_text(1, recipient).bind(2, id.view()).bind(3, static_cast<std::int64_t>(store_.now_ms()));
  stmt.bind(4, ByteView(sealed));
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return make_error(Errc::storage_failure, "outbox insert");
  std::int64_t seq = stmt.int64(0);
  HUSH_TRY(stmt.run());
  return seq;
}

Result<std::vector<OutboxEntry>> Outbox::pending(std::size_t limit) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "SELECT seq, recipient, message_id, created_ms, attempts, payload FROM outbox "
                                 "ORDER BY seq LIMIT ?"));
  stmt.bind(1, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<OutboxEntry> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, stmt.step());
    if (!row) return out;
    OutboxEntry e;
    e.seq = stmt.int64(0);
    e.recipient = stmt.text(1);
    HUSH_TRY_ASSIGN(e.id, MessageId::from(stmt.blob(2)));
    e.created_ms = static_cast<std::uint64_t>(stmt.int64(3));
    e.attempts = static_cast<std::uint32_t>(stmt.int64(4));
    HUSH_TRY_ASSIGN(e.payload, store_.open_value(kPayloadColumn, outbox_row_key(e.recipient, e.id), stmt.blob(5)));
    out.push_back(std::move(e));
  }
}

Status Outbox::note_attempt(std::int64_t seq) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?"));
  stmt.bind(1, seq);
  return stmt.run();
}

Status Outbox::remove(std::int64_t seq) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("DELETE FROM outbox WHERE seq = ?"));
  stmt.bind(1, seq);
  return stmt.run();
}

}  // namespace hush::client::store
