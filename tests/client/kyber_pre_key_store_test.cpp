// The SQLite Kyber pre-key store (PQXDH, issue #15): records sealed (no
// private key in the file), loaded back, one-time keys removed on use and
// last-resort ones kept with their uses remembered across a reopen; drained
// one-time Kyber keys pruned like the EC ones; a store made before the Kyber
// tables existed gains them when the SDK opens it; and a real version-4
// session answered from these stores.
#include "sqlite_party.hpp"

#include <hush/client/client.hpp>
#include <hush/client/store/kyber_pre_key_store.hpp>
#include <hush/client/store/pre_key_stores.hpp>
#include <hush/signal/session_cipher.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

namespace hush::client::fixture {
namespace {

constexpr const char* kPass = "kyber pw";

/// A store with the Kyber tables and an identity to sign keys with.
struct KyberFixture {
  TempHome t;
  hush::testing::DeterministicRng rng{15};
  std::unique_ptr<store::LocalStore> s = create_store(t.home(), kPass);
  signal::IdentityKeyPair identity = signal::IdentityKeyPair::generate(rng);

  KyberFixture() { EXPECT_TRUE(store::ensure_kyber_pre_key_tables(*s)); }
  signal::KyberPreKeyRecord make(std::uint32_t id, bool last_resort, std::uint64_t at = 1000) {
    return signal::generate_kyber_pre_key(identity, signal::KyberPreKeyId{id}, at, last_resort, rng);
  }
  void reopen() {
    s.reset();
    s = open_store(t.home(), kPass);
    EXPECT_TRUE(store::ensure_kyber_pre_key_tables(*s)) << "idempotent";
  }
};

crypto::PublicKey base_key(crypto::Rng& rng) {
  return crypto::KeyPair::generate(rng).public_key;
}

TEST(SqliteKyberPreKeyStore, SealsLoadsAndCountsBothKinds) {
  KyberFixture f;
  store::SqliteKyberPreKeyStore k(*f.s);
  EXPECT_EQ(*k.one_time_count(), 0u);
  EXPECT_EQ(*k.max_id(), 0u);
  std::vector<Bytes> secrets;
  for (std::uint32_t id : {3u, 4u, 5u}) {
    auto r = f.make(id, false);
    secrets.emplace_back(r.secret_key.secret().expose().begin(), r.secret_key.secret().expose().end());
    ASSERT_TRUE(k.store_kyber_pre_key(r));
  }
  auto last = f.make(6, true, 2000);
  secrets.emplace_back(last.secret_key.secret().expose().begin(), last.secret_key.secret().expose().end());
  ASSERT_TRUE(k.store_kyber_pre_key(last));

  EXPECT_EQ(*k.one_time_count(), 3u);
  EXPECT_EQ(*k.one_time_ids(), (std::vector<std::uint32_t>{3, 4, 5}));
  EXPECT_EQ(*k.max_id(), 6u);
  auto lr = k.last_resort_keys();
  ASSERT_TRUE(lr);
  ASSERT_EQ(lr->size(), 1u);
  EXPECT_EQ((*lr)[0].id, signal::KyberPreKeyId{6});
  EXPECT_EQ((*lr)[0].created_ms, 2000u);

  auto loaded = k.load_kyber_pre_key(signal::KyberPreKeyId{6});
  ASSERT_TRUE(loaded) << errc_name(loaded.code());
  EXPECT_TRUE(loaded->last_resort);
  EXPECT_EQ(loaded->timestamp_ms, 2000u);
  EXPECT_EQ(loaded->public_key(), last.public_key());
  EXPECT_EQ(loaded->signature, last.signature);
  EXPECT_TRUE(signal::kyber_signature_valid(f.identity.public_key, loaded->public_key(), loaded->signature));
  EXPECT_EQ(k.load_kyber_pre_key(signal::KyberPreKeyId{7}).code(), Errc::not_found);

  // Sealed: no private key (nor a long piece of one) in the file or its WAL.
  f.s.reset();
  const Bytes file = read_file(f.t.db());
  const Bytes wal = read_file(f.t.wal());
  for (const auto& secret : secrets) {
    const ByteView piece = ByteView(secret).subspan(0, 32);
    EXPECT_FALSE(contains(file, piece));
    EXPECT_FALSE(contains(wal, piece));
  }
}

TEST(SqliteKyberPreKeyStore, OneTimeKeyIsRemovedOnUseLastResortIsKept) {
  KyberFixture f;
  store::SqliteKyberPreKeyStore k(*f.s);
  ASSERT_TRUE(k.store_kyber_pre_key(f.make(1, false)));
  ASSERT_TRUE(k.store_kyber_pre_key(f.make(2, true)));
  const auto base = base_key(f.rng);

  ASSERT_TRUE(k.mark_kyber_pre_key_used(signal::KyberPreKeyId{1}, signal::SignedPreKeyId{9}, base));
  EXPECT_EQ(k.load_kyber_pre_key(signal::KyberPreKeyId{1}).code(), Errc::not_found);
  EXPECT_EQ(k.mark_kyber_pre_key_used(signal::KyberPreKeyId{1}, signal::SignedPreKeyId{9}, base).code(),
            Errc::not_found);

  ASSERT_TRUE(k.mark_kyber_pre_key_used(signal::KyberPreKeyId{2}, signal::SignedPreKeyId{9}, base));
  EXPECT_TRUE(k.load_kyber_pre_key(signal::KyberPreKeyId{2})) << "last-resort keys stay";
  // The same {kyber id, signed pre-key id, base key} again is a replay.
  EXPECT_EQ(k.mark_kyber_pre_key_used(signal::KyberPreKeyId{2}, signal::SignedPreKeyId{9}, base).code(),
            Errc::duplicate_message);
  // Any other combination is a new session.
  EXPECT_TRUE(k.mark_kyber_pre_key_used(signal::KyberPreKeyId{2}, signal::SignedPreKeyId{10}, base));
  EXPECT_TRUE(k.mark_kyber_pre_key_used(signal::KyberPreKeyId{2}, signal::SignedPreKeyId{9}, base_key(f.rng)));

  // Survives a reopen: the uses are on disk.
  f.reopen();
  store::SqliteKyberPreKeyStore again(*f.s);
  EXPECT_EQ(again.mark_kyber_pre_key_used(signal::KyberPreKeyId{2}, signal::SignedPreKeyId{9}, base).code(),
            Errc::duplicate_message);
  // Removing the key forgets its uses with it.
  ASSERT_TRUE(again.remove_kyber_pre_key(signal::KyberPreKeyId{2}));
  EXPECT_EQ(again.load_kyber_pre_key(signal::KyberPreKeyId{2}).code(), Errc::not_found);
  ASSERT_TRUE(again.store_kyber_pre_key(f.make(2, true)));
  EXPECT_TRUE(again.mark_kyber_pre_key_used(signal::KyberPreKeyId{2}, signal::SignedPreKeyId{9}, base));
}

TEST(SqliteKyberPreKeyStore, SurvivesReopenAndDetectsAMovedCell) {
  KyberFixture f;
  {
    store::SqliteKyberPreKeyStore k(*f.s);
    ASSERT_TRUE(k.store_kyber_pre_key(f.make(1, false)));
    ASSERT_TRUE(k.store_kyber_pre_key(f.make(2, false)));
  }
  f.reopen();
  {
    store::SqliteKyberPreKeyStore k(*f.s);
    EXPECT_TRUE(k.load_kyber_pre_key(signal::KyberPreKeyId{1}));
    EXPECT_EQ(*k.one_time_count(), 2u);
  }
  f.s.reset();
  // An attacker with the file swaps two sealed records: each is bound to its row.
  raw_sql(f.t.db(), "UPDATE kyber_pre_keys SET record = (SELECT record FROM kyber_pre_keys WHERE id = 2) WHERE id = 1");
  f.s = open_store(f.t.home(), kPass);
  store::SqliteKyberPreKeyStore k(*f.s);
  EXPECT_EQ(k.load_kyber_pre_key(signal::KyberPreKeyId{1}).code(), Errc::bad_mac);
  EXPECT_EQ(k.mark_kyber_pre_key_used(signal::KyberPreKeyId{1}, signal::SignedPreKeyId{1}, base_key(f.rng)).code(),
            Errc::bad_mac);
  EXPECT_TRUE(k.load_kyber_pre_key(signal::KyberPreKeyId{2})) << "the untouched row still opens";
}

TEST(DrainedPreKeys, KyberOneTimeKeysArePrunedAndLastResortNever) {
  KyberFixture f;
  ASSERT_TRUE(store::ensure_pre_key_tables(*f.s));
  store::SqliteKyberPreKeyStore k(*f.s);
  for (std::uint32_t id : {1u, 2u, 3u}) ASSERT_TRUE(k.store_kyber_pre_key(f.make(id, false)));
  ASSERT_TRUE(k.store_kyber_pre_key(f.make(4, true)));
  store::DrainedPreKeys drained(*f.s, store::OneTimeKind::kyber);
  store::DrainedPreKeys ec(*f.s);

  // The server holds 2 only: 1 and 3 were handed out; the last-resort key is never counted.
  ASSERT_TRUE(drained.note({2}, 100));
  EXPECT_EQ(*drained.waiting(), 2u);
  EXPECT_EQ(*ec.waiting(), 0u) << "the EC marks are apart";
  EXPECT_EQ(*drained.prune(99), 0u) << "not yet due";
  // Key 1 is used meanwhile (a first message arrived): its mark goes with it.
  ASSERT_TRUE(k.mark_kyber_pre_key_used(signal::KyberPreKeyId{1}, signal::SignedPreKeyId{1}, base_key(f.rng)));
  ASSERT_TRUE(drained.note({2}, 200));
  EXPECT_EQ(*drained.waiting(), 1u);
  EXPECT_EQ(*drained.prune(100), 1u);
  EXPECT_EQ(k.load_kyber_pre_key(signal::KyberPreKeyId{3}).code(), Errc::not_found);
  EXPECT_EQ(*drained.high_water(), 3u);
  EXPECT_EQ(*ec.high_water(), 0u);
  EXPECT_TRUE(k.load_kyber_pre_key(signal::KyberPreKeyId{2}));
  EXPECT_TRUE(k.load_kyber_pre_key(signal::KyberPreKeyId{4})) << "last-resort keys are never drained";
  EXPECT_EQ(*k.one_time_ids(), (std::vector<std::uint32_t>{2}));
}

TEST(SqliteKyberPreKeyStore, AStoreFromBeforeTheKyberTablesGainsThemWhenTheSdkOpensIt) {
  TempHome t;
  {
    // A store as the SDK left it before issue #15: no Kyber tables.
    auto s = create_store(t.home(), kPass);
    ASSERT_TRUE(store::ensure_pre_key_tables(*s));
  }
  raw_sql(t.db(), "DROP TABLE IF EXISTS kyber_pre_keys_drained; DROP TABLE IF EXISTS kyber_pre_key_ids;");
  {
    auto s = open_store(t.home(), kPass);
    store::SqliteKyberPreKeyStore k(*s);
    EXPECT_FALSE(k.one_time_count()) << "no table yet";
  }
  {
    auto client = Client::open(t.home(), test_passphrase(kPass));
    ASSERT_TRUE(client) << errc_name(client.code());
  }
  auto s = open_store(t.home(), kPass);
  store::SqliteKyberPreKeyStore k(*s);
  store::DrainedPreKeys drained(*s, store::OneTimeKind::kyber);
  EXPECT_EQ(*k.one_time_count(), 0u);
  EXPECT_EQ(*drained.waiting(), 0u);
  hush::testing::DeterministicRng rng(7);
  auto identity = signal::IdentityKeyPair::generate(rng);
  ASSERT_TRUE(k.store_kyber_pre_key(signal::generate_kyber_pre_key(identity, signal::KyberPreKeyId{1}, 5, true, rng)));
  EXPECT_TRUE(k.load_kyber_pre_key(signal::KyberPreKeyId{1}));
}

// A version-4 session answered from the SQLite stores: the one-time Kyber
// key goes with the first message, a replay of it is refused, and the
// session runs SPQR across reopens.
TEST(SqliteStores, AnswerAPqxdhSessionFromTheKyberStore) {
  TempHome t;
  hush::testing::SignalParty alice("alice", 21);
  SqliteParty bob("bob", t.home(), 22);
  auto bundle = bob.make_pq_bundle();
  ASSERT_TRUE(alice.start_session(bob.address(), bundle));
  auto padded = text_content("post-quantum hello", alice.rng(), 1);
  ASSERT_TRUE(padded);
  signal::SessionCipher cipher(alice.store().stores(), bob.address());
  auto m1 = cipher.encrypt(padded->expose(), alice.rng());
  ASSERT_TRUE(m1);
  ASSERT_EQ(m1->type, signal::MessageType::pre_key);
  auto r1 = bob.receive(alice.address(), *m1);
  ASSERT_TRUE(r1) << errc_name(r1.code());
  EXPECT_EQ(*r1, "post-quantum hello");
  EXPECT_EQ(bob.protocol().kyber_pre_keys.load_kyber_pre_key(bundle.kyber_pre_key->id).code(), Errc::not_found);
  EXPECT_EQ(bob.receive(alice.address(), *m1).code(), Errc::duplicate_message);

  bob.reopen();
  auto record = bob.protocol().sessions.load_session(alice.address());
  ASSERT_TRUE(record && *record && (*record)->has_current_state());
  EXPECT_EQ((*record)->current_state()->session_version, 4u);
  EXPECT_EQ((*record)->current_state()->pq_ratchet.version(), signal::spqr::Version::v1) << "SPQR runs";
  for (int round = 0; round < 3; ++round) {
    auto b = bob.send_text(alice.address(), "reply " + std::to_string(round));
    ASSERT_TRUE(b);
    signal::SessionCipher back(alice.store().stores(), bob.address());
    auto got = back.decrypt(b->type, b->serialized, alice.rng());
    ASSERT_TRUE(got) << errc_name(got.code());
    EXPECT_EQ(*text_of(got->expose()), "reply " + std::to_string(round));
    bob.reopen();
  }
}

}  // namespace
}  // namespace hush::client::fixture
