// A real session between an in-memory SignalParty and a device on the
// SQLite stores: X3DH, messages both ways, the store closed and reopened
// between messages, exactly-once receiving, and a failed decrypt that
// leaves the store as it was.
#include "sqlite_party.hpp"

#include <hush/client/store/message_history.hpp>
#include <hush/signal/session_builder.hpp>
#include <hush/signal/session_cipher.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

namespace hush::client::fixture {
namespace {

/// Alice (in memory) sends padded text content; decrypting unpads it.
Result<signal::CiphertextMessage> alice_sends(hush::testing::SignalParty& alice, const signal::ProtocolAddress& to,
                                              std::string_view text) {
  HUSH_TRY_ASSIGN(auto padded, text_content(text, alice.rng(), 1));
  signal::SessionCipher cipher(alice.store().stores(), to);
  return cipher.encrypt(padded.expose());
}

Result<std::string> alice_receives(hush::testing::SignalParty& alice, const signal::ProtocolAddress& from,
                                   const signal::CiphertextMessage& m) {
  signal::SessionCipher cipher(alice.store().stores(), from);
  HUSH_TRY_ASSIGN(auto padded, cipher.decrypt(m.type, m.serialized, alice.rng()));
  return text_of(padded.expose());
}

TEST(SqliteStores, CarryARealSessionAcrossReopens) {
  TempHome t;
  hush::testing::SignalParty alice("alice", 1);
  SqliteParty bob("bob", t.home(), 2);

  // Alice starts from Bob's bundle (X3DH) and sends a pre-key message.
  auto bundle = bob.make_bundle();
  ASSERT_TRUE(alice.start_session(bob.address(), bundle));
  auto m1 = alice_sends(alice, bob.address(), "hello bob");
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->type, signal::MessageType::pre_key);
  auto r1 = bob.receive(alice.address(), *m1);
  ASSERT_TRUE(r1) << errc_name(r1.code());
  EXPECT_EQ(*r1, "hello bob");
  // The one-time pre-key is gone, the session and Alice's identity are kept.
  EXPECT_EQ(bob.protocol().pre_keys.load_pre_key(*bundle.pre_key_id).code(), Errc::not_found);
  EXPECT_EQ(**bob.protocol().identities.identity(alice.address()), alice.identity());

  bob.reopen();
  auto b1 = bob.send_text(alice.address(), "hi alice");
  ASSERT_TRUE(b1);
  EXPECT_EQ(*alice_receives(alice, bob.address(), *b1), "hi alice");

  // Several rounds, reopening Bob's store between each.
  for (int round = 0; round < 5; ++round) {
    bob.reopen();
    std::string a_text = "from alice " + std::to_string(round);
    auto a = alice_sends(alice, bob.address(), a_text);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->type, signal::MessageType::whisper);
    auto got = bob.receive(alice.address(), *a);
    ASSERT_TRUE(got) << errc_name(got.code());
    EXPECT_EQ(*got, a_text);
    bob.reopen();
    std::string b_text = "from bob " + std::to_string(round);
    auto b = bob.send_text(alice.address(), b_text);
    ASSERT_TRUE(b);
    EXPECT_EQ(*alice_receives(alice, bob.address(), *b), b_text);
  }
  auto history = store::MessageHistory(bob.store()).with_peer("alice", 100);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->size(), 6u);
  EXPECT_EQ(to_string(history->front().body.expose()), "hello bob");
}

TEST(SqliteStores, SqliteSideCanInitiate) {
  TempHome t;
  hush::testing::SignalParty alice("alice", 3);
  SqliteParty bob("bob", t.home(), 4);
  auto bundle = alice.make_bundle();
  ASSERT_TRUE(signal::process_pre_key_bundle(bob.protocol().stores(), alice.address(), bundle, crypto::system_rng()));
  bob.reopen();
  auto m = bob.send_text(alice.address(), "bob first");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, signal::MessageType::pre_key);
  EXPECT_EQ(*alice_receives(alice, bob.address(), *m), "bob first");
  auto reply = alice_sends(alice, bob.address(), "alice answers");
  ASSERT_TRUE(reply);
  bob.reopen();
  EXPECT_EQ(*bob.receive(alice.address(), *reply), "alice answers");
}

TEST(SqliteStores, RedeliveredMessageIsRecognisedNotShownTwice) {
  TempHome t;
  hush::testing::SignalParty alice("alice", 5);
  SqliteParty bob("bob", t.home(), 6);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  auto m1 = alice_sends(alice, bob.address(), "once");
  auto m2 = alice_sends(alice, bob.address(), "twice?");
  ASSERT_TRUE(m1 && m2);
  ASSERT_TRUE(bob.receive(alice.address(), *m1));
  ASSERT_TRUE(bob.receive(alice.address(), *m2));
  // The server redelivers after a crash before the ack.
  bob.reopen();
  EXPECT_EQ(bob.receive(alice.address(), *m2).code(), Errc::duplicate_message);
  EXPECT_EQ(store::MessageHistory(bob.store()).with_peer("alice", 10)->size(), 2u);
}

TEST(SqliteStores, FailedDecryptChangesNothing) {
  TempHome t;
  hush::testing::SignalParty alice("alice", 7);
  SqliteParty bob("bob", t.home(), 8);
  auto bundle = bob.make_bundle();
  ASSERT_TRUE(alice.start_session(bob.address(), bundle));
  auto m = alice_sends(alice, bob.address(), "tampered");
  ASSERT_TRUE(m);
  auto bad = *m;
  bad.serialized.back() ^= 1;  // the MAC
  EXPECT_FALSE(bob.receive(alice.address(), bad));
  EXPECT_TRUE(bob.protocol().pre_keys.load_pre_key(*bundle.pre_key_id));
  EXPECT_FALSE(bob.protocol().sessions.load_session(alice.address())->has_value());
  EXPECT_FALSE(bob.protocol().identities.identity(alice.address())->has_value());
  EXPECT_EQ(*bob.receive(alice.address(), *m), "tampered");
}

// The session store keeps the record it last wrote parsed, and a load that
// finds the bytes it wrote takes it without opening and parsing them. The
// row stays the truth: a second process on the same home (or a rolled-back
// transaction) leaves other bytes there, and the load must read those.
TEST(SqliteStores, KeptSessionRecordsYieldToWhatTheRowHolds) {
  TempHome t;
  hush::testing::SignalParty alice("alice", 21);
  SqliteParty bob("bob", t.home(), 22);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  auto m1 = alice_sends(alice, bob.address(), "one");
  ASSERT_TRUE(m1);
  ASSERT_EQ(*bob.receive(alice.address(), *m1), "one");
  // A second process on the same home, holding the record as it is now.
  auto other = open_store(t.home(), "bob passphrase");
  store::SqliteProtocolStore other_protocol(*other);
  auto snapshot = other_protocol.sessions.load_session(alice.address());
  ASSERT_TRUE(snapshot && *snapshot);
  const Bytes snapshot_bytes = to_bytes((*snapshot)->serialize().expose());

  // Bob goes on (his store keeps the record it writes) ...
  for (int i = 0; i < 3; ++i) {
    auto m = alice_sends(alice, bob.address(), "more " + std::to_string(i));
    ASSERT_TRUE(m);
    ASSERT_EQ(*bob.receive(alice.address(), *m), "more " + std::to_string(i));
  }
  auto mine = bob.protocol().sessions.load_session(alice.address());
  ASSERT_TRUE(mine && *mine);
  ASSERT_NE(to_bytes((*mine)->serialize().expose()), snapshot_bytes);
  ASSERT_TRUE(bob.protocol().sessions.store_session_owned(alice.address(), std::move(**mine)));
  // ... then the other process writes its (older) record: Bob's next load sees it.
  ASSERT_TRUE(other_protocol.sessions.store_session(alice.address(), **snapshot));
  auto seen = bob.protocol().sessions.load_session(alice.address());
  ASSERT_TRUE(seen && *seen);
  EXPECT_EQ(to_bytes((*seen)->serialize().expose()), snapshot_bytes) << "the row, not the kept record";
}

TEST(SqliteStores, ChangedIdentityIsRefusedUntilAccepted) {
  TempHome t;
  hush::testing::SignalParty alice("alice", 9);
  hush::testing::SignalParty alice_again("alice", 10);  // reinstalled: a new identity key
  SqliteParty bob("bob", t.home(), 11);
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  ASSERT_TRUE(bob.receive(alice.address(), *alice_sends(alice, bob.address(), "v1")));

  ASSERT_TRUE(alice_again.start_session(bob.address(), bob.make_bundle()));
  auto m = alice_sends(alice_again, bob.address(), "v2");
  ASSERT_TRUE(m);
  EXPECT_EQ(bob.receive(alice.address(), *m).code(), Errc::untrusted_identity);
  ASSERT_TRUE(bob.protocol().identities.record_untrusted("alice", alice_again.identity()));
  auto contact = bob.protocol().identities.contact("alice");
  ASSERT_TRUE(contact && contact->has_value());
  EXPECT_EQ((*contact)->pending_key, alice_again.identity());
  ASSERT_TRUE(*bob.protocol().identities.accept_pending("alice"));
  EXPECT_EQ(*bob.receive(alice.address(), *m), "v2");
}

}  // namespace
}  // namespace hush::client::fixture
