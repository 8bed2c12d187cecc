// Migrating a schema-1 store to the current schema (issue #16 item 4), on a
// copy of the committed v1 fixture (tests/compat/data/client-store-v1): it
// migrates in one transaction, a damaged value makes the whole migration
// roll back (the file stays exactly v1), and a store from a newer Hush is
// refused untouched. StoreV1FixtureOpen (tests/client_e2e) checks what the
// migrated store shows through the SDK.
#include "store_fixture.hpp"

#include <hush/client/store/account_address.hpp>
#include <hush/client/store/account_table.hpp>
#include <hush/client/store/directory.hpp>
#include <hush/client/store/identity_store.hpp>
#include <hush/client/store/message_history.hpp>
#include <hush/client/store/session_store.hpp>
#include <hush/client/store/unresolved_peers.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace hush::client {
namespace {

namespace fs = std::filesystem;
using fixture::raw_sql;
using fixture::TempHome;
using fixture::test_passphrase;
using store::LocalStore;

/// Runs `sql` with plain SQLite and returns every row, each column quoted.
std::vector<std::string> rows_of(const fs::path& db, const std::string& sql) {
  sqlite3* raw = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(raw);
    ADD_FAILURE() << "cannot open " << db;
    return out;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(raw);
    sqlite3_close(raw);
    return out;
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* text = sqlite3_column_text(stmt, i);
      row += (text ? std::string(reinterpret_cast<const char*>(text)) : std::string("NULL")) + "|";
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  return out;
}

/// Every row of every table, quoted (blobs as hex literals): equal dumps mean
/// the same contents.
std::vector<std::string> dump(const fs::path& db) {
  std::vector<std::string> out;
  for (const auto& table : rows_of(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    const std::string name = table.substr(0, table.size() - 1);
    if (name == "sqlite_sequence") continue;
    out.push_back("table " + name);
    const auto columns = rows_of(db, "SELECT name FROM pragma_table_info('" + name + "')");
    std::string select = "SELECT ";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) select += ", ";
      select += "quote(" + columns[i].substr(0, columns[i].size() - 1) + ")";
    }
    for (auto& row : rows_of(db, select + " FROM " + name + " ORDER BY 1")) out.push_back(std::move(row));
  }
  return out;
}

std::int64_t schema_version(const fs::path& db) {
  auto rows = rows_of(db, "SELECT schema_version FROM store_header");
  if (rows.size() != 1) return -1;
  return std::stoll(rows[0]);
}

/// A copy of the v1 fixture's home in `t` (opening may write: the migration).
void copy_fixture(const TempHome& t) {
  fs::create_directories(t.root());
  fs::copy(fs::path(HUSH_STORE_V1_FIXTURE), t.home(), fs::copy_options::recursive);
  fs::permissions(t.home(), fs::perms::owner_all);
  fs::permissions(t.db(), fs::perms::owner_read | fs::perms::owner_write);
}

TEST(StoreMigration, V1FixtureMigratesOnceToTheCurrentSchema) {
  TempHome t;
  copy_fixture(t);
  ASSERT_EQ(schema_version(t.db()), 1);
  {
    auto s = LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng());
    ASSERT_TRUE(s) << errc_name(s.code());
    auto account = store::AccountTable(**s).load();
    ASSERT_TRUE(account && account->has_value());
    EXPECT_EQ((*account)->username, "alice");
  }
  EXPECT_EQ(schema_version(t.db()), static_cast<std::int64_t>(store::kStoreSchemaVersion));
  // Opened again: nothing left to migrate, everything still opens.
  const auto migrated = dump(t.db());
  {
    auto s = LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng());
    ASSERT_TRUE(s) << errc_name(s.code());
    // Contacts are keyed by account address now, translated through the
    // v1 directory; every name was known there.
    store::SqliteIdentityKeyStore identities(**s);
    store::Directory directory(**s);
    std::map<std::string, std::string> address;  // username -> address
    for (const char* name : {"alice", "bob", "carol"}) {
      auto account = directory.account_of(name);
      ASSERT_TRUE(account && account->has_value()) << name;
      address[name] = store::account_address(**account);
    }
    auto names = identities.contact_names();
    ASSERT_TRUE(names) << errc_name(names.code());
    std::vector<std::string> expected{address["bob"], address["carol"]};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(*names, expected);
    for (const char* name : {"bob", "carol"}) {
      auto contact = identities.contact(address[name]);
      ASSERT_TRUE(contact && contact->has_value()) << name;
      EXPECT_EQ((*contact)->verified, std::string(name) == "bob");
    }
    store::SqliteSessionStore sessions(**s);
    for (const char* name : {"bob", "carol"}) {
      auto devices = sessions.devices(address[name]);
      ASSERT_TRUE(devices);
      EXPECT_EQ(devices->size(), 1u) << name;
    }
    auto waiting = store::unresolved_peers(**s);
    ASSERT_TRUE(waiting);
    EXPECT_TRUE(waiting->empty());
  }
  EXPECT_EQ(dump(t.db()), migrated);
  // No username is left where an address belongs.
  for (const char* sql : {"SELECT account FROM contacts", "SELECT DISTINCT account FROM sessions",
                          "SELECT DISTINCT peer FROM messages", "SELECT DISTINCT account FROM sender_keys",
                          "SELECT DISTINCT recipient_address FROM sent_messages"}) {
    for (const auto& row : rows_of(t.db(), sql)) {
      EXPECT_TRUE(store::account_of_address(row.substr(0, row.size() - 1))) << sql << ": " << row;
    }
  }
}

TEST(StoreMigration, NameTheDirectoryLacksIsKeptAndMovedOnceLookedUp) {
  TempHome t;
  copy_fixture(t);
  const auto carol_hex = rows_of(t.db(), "SELECT hex(account_id) FROM directory WHERE username = 'carol'");
  ASSERT_EQ(carol_hex.size(), 1u);
  raw_sql(t.db(), "DELETE FROM directory WHERE username = 'carol'");
  auto s = LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng());
  ASSERT_TRUE(s) << errc_name(s.code());
  // Kept under the username, listed for a lookup: nothing lost.
  EXPECT_EQ(*store::unresolved_peers(**s), std::vector<std::string>{"carol"});
  store::SqliteIdentityKeyStore identities(**s);
  store::SqliteSessionStore sessions(**s);
  ASSERT_TRUE(*identities.contact("carol"));
  EXPECT_EQ(sessions.devices("carol")->size(), 1u);
  // The lookup (here: the directory's old answer) moves every row.
  std::string hex = carol_hex[0].substr(0, carol_hex[0].size() - 1);
  std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::tolower(c); });
  auto account = from_hex(hex);
  ASSERT_TRUE(account);
  const std::string carol = store::account_address(*account);
  ASSERT_FALSE(carol.empty());
  ASSERT_TRUE(store::rename_peer(**s, "carol", carol));
  EXPECT_TRUE(store::unresolved_peers(**s)->empty());
  EXPECT_FALSE(*identities.contact("carol"));
  ASSERT_TRUE(*identities.contact(carol));
  EXPECT_EQ(sessions.devices(carol)->size(), 1u);
  EXPECT_TRUE(sessions.devices("carol")->empty());
  store::MessageHistory history(**s);
  auto with_carol = history.with_peer(carol, 10);
  ASSERT_TRUE(with_carol);
  EXPECT_EQ(with_carol->size(), 1u);
}

TEST(AccountAddress, IsTheLowercaseHyphenatedUuidOfTheAccountId) {
  Bytes id;
  for (std::uint8_t i = 0; i < 16; ++i) id.push_back(static_cast<std::uint8_t>(0xf0 + i * 17 % 256));
  const std::string a = store::account_address(id);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[8], '-');
  EXPECT_EQ(a[13], '-');
  EXPECT_EQ(a[18], '-');
  EXPECT_EQ(a[23], '-');
  EXPECT_EQ(store::account_of_address(a), std::optional<Bytes>(id));
  EXPECT_EQ(store::account_address(Bytes(16, 0xab)), "abababab-abab-abab-abab-abababababab");
  EXPECT_TRUE(store::account_address(Bytes(15, 1)).empty());
  EXPECT_FALSE(store::account_of_address("bob"));
  EXPECT_FALSE(store::account_of_address("ABABABAB-ABAB-ABAB-ABAB-ABABABABABAB"));
  EXPECT_FALSE(store::account_of_address("abababab-abab-abab-abab-ababababab-b"));
}

TEST(StoreMigration, WrongPassphraseRefusesBeforeMigrating) {
  TempHome t;
  copy_fixture(t);
  const auto before = dump(t.db());
  EXPECT_EQ(LocalStore::open(t.home(), test_passphrase("not pw"), crypto::system_rng()).code(), Errc::unauthorized);
  EXPECT_EQ(dump(t.db()), before);
}

TEST(StoreMigration, DamagedValueFailsTheOpenAndLeavesTheStoreV1) {
  TempHome t;
  copy_fixture(t);
  // One byte of the last value the migration reaches: every table before it
  // has been rewritten by then, and must all be rolled back.
  raw_sql(t.db(), "UPDATE sdk_state SET value = CAST(substr(value, 1, length(value) - 1) || "
                  "CASE WHEN substr(value, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB)");
  const auto before = dump(t.db());
  ASSERT_EQ(schema_version(t.db()), 1);
  auto s = LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code(), Errc::bad_mac);
  EXPECT_EQ(schema_version(t.db()), 1);
  EXPECT_EQ(dump(t.db()), before);
}

TEST(StoreMigration, StoreFromANewerHushIsRefusedUntouched) {
  TempHome t;
  fixture::create_store(t.home(), "pw");
  const auto newer = std::to_string(store::kStoreSchemaVersion + 1);
  raw_sql(t.db(), "UPDATE store_header SET schema_version = " + newer);
  const auto before = dump(t.db());
  auto s = LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code(), Errc::unsupported_version);
  EXPECT_NE(std::string(s.error().context).find("newer version of Hush"), std::string::npos);
  EXPECT_EQ(dump(t.db()), before);
  // Older than any version Hush wrote: not a store we know.
  raw_sql(t.db(), "UPDATE store_header SET schema_version = 0");
  EXPECT_EQ(LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng()).code(), Errc::decode_error);
}

}  // namespace
}  // namespace hush::client
