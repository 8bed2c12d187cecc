// The canary: a conversation full of distinctive phrases, an account
// credential and queued messages go through the store; then the raw SQLite
// file and its WAL are scanned, while open and after closing, for the
// phrases, the passphrase and every private key. None may appear.
#include "sqlite_party.hpp"

#include <hush/client/store/account_table.hpp>
#include <hush/client/store/outbox.hpp>
#include <hush/signal/session_cipher.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace hush::client::fixture {
namespace {

const std::vector<std::string> kPhrases = {
    "purple elephant dances at midnight",
    "the canary sings 4711 times",
    "quokka-zebra-ocelot, the password is swordfish",
    "server-credential-XYZZY-do-not-leak",
    "queued but never sent: marmalade submarine",
};

void expect_clean(const Bytes& file, const char* which, const std::vector<Bytes>& secrets) {
  for (const auto& phrase : kPhrases) EXPECT_FALSE(contains(file, as_bytes(phrase))) << which << ": " << phrase;
  EXPECT_FALSE(contains(file, as_bytes("bob passphrase"))) << which << ": the passphrase";
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    EXPECT_FALSE(contains(file, secrets[i])) << which << ": private key #" << i;
    // Also any 16-byte half, in case a key were stored split or truncated.
    EXPECT_FALSE(contains(file, ByteView(secrets[i]).first(16))) << which << ": private key half #" << i;
  }
}

TEST(Canary, NoPhraseOrPrivateKeyInTheStoreFiles) {
  TempHome t;
  hush::testing::SignalParty alice("alice", 21);
  SqliteParty bob("bob", t.home(), 22);
  std::vector<Bytes> secrets;
  auto identity = bob.protocol().identities.identity_key_pair();
  ASSERT_TRUE(identity);
  secrets.push_back(to_bytes(identity->private_key.secret().expose()));
  auto spk = bob.protocol().signed_pre_keys.load_signed_pre_key(signal::SignedPreKeyId{1});
  ASSERT_TRUE(spk);
  secrets.push_back(to_bytes(spk->key_pair.private_key.secret().expose()));

  auto bundle = bob.make_bundle();  // its one-time pre-key is consumed below
  secrets.push_back(to_bytes(bob.protocol().pre_keys.load_pre_key(*bundle.pre_key_id)->key_pair.private_key.secret().expose()));
  auto spare = bob.make_bundle();   // this one stays in the store
  secrets.push_back(to_bytes(bob.protocol().pre_keys.load_pre_key(*spare.pre_key_id)->key_pair.private_key.secret().expose()));

  ASSERT_TRUE(bob.protocol().identities.set_local_identity(*identity, signal::RegistrationId{77}));
  ASSERT_TRUE(store::AccountTable(bob.store()).save(
      {"bob", "account-1", signal::DeviceId{1}, "https://localhost", SecretBuffer(as_bytes(kPhrases[3]))}));
  ASSERT_TRUE(store::Outbox(bob.store()).enqueue("alice", MessageId::generate(crypto::system_rng()), as_bytes(kPhrases[4])));

  ASSERT_TRUE(alice.start_session(bob.address(), bundle));
  for (int i = 0; i < 3; ++i) {
    auto padded = text_content(kPhrases[static_cast<std::size_t>(i)], alice.rng(), 1);
    ASSERT_TRUE(padded);
    signal::SessionCipher cipher(alice.store().stores(), bob.address());
    auto m = cipher.encrypt(padded->expose());
    ASSERT_TRUE(m);
    ASSERT_TRUE(bob.receive(alice.address(), *m));
    auto reply = bob.send_text(alice.address(), kPhrases[static_cast<std::size_t>(2 - i)]);
    ASSERT_TRUE(reply);
    ASSERT_TRUE(alice.decrypt(bob.address(), *reply));
  }

  // While open: most recent pages live in the WAL.
  Bytes wal = read_file(t.wal());
  ASSERT_FALSE(wal.empty());
  expect_clean(wal, "wal (open)", secrets);
  expect_clean(read_file(t.db()), "db (open)", secrets);
  // Sanity: the scan would see a plaintext column (usernames are plaintext by design).
  EXPECT_TRUE(contains(wal, as_bytes("alice")) || contains(read_file(t.db()), as_bytes("alice")));

  bob.reopen();
  expect_clean(read_file(t.wal()), "wal (reopened)", secrets);
  expect_clean(read_file(t.db()), "db (reopened)", secrets);
}

}  // namespace
}  // namespace hush::client::fixture
