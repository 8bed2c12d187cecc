// The receive pipeline, branch by branch, with no server (issue #16 item 3):
// real Clients on temporary homes talk to one in-memory hushd (FakeHushd),
// so every test is the SDK's own code from send_text to the ack. Each test
// asserts what receive() shows, whether hushd was told to delete the
// envelope, and what the receiver's store kept; and the round trips of a
// send, the outbox, listen(), PreKeysLow and a group message over the fake.
#include "fake_hushd.hpp"
#include "store_fixture.hpp"

#include <hush/client/client.hpp>
#include <hush/client/store/received_ids.hpp>
#include <hush/crypto/random.hpp>
#include <hush/signal/messages.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace hush::client {
namespace {

namespace pb = ::hush::service::v1;
using testing::FakeHushd;
using namespace std::chrono_literals;

/// The SDK's whisper and pre-key envelope types (Signal's numbers).
constexpr auto kWhisper = static_cast<std::uint32_t>(signal::MessageType::whisper);

/// Rows of `table` in the store at `db`, read beside the open Client (WAL).
std::int64_t rows(const std::filesystem::path& db, const std::string& table) {
  sqlite3* raw = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* q = nullptr;
    const std::string sql = "SELECT count(*) FROM " + table;
    if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &q, nullptr) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
      n = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
  }
  sqlite3_close(raw);
  return n;
}

/// What a receiver's store holds of its peers: sessions, identities
/// (contacts) and history. A refused envelope must leave all three alone.
struct Kept {
  std::int64_t sessions = 0;
  std::int64_t contacts = 0;
  std::int64_t messages = 0;
  bool operator==(const Kept&) const = default;
};

class ClientPipeline : public ::testing::Test {
 protected:
  ClientOptions options() {
    ClientOptions o;
    o.transport = hushd;
    o.pre_key_batch = 5;  // registration makes 2 x 5 pre-keys, not 2 x 100: fast, and enough
    o.pre_key_low_water = 1;
    return o;
  }

  std::filesystem::path home(const std::string& name) const { return tmp.root() / name; }
  std::filesystem::path db(const std::string& name) const { return home(name) / store::kStoreFileName; }

  /// A key file per home (no Argon2id: the tests stay quick under ASan).
  store::KeySource key(const std::string& name) {
    const auto path = tmp.root() / (name + ".key");
    if (!std::filesystem::exists(path)) {
      EXPECT_TRUE(store::create_key_file(path, rng));
    }
    return store::KeySource::key_file(path);
  }

  Client& registered(const std::string& name, const std::string& home_name = {},
                     std::optional<ClientOptions> custom = std::nullopt) {
    const std::string h = home_name.empty() ? name : home_name;
    auto c = Client::create(home(h), key(h), custom ? std::move(*custom) : options());
    EXPECT_TRUE(c) << errc_name(c.code());
    auto id = (*c)->register_account(FakeHushd::kUrl, name);
    EXPECT_TRUE(id) << name << ": " << errc_name(id.code()) << " " << (id ? "" : id.error().context);
    if (id) codes[name] = id->recovery_code;
    return *(clients[h] = std::move(*c));
  }

  /// Closes the home's Client and opens it again (after tampering with its store).
  Client& reopen(const std::string& h) {
    clients.erase(h);
    auto c = Client::open(home(h), key(h), options());
    EXPECT_TRUE(c) << errc_name(c.code());
    return *(clients[h] = std::move(*c));
  }

  std::string account(const std::string& name) const { return hushd->account_of(name); }

  Kept kept(const std::string& h) const {
    return {rows(db(h), "sessions"), rows(db(h), "contacts"), rows(db(h), "messages")};
  }

  std::vector<ReceivedMessage> receive(Client& c) {
    auto got = c.receive(0s);
    EXPECT_TRUE(got) << errc_name(got.code()) << " " << (got ? "" : got.error().context);
    return got ? std::move(*got) : std::vector<ReceivedMessage>{};
  }

  /// `from` sends `text` to `to`; the send must succeed.
  void send(Client& from, const std::string& to, const std::string& text) {
    auto sent = from.send_text(to, text);
    ASSERT_TRUE(sent) << errc_name(sent.code()) << " " << (sent ? "" : sent.error().context);
  }

  /// Alice and Bob have written to each other once: both sessions are
  /// confirmed, so what follows are whisper messages.
  void converse(Client& alice, Client& bob) {
    send(alice, "bob", "hello bob");
    auto at_bob = receive(bob);
    ASSERT_EQ(at_bob.size(), 1u);
    ASSERT_FALSE(at_bob[0].failure);
    send(bob, "alice", "hello alice");
    auto at_alice = receive(alice);
    ASSERT_EQ(at_alice.size(), 1u);
    ASSERT_FALSE(at_alice[0].failure);
  }

  std::size_t history_size(Client& c, const std::string& peer) {
    auto h = c.history(peer);
    EXPECT_TRUE(h) << errc_name(h.code());
    return h ? h->size() : 0;
  }

  std::shared_ptr<FakeHushd> hushd = FakeHushd::make();
  fixture::TempHome tmp;
  crypto::SystemRng rng;
  std::map<std::string, std::string> codes;  // recovery codes by username
  std::map<std::string, std::unique_ptr<Client>> clients;  // last: closed before the homes go
};

TEST_F(ClientPipeline, PlainTextIsShownOnceAckedAndKept) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  send(bob, "alice", "hi alice");
  auto waiting = hushd->mailbox(account("alice"), 1);
  ASSERT_EQ(waiting.size(), 1u);

  auto got = receive(alice);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].failure);
  EXPECT_EQ(got[0].sender, "bob");
  EXPECT_EQ(got[0].conversation, "bob");
  EXPECT_EQ(got[0].text_view(), "hi alice");
  EXPECT_TRUE(hushd->acked(account("alice"), 1, waiting[0].seq()));
  EXPECT_TRUE(hushd->mailbox(account("alice"), 1).empty());
  ASSERT_EQ(history_size(alice, "bob"), 1u);
  EXPECT_EQ(alice.history("bob")->front().text_view(), "hi alice");
  EXPECT_TRUE(receive(alice).empty());  // shown once
}

TEST_F(ClientPipeline, DuplicateUnderTheSameSeqIsAckedAgainAndNotShown) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  send(bob, "alice", "once");
  const auto seq = hushd->mailbox(account("alice"), 1).at(0).seq();
  // The ack is lost: the envelope stays in the mailbox and the next
  // connection brings it again under the same seq.
  hushd->fail_next(1, "ack");
  auto first = receive(alice);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].text_view(), "once");
  EXPECT_FALSE(hushd->acked(account("alice"), 1, seq));
  ASSERT_EQ(hushd->mailbox(account("alice"), 1).size(), 1u);
  const Kept before = kept("alice");

  EXPECT_TRUE(receive(alice).empty());
  EXPECT_TRUE(hushd->acked(account("alice"), 1, seq));
  EXPECT_EQ(hushd->requests("ack", account("alice")), 2u);
  EXPECT_EQ(kept("alice"), before);
  EXPECT_EQ(history_size(alice, "bob"), 1u);
}

TEST_F(ClientPipeline, DuplicateUnderANewSeqIsAckedAndNotShown) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  send(bob, "alice", "once");
  const pb::Envelope copy = hushd->mailbox(account("alice"), 1).at(0);
  ASSERT_EQ(receive(alice).size(), 1u);
  const Kept before = kept("alice");

  // The same sender device and message id again, as a second row.
  const auto again = hushd->deliver(account("alice"), 1, copy);
  ASSERT_NE(again, copy.seq());
  EXPECT_TRUE(receive(alice).empty());
  EXPECT_TRUE(hushd->acked(account("alice"), 1, again));
  EXPECT_EQ(kept("alice"), before);
  EXPECT_EQ(history_size(alice, "bob"), 1u);
}

TEST_F(ClientPipeline, UnknownSenderWithAFalseClaimIsForbiddenAndNothingIsKept) {
  Client& alice = registered("alice");
  registered("carol");
  Client& mallory = registered("eve", "mallory");  // her frames claim "eve"
  const std::string mallory_account = account("eve");
  hushd->set_username(account("carol"), "eve");  // hushd now maps "eve" to carol
  send(mallory, "alice", "it's me, carol's eve");
  const Kept before = kept("alice");

  auto got = receive(alice);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].failure);
  EXPECT_EQ(got[0].failure->error, "forbidden");
  EXPECT_EQ(got[0].failure->sender_account, to_hex(as_bytes(mallory_account)));
  EXPECT_TRUE(got[0].sender.empty());
  EXPECT_TRUE(got[0].text.empty());
  EXPECT_TRUE(hushd->mailbox(account("alice"), 1).empty());  // acked
  EXPECT_EQ(kept("alice"), before);  // no session, no identity, no history for it
  EXPECT_EQ(hushd->requests("lookup_username", account("alice")), 1u);  // the claim, checked once
}

TEST_F(ClientPipeline, UnknownSenderWithAnUnknownClaimIsNotFoundAndNothingIsKept) {
  Client& alice = registered("alice");
  Client& mallory = registered("eve", "mallory");
  hushd->set_username(account("eve"), "nobody-knows");  // "eve" names no account now
  send(mallory, "alice", "guess who");
  const Kept before = kept("alice");

  auto got = receive(alice);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].failure);
  EXPECT_EQ(got[0].failure->error, "not_found");
  EXPECT_TRUE(got[0].sender.empty());
  EXPECT_TRUE(hushd->mailbox(account("alice"), 1).empty());
  EXPECT_EQ(kept("alice"), before);
}

TEST_F(ClientPipeline, UnknownSenderWithATrueClaimIsNamedAndKept) {
  Client& alice = registered("alice");
  Client& carol = registered("carol");
  send(carol, "alice", "we have not met");
  const Kept before = kept("alice");
  auto got = receive(alice);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].failure);
  EXPECT_EQ(got[0].sender, "carol");
  EXPECT_EQ(got[0].text_view(), "we have not met");
  EXPECT_TRUE(hushd->mailbox(account("alice"), 1).empty());
  EXPECT_EQ(hushd->requests("lookup_username", account("alice")), 1u);  // the claim, outside the transaction
  const Kept after = kept("alice");
  EXPECT_EQ(after.sessions, before.sessions + 1);
  EXPECT_EQ(after.contacts, before.contacts + 1);
  EXPECT_EQ(after.messages, before.messages + 1);
}

TEST_F(ClientPipeline, FailedClaimLookupKeepsTheEnvelopeAndShowsWhatCameBefore) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  Client& carol = registered("carol");
  converse(alice, bob);
  send(bob, "alice", "before");
  send(carol, "alice", "from a stranger");  // her name is looked up: that request fails
  hushd->fail_next(1, "lookup_username");
  std::vector<std::string> shown;
  for (int i = 0; i < 3; ++i) {  // bounded: each call shows what it can
    auto got = alice.receive(0s);
    if (got) {
      for (const auto& m : *got) shown.emplace_back(m.text_view());
    }
  }
  // Nothing lost: "before" was committed ahead of the failure and is shown
  // (once), the stranger's message comes with the next receive.
  EXPECT_EQ(shown, (std::vector<std::string>{"before", "from a stranger"}));
  EXPECT_TRUE(hushd->mailbox(account("alice"), 1).empty());
}

TEST_F(ClientPipeline, IdentityChangeIsKeptOnTheServerUntilTrusted) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  converse(alice, bob);
  clients.erase("bob");  // the old device is lost
  // "I have a new computer": the same account on a new identity key.
  auto made = Client::create(home("bob-new"), key("bob-new"), options());
  ASSERT_TRUE(made);
  Client& bob2 = *(clients["bob-new"] = std::move(*made));
  auto recovered = bob2.recover_account(FakeHushd::kUrl, "bob", codes["bob"]);
  ASSERT_TRUE(recovered) << errc_name(recovered.code());
  send(bob2, "alice", "new me");
  ASSERT_EQ(hushd->mailbox(account("alice"), 1).size(), 1u);
  const Kept before = kept("alice");

  // Refused as untrusted_identity: nothing shown, not acked, nothing kept.
  EXPECT_TRUE(receive(alice).empty());
  EXPECT_EQ(hushd->mailbox(account("alice"), 1).size(), 1u);
  EXPECT_EQ(hushd->requests("ack", account("alice")), 1u);  // converse()'s only
  EXPECT_EQ(kept("alice").sessions, before.sessions);
  EXPECT_EQ(kept("alice").messages, before.messages);
  auto contacts = alice.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_TRUE(contacts->front().identity_changed);
  auto refused = alice.send_text("bob", "are you bob?");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.code(), Errc::untrusted_identity);

  ASSERT_TRUE(alice.trust("bob"));
  auto got = receive(alice);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].failure);
  EXPECT_EQ(got[0].sender, "bob");
  EXPECT_EQ(got[0].text_view(), "new me");
  EXPECT_TRUE(hushd->mailbox(account("alice"), 1).empty());
  send(alice, "bob", "welcome back");
  auto at_bob = receive(bob2);
  ASSERT_EQ(at_bob.size(), 1u);
  EXPECT_EQ(at_bob[0].text_view(), "welcome back");
}

TEST_F(ClientPipeline, NameMovedToAnotherAccountIsRefusedUntilTrusted) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  converse(alice, bob);
  Client& impostor = registered("bobby", "impostor");
  const std::string old_bob = account("bob");
  hushd->set_username(account("bobby"), "bob");  // the server now maps "bob" elsewhere
  hushd->reset_requests();
  // The cached binding is fresh, so the send names it; hushd refuses it
  // (404: "bob" is not that account's any more), the name is looked up
  // again, and the new account's key is not trusted: nothing is sent to it.
  auto refused = alice.send_text("bob", "is this you?");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.code(), Errc::untrusted_identity);
  EXPECT_EQ(hushd->requests("lookup_username", account("alice")), 1u);
  EXPECT_TRUE(hushd->mailbox(account("bobby"), 1).empty());
  EXPECT_TRUE(hushd->mailbox(old_bob, 1).empty());
  auto contacts = alice.contacts();
  ASSERT_TRUE(contacts);
  bool flagged = false;
  for (const auto& c : *contacts) flagged = flagged || (c.username == "bob" && c.identity_changed);
  EXPECT_TRUE(flagged);
  // Accepted by the user: the message goes to the account now named "bob".
  ASSERT_TRUE(alice.trust("bob"));
  send(alice, "bob", "hello, new bob");
  auto got = receive(impostor);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].text_view(), "hello, new bob");
}

TEST_F(ClientPipeline, StaleSessionIsReportedAndTheResendDecrypts) {
  Client& alice = registered("alice");
  registered("bob");
  converse(alice, *clients["bob"]);
  // Bob loses his sessions (a restored backup, a bug): Alice's next
  // message is a whisper for a session he no longer has.
  clients.erase("bob");
  fixture::raw_sql(db("bob"), "DELETE FROM sessions");
  Client& bob = reopen("bob");
  send(alice, "bob", "lost?");
  const auto waiting = hushd->mailbox(account("bob"), 1);
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].type(), kWhisper);
  hushd->reset_requests();

  auto got = receive(bob);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].failure);
  EXPECT_EQ(got[0].failure->error, "no_session");
  EXPECT_EQ(got[0].sender, "alice");
  EXPECT_TRUE(got[0].failure->resend_requested);
  EXPECT_TRUE(hushd->acked(account("bob"), 1, waiting[0].seq()));
  EXPECT_EQ(hushd->requests("send_message", account("bob")), 1u);  // the decryption error
  EXPECT_EQ(history_size(bob, "alice"), 2u);  // converse()'s two only

  EXPECT_TRUE(receive(alice).empty());  // the error is no message; the resend goes out
  EXPECT_EQ(hushd->requests("send_message", account("alice")), 1u);
  auto resent = receive(bob);
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_FALSE(resent[0].failure);
  EXPECT_EQ(resent[0].text_view(), "lost?");
  EXPECT_EQ(history_size(bob, "alice"), 3u);
}

TEST_F(ClientPipeline, MalformedEnvelopesAreTypedFailuresAckedAndNotKept) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  converse(alice, bob);
  const std::string me = account("alice");
  const std::string from = account("bob");
  pb::Envelope good;
  good.set_sender_account(from);
  good.set_sender_device(1);
  good.set_type(kWhisper);
  good.set_content("not a signal message");
  good.set_message_id(std::string(16, 'm'));
  struct Case {
    const char* what;
    pb::Envelope e;
    const char* error;
  };
  std::vector<Case> cases;
  auto with = [&](const char* what, const char* error, auto change) {
    pb::Envelope e = good;
    change(e);
    cases.push_back({what, std::move(e), error});
  };
  with("sender account of 5 bytes", "invalid_message", [](pb::Envelope& e) { e.set_sender_account("short"); });
  with("sender device 0", "invalid_message", [](pb::Envelope& e) { e.set_sender_device(0); });
  with("empty message id", "invalid_message", [](pb::Envelope& e) { e.clear_message_id(); });
  with("message id too long", "invalid_message",
       [](pb::Envelope& e) { e.set_message_id(std::string(store::kMaxReceivedIdSize + 1, 'm')); });
  with("unknown envelope type", "unsupported_version", [](pb::Envelope& e) { e.set_type(99); });
  with("garbage from an unknown account", "", [](pb::Envelope& e) { e.set_sender_account(std::string(16, 'x')); });
  const Kept before = kept("alice");
  for (auto& c : cases) {
    SCOPED_TRACE(c.what);
    const auto seq = hushd->deliver(me, 1, c.e);
    auto got = receive(alice);
    ASSERT_EQ(got.size(), 1u);
    ASSERT_TRUE(got[0].failure);
    if (*c.error != '\0') {
      EXPECT_EQ(got[0].failure->error, c.error);
    }
    EXPECT_TRUE(got[0].text.empty());
    EXPECT_TRUE(hushd->acked(me, 1, seq));
    EXPECT_EQ(kept("alice"), before);
  }
  // Garbage bytes from a known sender: a typed failure, acked; the sender is
  // asked to resend (it has nothing under that id, so nothing comes). A
  // new message id: the unknown type above recorded this one as received.
  good.set_message_id(std::string(16, 'n'));
  const auto seq = hushd->deliver(me, 1, good);
  auto got = receive(alice);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].failure);
  EXPECT_EQ(got[0].sender, "bob");
  EXPECT_TRUE(hushd->acked(me, 1, seq));
  EXPECT_EQ(kept("alice").messages, before.messages);
  EXPECT_EQ(kept("alice").contacts, before.contacts);
  EXPECT_TRUE(receive(bob).empty());  // the decryption error names no message Bob kept
  EXPECT_EQ(history_size(alice, "bob"), 2u);  // converse()'s two only
}

TEST_F(ClientPipeline, UnreadableGroupMessagesAreGroupFailuresAckedAndNotKept) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  converse(alice, bob);
  pb::Envelope e;
  e.set_sender_device(1);
  e.set_type(static_cast<std::uint32_t>(signal::MessageType::sender_key));
  e.set_content("not a sender key message");
  const Kept before = kept("alice");
  hushd->reset_requests();
  for (const std::string& from : {std::string(16, 'x'), account("bob")}) {
    SCOPED_TRACE(from == account("bob") ? "from a contact, no group" : "from an unknown account");
    e.set_sender_account(from);
    e.set_message_id(from.substr(0, 8) + "group-id");
    const auto seq = hushd->deliver(account("alice"), 1, e);
    auto got = receive(alice);
    ASSERT_EQ(got.size(), 1u);
    ASSERT_TRUE(got[0].failure);
    EXPECT_TRUE(got[0].failure->group);
    EXPECT_FALSE(got[0].failure->resend_requested);  // the Sender Key layer has no resend
    EXPECT_TRUE(hushd->acked(account("alice"), 1, seq));
    EXPECT_EQ(kept("alice"), before);
  }
  EXPECT_EQ(hushd->requests("send_message", account("alice")), 0u);
}

TEST_F(ClientPipeline, ReplayedCiphertextUnderANewIdIsAFailureAndTheConversationGoesOn) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  converse(alice, bob);
  send(bob, "alice", "only once");
  pb::Envelope replay = hushd->mailbox(account("alice"), 1).at(0);
  ASSERT_EQ(receive(alice).size(), 1u);
  // The server (the only one who can) replays the ciphertext under another
  // message id: the id check cannot see it, the ratchet must.
  replay.set_message_id(std::string(16, 'r'));
  const auto seq = hushd->deliver(account("alice"), 1, replay);
  auto got = receive(alice);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].failure);
  EXPECT_EQ(got[0].failure->error, "duplicate_message");
  EXPECT_TRUE(hushd->acked(account("alice"), 1, seq));
  EXPECT_EQ(history_size(alice, "bob"), 3u);  // converse()'s two and "only once"
  // Both directions still work afterwards.
  EXPECT_TRUE(receive(bob).empty());  // the decryption error names nothing bob sent
  send(alice, "bob", "still friends");
  auto at_bob = receive(bob);
  ASSERT_EQ(at_bob.size(), 1u);
  EXPECT_EQ(at_bob[0].text_view(), "still friends");
  send(bob, "alice", "yes");
  auto at_alice = receive(alice);
  ASSERT_EQ(at_alice.size(), 1u);
  EXPECT_EQ(at_alice[0].text_view(), "yes");
}

TEST_F(ClientPipeline, SteadyStateSendIsOneRequestAndAReceiveBatchOneAck) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  converse(alice, bob);
  hushd->reset_requests();
  send(alice, "bob", "one");
  EXPECT_EQ(hushd->request_log(), std::vector<std::string>{"send_message"});
  send(alice, "bob", "two");
  send(alice, "bob", "three");
  const auto waiting = hushd->mailbox(account("bob"), 1);
  ASSERT_EQ(waiting.size(), 3u);

  hushd->reset_requests();
  auto got = receive(bob);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].text_view(), "three");
  EXPECT_EQ(hushd->requests("ack", account("bob")), 1u);
  for (const auto& e : waiting) EXPECT_TRUE(hushd->acked(account("bob"), 1, e.seq()));
  // Besides the ack only the drain of the kept connection (one round trip).
  for (const auto& kind : hushd->request_log()) EXPECT_TRUE(kind == "ack" || kind == "drain") << kind;
}

TEST_F(ClientPipeline, StaleDeviceCostsOneCorrectedRetryAndNothingElse) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  converse(alice, bob);
  hushd->set_registration_id(account("bob"), 1, 4242);  // hushd now knows bob's device differently
  hushd->reset_requests();
  send(alice, "bob", "still there?");
  // The 410 carries the device's bundle: a new session and one retry, no fetch.
  EXPECT_EQ(hushd->request_log(), (std::vector<std::string>{"send_message", "send_message"}));
  auto got = receive(bob);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].failure);
  EXPECT_EQ(got[0].text_view(), "still there?");
}

TEST_F(ClientPipeline, FirstContactSendIsALookupAFetchAndTheSend) {
  Client& alice = registered("alice");
  registered("bob");
  hushd->reset_requests();
  send(alice, "bob", "nice to meet you");
  EXPECT_EQ(hushd->request_log(), (std::vector<std::string>{"lookup_username", "fetch_bundles", "send_message"}));
}

TEST_F(ClientPipeline, QueuedTextWaitsForTheServerAndArrivesOnce) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  converse(alice, bob);
  ASSERT_TRUE(alice.queue_text("bob", "typed offline"));
  hushd->fail_next(1, "send_message");  // the server cannot be reached yet
  auto first = alice.send_queued();
  ASSERT_TRUE(first.has_value() || first.code() == Errc::network_failure) << errc_name(first.code());
  if (first) {
    EXPECT_TRUE(first->empty());  // still waiting: not listed
  }
  ASSERT_EQ(alice.queued_texts()->size(), 1u);
  auto second = alice.send_queued();
  ASSERT_TRUE(second) << errc_name(second.code());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_TRUE((*second)[0].sent);
  EXPECT_TRUE(alice.queued_texts()->empty());
  auto got = receive(bob);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].text_view(), "typed offline");
  EXPECT_EQ(got[0].id, (*second)[0].text.id);
}

TEST_F(ClientPipeline, NetworkFailureOfASendLeavesNothingOnTheServer) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  converse(alice, bob);
  hushd->fail_next(1, "send_message");
  auto failed = alice.send_text("bob", "later");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.code(), Errc::network_failure);
  EXPECT_TRUE(hushd->mailbox(account("bob"), 1).empty());
  send(alice, "bob", "now");  // a new connection, the session still usable
  auto got = receive(bob);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].text_view(), "now");
}

TEST_F(ClientPipeline, RedeliveryInOneBatchIsShownOnceAndAcked) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(alice.connected());  // registration's housekeeping left the session open
  send(bob, "alice", "twice pushed");
  const auto seq = hushd->mailbox(account("alice"), 1).at(0).seq();
  ASSERT_TRUE(hushd->push_again(account("alice"), 1, seq));  // same seq, same session
  auto got = receive(alice);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].text_view(), "twice pushed");
  EXPECT_TRUE(hushd->acked(account("alice"), 1, seq));
  EXPECT_EQ(hushd->requests("ack", account("alice")), 1u);
  EXPECT_EQ(history_size(alice, "bob"), 1u);
}

TEST_F(ClientPipeline, WithheldMailComesWhenReleasedAndDroppedMailNever) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  hushd->withhold(account("alice"), 1, true);
  send(bob, "alice", "first");
  send(bob, "alice", "second");
  EXPECT_TRUE(receive(alice).empty());  // kept on the server, not pushed
  const auto waiting = hushd->mailbox(account("alice"), 1);
  ASSERT_EQ(waiting.size(), 2u);
  ASSERT_TRUE(hushd->drop(account("alice"), 1, waiting[0].seq()));
  hushd->withhold(account("alice"), 1, false);
  // "second" opens although "first", the pre-key message that began the
  // session, never came: each of Bob's messages until Alice answers carries
  // the session's set-up.
  auto got = receive(alice);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].failure);
  EXPECT_EQ(got[0].text_view(), "second");
  EXPECT_TRUE(hushd->mailbox(account("alice"), 1).empty());
}

TEST_F(ClientPipeline, ListenShowsAndAcksWhatArrives) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  send(bob, "alice", "one");
  send(bob, "alice", "two");
  std::vector<std::string> seen;
  std::stop_source stop;
  std::size_t ticks = 0;
  // The fake never waits, so listen() loops at once: stop when both came
  // (or, if they never do, after a bounded number of turns).
  auto st = alice.listen([&](const ReceivedMessage& m) { seen.emplace_back(m.text_view()); }, stop.get_token(),
                         [&] {
                           if (seen.size() >= 2 || ++ticks > 1000) stop.request_stop();
                         });
  ASSERT_TRUE(st) << errc_name(st.code());
  EXPECT_EQ(seen, (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(hushd->mailbox(account("alice"), 1).empty());
  EXPECT_EQ(hushd->requests("ack", account("alice")), 1u);
}

TEST_F(ClientPipeline, ListenSurvivesAFailedClaimLookup) {
  Client& alice = registered("alice");
  Client& carol = registered("carol");
  send(carol, "alice", "from a stranger");
  hushd->fail_next(1, "lookup_username");
  std::vector<std::string> seen;
  std::stop_source stop;
  std::size_t ticks = 0;
  auto st = alice.listen([&](const ReceivedMessage& m) { seen.emplace_back(m.text_view()); }, stop.get_token(),
                         [&] {
                           if (!seen.empty() || ++ticks > 1000) stop.request_stop();
                         });
  // A lost connection while naming a sender is a reconnect, not the end of
  // listening: the envelope was not acked, so it comes again.
  ASSERT_TRUE(st) << errc_name(st.code());
  EXPECT_EQ(seen, std::vector<std::string>{"from a stranger"});
  EXPECT_TRUE(hushd->mailbox(account("alice"), 1).empty());
}

TEST_F(ClientPipeline, PreKeysLowPushedByTheServerTopsUpWithoutPolling) {
  ClientOptions o = options();
  o.pre_key_low_water = 5;  // the whole batch: one fetch leaves too few
  Client& alice = registered("alice", {}, std::move(o));
  Client& bob = registered("bob");
  hushd->set_pre_key_low_water(5);
  send(bob, "alice", "your keys run low");  // the fetch of alice's bundle takes one of five
  ASSERT_EQ(hushd->pre_keys(account("alice"), 1).first, 4u);
  hushd->reset_requests();
  auto got = receive(alice);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(hushd->requests("pre_key_count", account("alice")), 1u);
  EXPECT_EQ(hushd->requests("upload_keys", account("alice")), 1u);
  EXPECT_EQ(hushd->pre_keys(account("alice"), 1).first, 9u);
  // Not pushed again: the next receive asks nothing.
  hushd->reset_requests();
  EXPECT_TRUE(receive(alice).empty());
  EXPECT_EQ(hushd->requests("pre_key_count", account("alice")), 0u);
}

TEST_F(ClientPipeline, GroupMessageReachesEveryMember) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  Client& carol = registered("carol");
  auto group = alice.group_create("friends", {"bob", "carol"});
  ASSERT_TRUE(group) << errc_name(group.code()) << " " << (group ? "" : group.error().context);
  auto sent = alice.group_send("friends", "hello all");
  ASSERT_TRUE(sent) << errc_name(sent.code()) << " " << (sent ? "" : sent.error().context);
  EXPECT_TRUE(sent->refused.empty());
  for (Client* member : {&bob, &carol}) {
    auto got = receive(*member);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_FALSE(got[0].failure);
    EXPECT_EQ(got[0].sender, "alice");
    EXPECT_TRUE(got[0].group_id);
    EXPECT_EQ(got[0].text_view(), "hello all");
    EXPECT_TRUE(hushd->mailbox(account(member == &bob ? "bob" : "carol"), 1).empty());
  }
  EXPECT_GE(hushd->requests("send_multi", account("alice")), 1u);
}

// A group send's drain that fails after committing a message (here: naming
// a stranger fails) loses nothing: the send fails, and the next receive()
// shows what the drain committed (its redelivery would be a duplicate,
// never shown), then the stranger's message once its name can be checked.
TEST_F(ClientPipeline, GroupSendDrainLosesNothingItCommitted) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  registered("carol");
  Client& dave = registered("dave");  // a stranger to alice
  ASSERT_TRUE(alice.group_create("friends", {"bob", "carol"}));
  send(bob, "alice", "before");
  send(dave, "alice", "from a stranger");
  hushd->fail_next(1, "lookup_username");  // naming dave fails once
  std::vector<std::string> shown;
  auto sent = alice.group_send("friends", "hi all");
  if (sent) {
    for (const auto& m : sent->received) shown.emplace_back(m.text_view());
  }
  for (int i = 0; i < 2; ++i) {
    auto got = alice.receive(0s);
    if (got) {
      for (const auto& m : *got) shown.emplace_back(m.text_view());
    }
  }
  EXPECT_EQ(shown, (std::vector<std::string>{"before", "from a stranger"}));
}

// Registration asks hushd outside any store transaction (the guard would
// abort otherwise): the keys are stored first, the POST goes, the account is
// stored after. A POST that fails leaves no account, and the same Client
// registers on the next try, with keys that work (the first try's are never
// published).
TEST_F(ClientPipeline, ARegistrationWhosePostFailsIsRetriedOnTheSameClientAndWorks) {
  Client& alice = registered("alice");
  auto made = Client::create(home("bob"), key("bob"), options());
  ASSERT_TRUE(made) << errc_name(made.code());
  hushd->fail_next(1, "register");
  auto refused = (*made)->register_account(FakeHushd::kUrl, "bob");
  EXPECT_EQ(refused.code(), Errc::network_failure);
  EXPECT_EQ((*made)->whoami().code(), Errc::not_found) << "no account after a failed registration";
  EXPECT_TRUE(account("bob").empty());
  auto id = (*made)->register_account(FakeHushd::kUrl, "bob");
  ASSERT_TRUE(id) << errc_name(id.code()) << " " << (id ? "" : id.error().context);
  Client& bob = *(clients["bob"] = std::move(*made));
  converse(alice, bob);
}

}  // namespace
}  // namespace hush::client
