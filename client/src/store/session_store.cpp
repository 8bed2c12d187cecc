// Session records, sealed per (address, device id): the address is the
// peer account's (store/account_address.hpp).
#include <hush/client/store/session_store.hpp>

#include "record_codec.hpp"
#include "store_access.hpp"

#include <hush/signal/session_record.hpp>

#include <algorithm>

namespace hush::client::store {

namespace {

constexpr const char* kSessionColumn = "sessions.record";
constexpr std::size_t kMaxKeptRecords = 64;

Bytes session_row_key(const signal::ProtocolAddress& a) {
  return RecordWriter().string(a.name).u32(a.device.value).finish_public();
}

}  // namespace

Result<std::optional<signal::SessionRecord>> SqliteSessionStore::load_session(const signal::ProtocolAddress& address) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "SELECT record FROM sessions WHERE account = ? AND device_id = ?"));
  stmt.bind_text(1, address.name).bind(2, static_cast<std::int64_t>(address.device.value));
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  auto kept = kept_.extract(address);
  if (!row) return std::optional<signal::SessionRecord>{};
  if (kept && std::ranges::equal(kept.mapped().sealed, stmt.blob(0))) {
    return std::optional<signal::SessionRecord>{std::move(kept.mapped().record)};
  }
  HUSH_TRY_ASSIGN(auto plain, store_.open_value(kSessionColumn, session_row_key(address), stmt.blob(0)));
  HUSH_TRY_ASSIGN(auto record, signal::SessionRecord::deserialize(plain.expose()));
  return std::optional<signal::SessionRecord>{std::move(record)};
}

Result<Bytes> SqliteSessionStore::write(const signal::ProtocolAddress& address, const signal::SessionRecord& record) {
  kept_.erase(address);
  SecretBuffer plain = record.serialize();
  Bytes sealed = store_.seal(kSessionColumn, session_row_key(address), plain.expose());
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "INSERT OR REPLACE INTO sessions (account, device_id, record) VALUES (?, ?, ?)"));
  stmt.bind_text(1, address.name).bind(2, static_cast<std::int64_t>(address.device.value)).bind(3, ByteView(sealed));
  HUSH_TRY(stmt.run());
  return sealed;
}

Status SqliteSessionStore::store_session(const signal::ProtocolAddress& address, const signal::SessionRecord& record) {
  HUSH_TRY(write(address, record));
  return ok();
}

Status SqliteSessionStore::store_session_owned(const signal::ProtocolAddress& address, signal::SessionRecord&& record) {
  HUSH_TRY_ASSIGN(Bytes sealed, write(address, record));
  // Bounded: a client that talks to many devices keeps the latest few (any
  // one dropped is only parsed again on its next load).
  if (kept_.size() >= kMaxKeptRecords) kept_.erase(kept_.begin());
  kept_.insert_or_assign(address, Kept{std::move(sealed), std::move(record)});
  return ok();
}

Status SqliteSessionStore::delete_session(const signal::ProtocolAddress& address) {
  kept_.erase(address);
  HUSH_TRY_ASSIGN(auto stmt,
                  StoreAccess::db(store_).prepare("DELETE FROM sessions WHERE account = ? AND device_id = ?"));
  stmt.bind_text(1, address.name).bind(2, static_cast<std::int64_t>(address.device.value));
  return stmt.run();
}

Result<std::vector<signal::DeviceId>> SqliteSessionStore::devices(std::string_view username) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "SELECT device_id FROM sessions WHERE account = ? ORDER BY device_id"));
  stmt.bind_text(1, username);
  std::vector<signal::DeviceId> out;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, stmt.step());
    if (!row) return out;
    out.push_back(signal::DeviceId{static_cast<std::uint32_t>(stmt.int64(0))});
  }
}

}  // namespace hush::client::store
