// The account row, sealed whole.
#include <hush/client/store/account_table.hpp>

#include "record_codec.hpp"
#include "store_access.hpp"

namespace hush::client::store {

namespace {

constexpr std::uint8_t kAccountFormat = 1;
constexpr const char* kAccountColumn = "account.record";
/// Generous bounds for fields read back (names and URLs are far shorter).
constexpr std::size_t kMaxField = 4096;

Bytes account_row_key() { return RecordWriter().u32(1).finish_public(); }

}  // namespace

Status AccountTable::save(const Account& a) {
  SecretBuffer plain = RecordWriter()
                           .u8(kAccountFormat)
                           .string(a.username)
                           .string(a.account_id)
                           .u32(a.device_id.value)
                           .string(a.server_url)
                           .bytes(a.server_credential.expose())
                           .finish();
  Bytes sealed = store_.seal(kAccountColumn, account_row_key(), plain.expose());
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("INSERT OR REPLACE INTO account (id, record) VALUES (1, ?)"));
  stmt.bind(1, ByteView(sealed));
  return stmt.run();
}

Result<std::optional<Account>> AccountTable::load() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT record FROM account WHERE id = 1"));
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return std::optional<Account>{};
  HUSH_TRY_ASSIGN(auto plain, store_.open_value(kAccountColumn, account_row_key(), stmt.blob(0)));
  RecordReader r(plain.expose());
  HUSH_TRY_ASSIGN(auto format, r.u8());
  if (format != kAccountFormat) return make_error(Errc::unsupported_version, "account format");
  Account a;
  HUSH_TRY_ASSIGN(a.username, r.string(kMaxField));
  HUSH_TRY_ASSIGN(a.account_id, r.string(kMaxField));
  HUSH_TRY_ASSIGN(auto device, r.u32());
  a.device_id = signal::DeviceId{device};
  HUSH_TRY_ASSIGN(a.server_url, r.string(kMaxField));
  HUSH_TRY_ASSIGN(auto credential, r.bytes(kMaxField));
  a.server_credential = SecretBuffer(credential);
  HUSH_TRY(r.done());
  return std::optional<Account>{std::move(a)};
}

}  // namespace hush::client::store
