// The SDK tables: DDL run at open (IF NOT EXISTS), the directory of accounts
// and the sealed named state.
#include <hush/client/store/directory.hpp>

#include "store_access.hpp"

namespace hush::client::store {

namespace {

constexpr const char* kSdkTables = R"sql(
CREATE TABLE IF NOT EXISTS directory (
  account_id BLOB PRIMARY KEY CHECK (length(account_id) = 16),
  username   TEXT NOT NULL UNIQUE
) STRICT;
CREATE TABLE IF NOT EXISTS sdk_state (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL                  -- sealed
) STRICT;
)sql";

constexpr std::size_t kAccountIdSize = 16;

ByteView name_key(std::string_view name) { return as_bytes(name); }

}  // namespace

Status ensure_sdk_tables(LocalStore& store) { return StoreAccess::db(store).exec(kSdkTables); }

Status Directory::put(ByteView account_id, std::string_view username) {
  if (account_id.size() != kAccountIdSize) return make_error(Errc::invalid_argument, "account id length");
  return store_.transaction([&]() -> Status {
    auto& db = StoreAccess::db(store_);
    HUSH_TRY_ASSIGN(auto del, db.prepare("DELETE FROM directory WHERE username = ? AND account_id <> ?"));
    del.bind_text(1, username).bind(2, account_id);
    HUSH_TRY(del.run());
    HUSH_TRY_ASSIGN(auto ins, db.prepare("INSERT INTO directory (account_id, username) VALUES (?, ?) "
                                         "ON CONFLICT (account_id) DO UPDATE SET username = excluded.username"));
    ins.bind(1, account_id).bind_text(2, username);
    return ins.run();
  });
}

Result<std::optional<std::string>> Directory::username_of(ByteView account_id) {
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare("SELECT username FROM directory WHERE account_id = ?"));
  q.bind(1, account_id);
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(q.text(0));
}

Result<std::optional<Bytes>> Directory::account_of(std::string_view username) {
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare("SELECT account_id FROM directory WHERE username = ?"));
  q.bind_text(1, username);
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return std::optional<Bytes>();
  ByteView b = q.blob(0);
  return std::optional<Bytes>(Bytes(b.begin(), b.end()));
}

Status SdkState::put(std::string_view name, ByteView value) {
  Bytes sealed = store_.seal("sdk_state.value", name_key(name), value);
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare(
                              "INSERT INTO sdk_state (name, value) VALUES (?, ?) "
                              "ON CONFLICT (name) DO UPDATE SET value = excluded.value"));
  q.bind_text(1, name).bind(2, sealed);
  return q.run();
}

Result<std::optional<SecretBuffer>> SdkState::get(std::string_view name) {
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare("SELECT value FROM sdk_state WHERE name = ?"));
  q.bind_text(1, name);
  HUSH_TRY_ASSIGN(bool row, q.step());
  if (!row) return std::optional<SecretBuffer>();
  HUSH_TRY_ASSIGN(auto plain, store_.open_value("sdk_state.value", name_key(name), q.blob(0)));
  return std::optional<SecretBuffer>(std::move(plain));
}

Status SdkState::erase(std::string_view name) {
  HUSH_TRY_ASSIGN(auto q, StoreAccess::db(store_).prepare("DELETE FROM sdk_state WHERE name = ?"));
  q.bind_text(1, name);
  return q.run();
}

}  // namespace hush::client::store
