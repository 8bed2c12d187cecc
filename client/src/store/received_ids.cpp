// The de-duplication table: INSERT ... ON CONFLICT DO NOTHING RETURNING
// tells in one statement whether an id is new.
#include <hush/client/store/received_ids.hpp>

#include "store_access.hpp"

namespace hush::client::store {

namespace {

Status check_id(ByteView id) {
  if (id.empty() || id.size() > kMaxReceivedIdSize) return make_error(Errc::invalid_argument, "received id length");
  return ok();
}

}  // namespace

Result<bool> ReceivedIds::insert(std::string_view sender, ByteView id) {
  HUSH_TRY(check_id(id));
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "INSERT INTO received_ids (sender, id, received_ms) VALUES (?, ?, ?) "
                                 "ON CONFLICT DO NOTHING RETURNING 1"));
  stmt.bind_text(1, sender).bind(2, id).bind(3, static_cast<std::int64_t>(store_.now_ms()));
  HUSH_TRY_ASSIGN(bool inserted, stmt.step());
  HUSH_TRY(stmt.run());
  return inserted;
}

Result<bool> ReceivedIds::contains(std::string_view sender, ByteView id) {
  HUSH_TRY(check_id(id));
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT 1 FROM received_ids WHERE sender = ? AND id = ?"));
  stmt.bind_text(1, sender).bind(2, id);
  return stmt.step();
}

Status ReceivedIds::prune_before(std::uint64_t cutoff_ms) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("DELETE FROM received_ids WHERE received_ms < ?"));
  stmt.bind(1, static_cast<std::int64_t>(cutoff_ms));
  return stmt.run();
}

}  // namespace hush::client::store
