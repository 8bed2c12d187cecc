// LocalStore: creation with owner-only modes and WAL, reopening, refusing a
// wrong passphrase without writing, passphrase change, tampered headers,
// cells that cannot be moved, and all-or-nothing transactions.
#include "store_fixture.hpp"

#include <hush/client/store/account_table.hpp>
#include <hush/client/store/message_history.hpp>
#include <hush/client/store/received_ids.hpp>
#include <hush/client/store/session_store.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace hush::client::fixture {
namespace {

using store::KdfCost;
using store::KeySource;
using store::LocalStore;

store::Account sample_account() {
  return {"alice", "acct-1", signal::DeviceId{1}, "https://localhost:8443", SecretBuffer(as_bytes("cred"))};
}

TEST(LocalStore, CreatesOwnerOnlyFolderAndFileInWalMode) {
  TempHome t;
  auto s = create_store(t.home(), "pw");
  EXPECT_EQ(mode_of(t.home()), 0700u);
  EXPECT_EQ(mode_of(t.db()), 0600u);
  ASSERT_TRUE(store::AccountTable(*s).save(sample_account()));
  ASSERT_TRUE(std::filesystem::exists(t.wal()));
  EXPECT_EQ(mode_of(t.wal()), 0600u);
  s.reset();
  Bytes header = read_file(t.db());
  ASSERT_GT(header.size(), 20u);
  // Bytes 18 and 19 of a SQLite file are 2 in WAL mode (sqlite.org/fileformat.html §1.3).
  EXPECT_EQ(header[18], 2);
  EXPECT_EQ(header[19], 2);
}

TEST(LocalStore, TightensAnExistingHomeFolder) {
  TempHome t;
  std::filesystem::create_directory(t.home());
  std::filesystem::permissions(t.home(), std::filesystem::perms::all);
  auto s = create_store(t.home(), "pw");
  EXPECT_EQ(mode_of(t.home()), 0700u);
}

TEST(LocalStore, OpenTightensALoosenedFolderAndStoreFiles) {
  TempHome t;
  {
    auto s = create_store(t.home(), "pw");
    ASSERT_TRUE(store::AccountTable(*s).save(sample_account()));
  }
  std::filesystem::permissions(t.home(), std::filesystem::perms::all);
  std::filesystem::permissions(t.db(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                           std::filesystem::perms::others_read);
  auto s = open_store(t.home(), "pw");
  EXPECT_EQ(mode_of(t.home()), 0700u);
  EXPECT_EQ(mode_of(t.db()), 0600u);
}

TEST(LocalStore, OpenRefusesAStoreThatIsALink) {
  TempHome t;
  {
    auto s = create_store(t.home(), "pw");
  }
  const auto elsewhere = t.root() / "moved.db";
  std::filesystem::rename(t.db(), elsewhere);
  std::filesystem::create_symlink(elsewhere, t.db());
  EXPECT_EQ(LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng()).code(), Errc::forbidden);
}

TEST(LocalStore, RefusesToCreateOverAStore) {
  TempHome t;
  create_store(t.home(), "pw");
  auto again = LocalStore::create(t.home(), test_passphrase("pw"), crypto::system_rng());
  EXPECT_EQ(again.code(), Errc::conflict);
}

TEST(LocalStore, OpenWithoutAStoreIsNotFound) {
  TempHome t;
  EXPECT_EQ(LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng()).code(), Errc::not_found);
}

TEST(LocalStore, ReopensWithTheSamePassphrase) {
  TempHome t;
  {
    auto s = create_store(t.home(), "open sesame");
    ASSERT_TRUE(store::AccountTable(*s).save(sample_account()));
  }
  auto s = open_store(t.home(), "open sesame");
  auto account = store::AccountTable(*s).load();
  ASSERT_TRUE(account);
  ASSERT_TRUE(account->has_value());
  EXPECT_EQ((*account)->username, "alice");
  EXPECT_EQ((*account)->account_id, "acct-1");
  EXPECT_EQ((*account)->device_id, signal::DeviceId{1});
  EXPECT_EQ((*account)->server_url, "https://localhost:8443");
  EXPECT_EQ(to_string((*account)->server_credential.expose()), "cred");
}

TEST(LocalStore, WrongPassphraseIsRefusedAndChangesNothing) {
  TempHome t;
  {
    auto s = create_store(t.home(), "right");
    ASSERT_TRUE(store::AccountTable(*s).save(sample_account()));
  }
  Bytes before = read_file(t.db());
  ASSERT_FALSE(before.empty());
  ASSERT_FALSE(std::filesystem::exists(t.wal()));
  auto wrong = LocalStore::open(t.home(), test_passphrase("wrong"), crypto::system_rng());
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.code(), Errc::unauthorized);
  EXPECT_EQ(read_file(t.db()), before);
  EXPECT_FALSE(std::filesystem::exists(t.wal()));
  EXPECT_EQ(mode_of(t.db()), 0600u);
  // And the right one still opens it.
  auto s = open_store(t.home(), "right");
  EXPECT_TRUE(store::AccountTable(*s).load());
}

TEST(LocalStore, KeySourceOfTheOtherKindIsRefused) {
  TempHome t;
  create_store(t.home(), "pw");
  auto r = LocalStore::open(t.home(), KeySource::key_file(t.root() / "nope"), crypto::system_rng());
  EXPECT_EQ(r.code(), Errc::unauthorized);
}

TEST(LocalStore, DefaultCostIsModerateAndCheaperOnlyByName) {
  auto k = KeySource::passphrase(SecretBuffer(as_bytes("x")));
  EXPECT_EQ(k.cost(), KdfCost::moderate);
  EXPECT_EQ(store::argon2id_cost(KdfCost::moderate), crypto::Argon2idCost::moderate());
  EXPECT_EQ(store::argon2id_cost(KdfCost::interactive), crypto::Argon2idCost::interactive());
  EXPECT_EQ(store::argon2id_cost(KdfCost::test_minimum), crypto::Argon2idCost::test_minimum());
}

TEST(LocalStore, ChangingThePassphraseRewrapsTheDataKey) {
  TempHome t;
  {
    auto s = create_store(t.home(), "old");
    ASSERT_TRUE(store::AccountTable(*s).save(sample_account()));
    ASSERT_TRUE(s->rewrap(test_passphrase("new")));
  }
  EXPECT_EQ(LocalStore::open(t.home(), test_passphrase("old"), crypto::system_rng()).code(), Errc::unauthorized);
  auto s = open_store(t.home(), "new");
  auto account = store::AccountTable(*s).load();
  ASSERT_TRUE(account && account->has_value());
  EXPECT_EQ((*account)->username, "alice");
}

TEST(LocalStore, TamperedHeaderIsRefused) {
  TempHome t;
  create_store(t.home(), "pw");
  // Costs out of bounds are refused before any work (no 1 TiB allocation).
  raw_sql(t.db(), "UPDATE store_header SET kdf_mem = 1099511627776");
  EXPECT_EQ(LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng()).code(), Errc::decode_error);
  // Costs in bounds but not the ones the key was wrapped with: the wrapping's AD no longer matches.
  raw_sql(t.db(), "UPDATE store_header SET kdf_mem = 8192, kdf_ops = 2");
  EXPECT_EQ(LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng()).code(), Errc::unauthorized);
  raw_sql(t.db(), "UPDATE store_header SET schema_version = 99");
  EXPECT_EQ(LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng()).code(),
            Errc::unsupported_version);
  raw_sql(t.db(), "DELETE FROM store_header");
  EXPECT_EQ(LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng()).code(), Errc::decode_error);
}

TEST(LocalStore, NotADatabaseIsATypedError) {
  TempHome t;
  std::filesystem::create_directory(t.home());
  {
    std::FILE* f = std::fopen(t.db().c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not a database, just some text long enough to have a header...............", f);
    std::fclose(f);
  }
  auto r = LocalStore::open(t.home(), test_passphrase("pw"), crypto::system_rng());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.code(), Errc::decode_error);
}

TEST(LocalStore, ValueSwappedBetweenRowsIsDetected) {
  TempHome t;
  hush::testing::DeterministicRng rng(7);
  {
    auto s = create_store(t.home(), "pw");
    store::SqlitePreKeyStore pre_keys(*s);
    for (auto& k : signal::generate_pre_keys(1, 2, rng)) ASSERT_TRUE(pre_keys.store_pre_key(k));
    store::MessageHistory history(*s);
    for (std::uint8_t i = 1; i <= 2; ++i) {
      MessageId id;
      id.bytes[0] = i;
      ASSERT_TRUE(history.insert({id, store::MessageDirection::incoming, "bob", std::nullopt, 1, SecretBuffer(as_bytes("hi"))}));
    }
  }
  raw_sql(t.db(),
          "UPDATE pre_keys SET record = (SELECT record FROM pre_keys WHERE id = 2) WHERE id = 1;"
          "UPDATE messages SET peer = 'carol' WHERE seq = 2;");
  auto s = open_store(t.home(), "pw");
  store::SqlitePreKeyStore pre_keys(*s);
  EXPECT_EQ(pre_keys.load_pre_key(signal::PreKeyId{1}).code(), Errc::bad_mac);
  EXPECT_TRUE(pre_keys.load_pre_key(signal::PreKeyId{2}));
  // A body re-attributed to another peer no longer opens.
  EXPECT_EQ(store::MessageHistory(*s).with_peer("carol", 10).code(), Errc::bad_mac);
  EXPECT_TRUE(store::MessageHistory(*s).with_peer("bob", 10));
}

TEST(LocalStore, ValueCopiedToAnotherTableIsDetected) {
  TempHome t;
  hush::testing::DeterministicRng rng(8);
  {
    auto s = create_store(t.home(), "pw");
    auto keys = signal::generate_pre_keys(5, 1, rng);
    ASSERT_TRUE(store::SqlitePreKeyStore(*s).store_pre_key(keys[0]));
  }
  raw_sql(t.db(), "INSERT INTO signed_pre_keys (id, created_ms, record) SELECT id, 0, record FROM pre_keys");
  auto s = open_store(t.home(), "pw");
  EXPECT_EQ(store::SqliteSignedPreKeyStore(*s).load_signed_pre_key(signal::SignedPreKeyId{5}).code(), Errc::bad_mac);
}

// Every effect of receiving one message, written in one transaction.
Status receive_effects(LocalStore& s, const signal::PreKeyRecord& used) {
  store::SqliteProtocolStore protocol(s);
  HUSH_TRY(protocol.sessions.store_session({"bob", signal::DeviceId{1}}, signal::SessionRecord{}));
  HUSH_TRY(protocol.pre_keys.remove_pre_key(used.id));
  MessageId id;
  id.bytes[0] = 9;
  HUSH_TRY(store::MessageHistory(s).insert(
      {id, store::MessageDirection::incoming, "bob", std::nullopt, 5, SecretBuffer(as_bytes("hello"))}));
  HUSH_TRY(store::ReceivedIds(s).insert("bob", id.view()));
  return ok();
}

void expect_untouched(LocalStore& s, signal::PreKeyId kept) {
  store::SqliteProtocolStore protocol(s);
  auto session = protocol.sessions.load_session({"bob", signal::DeviceId{1}});
  ASSERT_TRUE(session);
  EXPECT_FALSE(session->has_value());
  EXPECT_TRUE(protocol.pre_keys.load_pre_key(kept));
  auto history = store::MessageHistory(s).with_peer("bob", 10);
  ASSERT_TRUE(history);
  EXPECT_TRUE(history->empty());
  MessageId id;
  id.bytes[0] = 9;
  EXPECT_FALSE(*store::ReceivedIds(s).contains("bob", id.view()));
}

TEST(LocalStore, FailedTransactionLeavesNothing) {
  TempHome t;
  hush::testing::DeterministicRng rng(9);
  auto s = create_store(t.home(), "pw");
  auto keys = signal::generate_pre_keys(1, 1, rng);
  ASSERT_TRUE(store::SqlitePreKeyStore(*s).store_pre_key(keys[0]));
  Status st = s->transaction([&]() -> Status {
    HUSH_TRY(receive_effects(*s, keys[0]));
    return make_error(Errc::bad_mac, "decrypt failed late");
  });
  EXPECT_EQ(st.code(), Errc::bad_mac);
  expect_untouched(*s, keys[0].id);
  // The same after a crash-like exception, and after reopening.
  EXPECT_THROW((void)s->transaction([&]() -> Status {
    (void)receive_effects(*s, keys[0]);
    throw std::runtime_error("crash");
  }),
               std::runtime_error);
  expect_untouched(*s, keys[0].id);
  s.reset();
  s = open_store(t.home(), "pw");
  expect_untouched(*s, keys[0].id);
}

TEST(LocalStore, TransactionCommitsEverythingTogether) {
  TempHome t;
  hush::testing::DeterministicRng rng(10);
  auto s = create_store(t.home(), "pw");
  auto keys = signal::generate_pre_keys(1, 1, rng);
  ASSERT_TRUE(store::SqlitePreKeyStore(*s).store_pre_key(keys[0]));
  ASSERT_TRUE(s->transaction([&] { return receive_effects(*s, keys[0]); }));
  s.reset();
  s = open_store(t.home(), "pw");
  EXPECT_EQ(store::SqlitePreKeyStore(*s).load_pre_key(keys[0].id).code(), Errc::not_found);
  EXPECT_EQ(store::MessageHistory(*s).with_peer("bob", 10)->size(), 1u);
  MessageId id;
  id.bytes[0] = 9;
  EXPECT_TRUE(*store::ReceivedIds(*s).contains("bob", id.view()));
}

TEST(LocalStore, NestedTransactionRollsBackOnlyItself) {
  TempHome t;
  auto s = create_store(t.home(), "pw");
  store::ReceivedIds ids(*s);
  ASSERT_TRUE(s->transaction([&]() -> Status {
    HUSH_TRY(ids.insert("a", as_bytes("outer")));
    Status inner = s->transaction([&]() -> Status {
      HUSH_TRY(ids.insert("a", as_bytes("inner")));
      return make_error(Errc::conflict, "inner fails");
    });
    EXPECT_FALSE(inner);
    return ok();
  }));
  EXPECT_TRUE(*ids.contains("a", as_bytes("outer")));
  EXPECT_FALSE(*ids.contains("a", as_bytes("inner")));
}

}  // namespace
}  // namespace hush::client::fixture
