// The SDK end to end: real hushd processes over TLS, clients in temporary
// home folders: three users talking, offline delivery, linked devices and
// the stale-device retry, sent copies on our own devices, identity change,
// a wrong passphrase, and a crash between commit and ack.
#include "sdk_fixture.hpp"
#include "test_account.hpp"

#include "../../client/src/net/server_list.hpp"

#include <hush/client/client.hpp>
#include <hush/client/store/account_address.hpp>
#include <hush/client/store/local_store.hpp>
#include <hush/client/store/sent_messages.hpp>
#include <hush/client/store/unresolved_peers.hpp>
#include <hush/crypto/random.hpp>
#include <hush/signal/bound_addresses.hpp>
#include <hush/signal/messages.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <stop_token>
#include <string>

namespace hush::client {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::test_passphrase;

class ClientE2e : public testing::SdkFixture {
 protected:
  ClientE2e() : SdkFixture("hush-e2e") {}
  /// Small pre-key batches, the same for every device.
  ClientOptions options(const std::string& /*home_name*/ = {}) override {
    ClientOptions o;
    o.pre_key_batch = 10;
    o.pre_key_low_water = 3;
    return o;
  }
};

/// Every session `c` holds with `peer`'s devices (at least one) is version
/// 4 (PQXDH) with SPQR running (docs/protocol.md §7.9).
void expect_post_quantum(Client& c, std::string_view peer, std::size_t devices = 1) {
  auto sessions = c.sessions(peer);
  ASSERT_TRUE(sessions) << errc_name(sessions.code());
  ASSERT_EQ(sessions->size(), devices) << peer;
  for (const auto& s : *sessions) {
    EXPECT_EQ(s.version, 4u) << peer << " device " << s.device_id;
    EXPECT_TRUE(s.post_quantum_ratchet) << peer << " device " << s.device_id;
  }
}

TEST_F(ClientE2e, ThreeUsersTalkBothWays) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  Client& carol = registered("carol");
  ASSERT_TRUE(alice.send_text("bob", "hello bob"));
  ASSERT_TRUE(alice.send_text("carol", "hello carol"));
  auto b = receive_n(bob, 1);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].sender, "alice");
  EXPECT_EQ(text(b[0]), "hello bob");
  EXPECT_FALSE(b[0].sent_by_me);
  ASSERT_TRUE(bob.send_text("alice", "hi alice, bob here"));
  auto c = receive_n(carol, 1);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(text(c[0]), "hello carol");
  ASSERT_TRUE(carol.send_text("Alice", "carol says hi"));
  ASSERT_TRUE(carol.send_text("bob", "carol to bob"));
  auto a = receive_n(alice, 2);
  ASSERT_EQ(a.size(), 2u);
  std::map<std::string, std::string> by_sender;
  for (auto& m : a) by_sender[m.sender] = text(m);
  EXPECT_EQ(by_sender["bob"], "hi alice, bob here");
  EXPECT_EQ(by_sender["carol"], "carol says hi");
  auto b2 = receive_n(bob, 1);
  ASSERT_EQ(b2.size(), 1u);
  EXPECT_EQ(b2[0].sender, "carol");
  // Every conversation, on both sides, is PQXDH (version 4) with SPQR.
  expect_post_quantum(alice, "bob");
  expect_post_quantum(bob, "alice");
  expect_post_quantum(alice, "carol");
  expect_post_quantum(carol, "alice");
  expect_post_quantum(carol, "bob");
  expect_post_quantum(bob, "carol");
  // Nothing more, and a second receive shows nothing again.
  auto none = alice.receive(0s);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  auto h = alice.history("bob", 10);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_TRUE((*h)[0].outgoing);
  EXPECT_EQ((*h)[0].text_view(), "hello bob");
  EXPECT_FALSE((*h)[1].outgoing);
  auto contacts = alice.contacts();
  ASSERT_TRUE(contacts);
  EXPECT_EQ(contacts->size(), 2u);

  // Safety numbers agree on both sides; verify marks the contact.
  auto sa = alice.safety_number("bob");
  auto sb = bob.safety_number("alice");
  ASSERT_TRUE(sa && sb);
  EXPECT_EQ(sa->digits.size(), 60u);
  EXPECT_EQ(sa->digits, sb->digits);
  ASSERT_TRUE(alice.verify("bob"));
  EXPECT_TRUE(alice.safety_number("bob")->verified);
  auto me = alice.whoami();
  ASSERT_TRUE(me);
  EXPECT_EQ(me->username, "alice");
  EXPECT_EQ(alice.send_text("nobody", "x").code(), Errc::not_found);
}

// Issue #13: a decryption error (docs/protocol.md §7.6) from a hostile peer
// (mallory, through a test hook of her client) that names a message alice
// sent someone else (with that message's ratchet key, which the server
// sees), names one alice never sent, or repeats a real one: alice archives
// no other session, resends nothing to the wrong party, and resends the real
// message only within the budget (kMaxResendsPerMessage).
class HostileDecryptionErrors : public ClientE2e {
 protected:
  ClientOptions options(const std::string& home_name = {}) override {
    ClientOptions o = ClientE2e::options(home_name);
    o.on_log = [this, home_name](std::string_view line) { logs_[home_name].emplace_back(line); };
    if (home_name == "mallory") {
      o.decryption_error_test = [this](ByteView id, ByteView ratchet) {
        return forged_ ? forged_(id, ratchet) : std::vector<std::pair<Bytes, Bytes>>{{to_bytes(id), to_bytes(ratchet)}};
      };
    }
    return o;
  }
  int count(const std::string& who, std::string_view needle) {
    int n = 0;
    for (const auto& line : logs_[who]) n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
  }
  /// Closes `who`'s client, replaces its home by `copy` (or copies it there
  /// when `take`), and reopens it.
  void swap_home(const std::string& who, const fs::path& copy, bool take) {
    clients_.erase(who);
    if (take) {
      fs::remove_all(copy);
      fs::copy(home(who), copy, fs::copy_options::recursive);
    } else {
      fs::remove_all(home(who));
      fs::copy(copy, home(who), fs::copy_options::recursive);
    }
    reopen(who);
  }

  std::map<std::string, std::vector<std::string>> logs_;
  std::function<std::vector<std::pair<Bytes, Bytes>>(ByteView, ByteView)> forged_;
};

TEST_F(HostileDecryptionErrors, ForgedUnknownOrRepeatedErrorsArchiveNothingElseAndResendOnlyWithinTheBudget) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  registered("mallory");
  ASSERT_TRUE(alice.send_text("bob", "hello bob"));
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  ASSERT_TRUE(bob.send_text("alice", "hi alice"));
  ASSERT_EQ(receive_n(alice, 1).size(), 1u);
  // A message of alice's current sending chain with bob, kept by alice for a
  // resend to bob; its id and ratchet key as the server holds them.
  auto to_bob = alice.send_text("bob", "for bob only");
  ASSERT_TRUE(to_bob);
  auto bob_queue = queued_for("bob");
  ASSERT_EQ(bob_queue.size(), 1u);
  EXPECT_EQ(bob_queue[0].type, 2u) << "a SignalMessage of the established session";
  EXPECT_EQ(bob_queue[0].message_id, std::string(to_bob->id.view().begin(), to_bob->id.view().end()));
  auto wire = signal::SignalMessage::deserialize(as_bytes(bob_queue[0].body));
  ASSERT_TRUE(wire);
  const Bytes alice_bob_ratchet = wire->ratchet_key().serialize();
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);

  // mallory learns alice's key, keeps a copy of her home, then talks with
  // alice; with the copy back, alice's next message cannot be decrypted
  // there, and mallory's client answers with hostile decryption errors.
  ASSERT_TRUE(at("mallory").safety_number("alice"));
  const fs::path copy = home("mallory").string() + ".copy";
  swap_home("mallory", copy, true);
  ASSERT_TRUE(alice.send_text("mallory", "hello mallory"));
  ASSERT_EQ(receive_n(at("mallory"), 1).size(), 1u);
  ASSERT_TRUE(at("mallory").send_text("alice", "hi"));
  ASSERT_EQ(receive_n(alice, 1).size(), 1u);
  swap_home("mallory", copy, false);
  const Bytes never_sent(16, 0x5a);
  forged_ = [&](ByteView id, ByteView ratchet) {
    std::vector<std::pair<Bytes, Bytes>> out;
    out.emplace_back(to_bytes(to_bob->id.view()), alice_bob_ratchet);  // what alice sent bob, not mallory
    out.emplace_back(never_sent, alice_bob_ratchet);                     // nothing alice ever sent
    for (int i = 0; i < 6; ++i) out.emplace_back(to_bytes(id), to_bytes(ratchet));  // the real one, six times
    return out;
  };
  ASSERT_TRUE(alice.send_text("mallory", "again"));
  auto failed = receive_n(at("mallory"), 1);
  ASSERT_EQ(failed.size(), 1u);
  ASSERT_TRUE(failed[0].failure.has_value()) << text(failed[0]);
  EXPECT_TRUE(failed[0].failure->resend_requested);

  // alice reads all eight.
  const auto until = std::chrono::steady_clock::now() + 60s;
  auto handled = [&] {
    return count("alice", "event=resend_unavailable") + count("alice", "event=resend_requested") +
           count("alice", "event=resend_limit_reached");
  };
  while (handled() < 8 && std::chrono::steady_clock::now() < until) {
    auto got = alice.receive(1s);
    ASSERT_TRUE(got) << errc_name(got.code());
    EXPECT_TRUE(got->empty()) << "a decryption error shows nothing";
  }
  EXPECT_EQ(count("alice", "event=resend_unavailable"), 2) << "bob's message and an unknown one are not resent";
  EXPECT_EQ(count("alice", "event=resend_requested"), static_cast<int>(store::kMaxResendsPerMessage));
  EXPECT_EQ(count("alice", "event=resend_limit_reached"), 6 - static_cast<int>(store::kMaxResendsPerMessage));
  EXPECT_EQ(count("alice", "event=resent"), static_cast<int>(store::kMaxResendsPerMessage));
  // (mallory's first error came over a new session of hers, which replaced
  // the one the failed message used: nothing was left to archive.)
  EXPECT_EQ(count("alice", "event=session_archived"), 0);

  // mallory gets "again" once and never bob's message.
  auto at_mallory = receive_n(at("mallory"), 2, 6s);
  ASSERT_EQ(at_mallory.size(), 1u);
  EXPECT_EQ(text(at_mallory[0]), "again");
  // alice and bob go on in their session (a SignalMessage, not a new
  // session's pre-key message): nothing archived, nothing resent to bob.
  ASSERT_TRUE(alice.send_text("bob", "still private"));
  bob_queue = queued_for("bob");
  ASSERT_EQ(bob_queue.size(), 1u) << "nothing but the new message waits for bob";
  EXPECT_EQ(bob_queue[0].type, 2u);
  auto at_bob = receive_n(bob, 2, 6s);
  ASSERT_EQ(at_bob.size(), 1u);
  EXPECT_EQ(text(at_bob[0]), "still private");
  EXPECT_EQ(count("bob", "event=decrypt_failed"), 0);
}

TEST_F(ClientE2e, OfflineRecipientReceivesLater) {
  registered("bob");
  clients_.erase("bob");  // bob goes away
  Client& alice = registered("alice");
  ASSERT_TRUE(alice.send_text("bob", "one"));
  ASSERT_TRUE(alice.send_text("bob", "two"));
  Client& bob = reopen("bob", ClientOptions{});
  auto got = receive_n(bob, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(text(got[0]), "one");
  EXPECT_EQ(text(got[1]), "two");
}

TEST_F(ClientE2e, WrongPassphraseRefused) {
  registered("alice");
  clients_.clear();
  auto bad = Client::open(home("alice"), test_passphrase("not it"), options());
  EXPECT_EQ(bad.code(), Errc::unauthorized);
  auto good = Client::open(home("alice"), test_passphrase("pw"), options());
  ASSERT_TRUE(good);
  EXPECT_EQ((*good)->whoami()->username, "alice");
}

TEST_F(ClientE2e, CrashBetweenCommitAndAckLosesNothingShowsNothingTwice) {
  registered("bob");
  clients_.erase("bob");
  Client& alice = registered("alice");
  ASSERT_TRUE(alice.send_text("bob", "first"));
  ASSERT_TRUE(alice.send_text("bob", "second"));

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ClientOptions o = options();
    o.after_commit = [](const ReceivedMessage&) { ::_exit(7); };  // crash after the first commit
    auto c = Client::open(home("bob"), test_passphrase("pw"), std::move(o));
    if (!c) ::_exit(1);
    (void)(*c)->receive(5s);
    ::_exit(2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 7);

  Client& bob = reopen("bob", ClientOptions{});
  auto got = receive_n(bob, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0]), "second");  // "first" was committed: not shown again
  auto again = bob.receive(1s);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  auto h = bob.history("alice", 10);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 2u);  // both, once each
  EXPECT_EQ((*h)[0].text_view(), "first");
  EXPECT_EQ((*h)[1].text_view(), "second");
}

TEST_F(ClientE2e, LinkedDeviceReceivesAndSeesSentCopiesAfterStaleRetry) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(bob.send_text("alice", "before the second device"));
  ASSERT_EQ(receive_n(alice, 1).size(), 1u);

  // Alice links a second device through hushd's provisioning relay: the new
  // device waits on /v1/provisioning and shows its code; the old one approves
  // it and the sealed identity arrives over the relay.
  Client& alice2 = created("alice2");
  auto offer = alice2.link_begin(url(), ca());
  ASSERT_TRUE(offer) << errc_name(offer.code());
  auto bad_code = alice.approve_device("AAAA-BBBB");
  EXPECT_EQ(bad_code.code(), Errc::invalid_argument);
  ASSERT_TRUE(alice.approve_device(offer->code));
  auto linked = alice2.link_complete(10s);
  ASSERT_TRUE(linked) << errc_name(linked.code()) << " " << (linked ? "" : linked.error().context);
  EXPECT_EQ(linked->username, "alice");
  EXPECT_EQ(linked->device_id, 2u);
  auto devs = alice.devices();
  ASSERT_TRUE(devs);
  EXPECT_EQ(devs->size(), 2u);

  // Bob holds a session with device 1 only: the server answers
  // stale_devices, bob fetches device 2's bundle and retries.
  ASSERT_TRUE(bob.send_text("alice", "to both devices"));
  auto a1 = receive_n(alice, 1);
  auto a2 = receive_n(alice2, 1);
  ASSERT_EQ(a1.size(), 1u);
  ASSERT_EQ(a2.size(), 1u);
  EXPECT_EQ(text(a1[0]), "to both devices");
  EXPECT_EQ(text(a2[0]), "to both devices");
  EXPECT_EQ(a2[0].sender, "bob");

  // Alice's device 1 sends; device 2 sees the sent copy.
  ASSERT_TRUE(alice.send_text("bob", "sent from device one"));
  auto copy = receive_n(alice2, 1);
  ASSERT_EQ(copy.size(), 1u);
  EXPECT_TRUE(copy[0].sent_by_me);
  EXPECT_EQ(copy[0].conversation, "bob");
  EXPECT_EQ(text(copy[0]), "sent from device one");
  auto b = receive_n(bob, 1);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(text(b[0]), "sent from device one");
  auto h2 = alice2.history("bob", 10);
  ASSERT_TRUE(h2);
  ASSERT_EQ(h2->size(), 2u);
  EXPECT_TRUE((*h2)[1].outgoing);

  // Device 2 answers; device 1 sees the copy, bob the message.
  ASSERT_TRUE(alice2.send_text("bob", "and from device two"));
  auto copy1 = receive_n(alice, 1);
  ASSERT_EQ(copy1.size(), 1u);
  EXPECT_TRUE(copy1[0].sent_by_me);
  auto b2 = receive_n(bob, 1);
  ASSERT_EQ(b2.size(), 1u);
  EXPECT_EQ(b2[0].sender_device, 2u);
  // The linked device's sessions are post-quantum too, with bob and with device 1.
  expect_post_quantum(bob, "alice", 2);
  expect_post_quantum(alice2, "bob");
  expect_post_quantum(alice, "alice");
  expect_post_quantum(alice2, "alice");

  // Removing device 2: bob's next send drops it after a stale answer.
  ASSERT_TRUE(alice.remove_device(2));
  ASSERT_TRUE(bob.send_text("alice", "after removal"));
  auto a3 = receive_n(alice, 1);
  ASSERT_EQ(a3.size(), 1u);
}

/// `code` with one character replaced by another of the alphabet.
std::string with_typo(std::string code) {
  for (char& c : code) {
    if (c != '-') {
      c = c == 'A' ? 'B' : 'A';
      break;
    }
  }
  return code;
}

TEST_F(ClientE2e, LinkCodeChecksumReuseExpiryAndRelayCloseAreClearErrors) {
  Client& alice = registered("alice");
  Client& alice2 = created("alice2");

  // Nothing to wait for before link_begin; approving needs a registered device.
  EXPECT_EQ(alice2.link_complete(0s).code(), Errc::not_found);
  auto offer = alice2.link_begin(url(), ca());
  ASSERT_TRUE(offer) << errc_name(offer.code());
  EXPECT_EQ(alice2.approve_device(offer->code).code(), Errc::not_found);  // alice2 is not registered

  // The code: 82 base32 characters in dash-separated groups of four; the QR
  // form is the same without dashes; it expires in about ten minutes.
  std::string bare;
  for (char c : offer->code) {
    if (c != '-') bare += c;
  }
  EXPECT_EQ(bare.size(), 82u) << offer->code;
  EXPECT_EQ(offer->qr, "hush-link:" + bare);
  const auto now_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  EXPECT_GT(offer->expires_at_ms, now_ms + 9 * 60 * 1000);
  EXPECT_LT(offer->expires_at_ms, now_ms + 11 * 60 * 1000);

  // A typing mistake is caught by the checksum; a truncated code by its length.
  auto typo = alice.approve_device(with_typo(offer->code));
  EXPECT_EQ(typo.code(), Errc::invalid_argument);
  EXPECT_STREQ(typo.error().context, "link code checksum");
  EXPECT_EQ(alice.approve_device(offer->code.substr(0, 60)).code(), Errc::invalid_argument);
  EXPECT_EQ(alice.approve_device("not a code!").code(), Errc::invalid_argument);

  // Waiting with nothing sent: a plain timeout, and the link stays usable.
  auto early = alice2.link_complete(0s);
  EXPECT_EQ(early.code(), Errc::timeout);
  EXPECT_STREQ(early.error().context, "no device approved the code yet");
  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(alice2.link_complete(30s, stop.get_token()).code(), Errc::timeout);  // returns at once when stopped

  // Lower case, spaces and the URI form are all the same code.
  std::string lower;
  for (char c : offer->qr) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ASSERT_TRUE(alice.approve_device(lower));
  auto linked = alice2.link_complete(10s);
  ASSERT_TRUE(linked) << errc_name(linked.code()) << " " << (linked ? "" : linked.error().context);
  EXPECT_EQ(linked->device_id, 2u);

  // The same code again: nobody waits at that address any more.
  auto reused = alice.approve_device(offer->code);
  EXPECT_EQ(reused.code(), Errc::not_found);
  EXPECT_STREQ(reused.error().context, "nobody waits for this code");
  EXPECT_EQ(alice2.link_complete(0s).code(), Errc::conflict);  // already linked

  // A device that stopped waiting (its Client gone, as when its 10 minutes
  // ran out and hushd dropped the address): the same answer.
  {
    auto gone = Client::create(home("alice3"), test_passphrase("pw"), options());
    ASSERT_TRUE(gone);
    auto o = (*gone)->link_begin(url(), ca());
    ASSERT_TRUE(o);
    const std::string code = o->code;
    gone->reset();
    auto late = alice.approve_device(code);
    EXPECT_EQ(late.code(), Errc::not_found);
    EXPECT_STREQ(late.error().context, "nobody waits for this code");
  }

  // A second link_begin replaces the first: the old code stops working.
  Client& alice4 = created("alice4");
  auto first = alice4.link_begin(url(), ca());
  auto second = alice4.link_begin(url(), ca());
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->code, second->code);
  EXPECT_EQ(alice.approve_device(first->code).code(), Errc::not_found);

  // The relay closes while the new device waits (hushd stops): not a
  // timeout to wait out but network_failure, and the link is over.
  hushd_->stop();
  auto closed = alice4.link_complete(10s);
  EXPECT_EQ(closed.code(), Errc::network_failure) << errc_name(closed.code());
  EXPECT_EQ(alice4.link_complete(0s).code(), Errc::not_found);
  // And with no relay at all, link_begin says so.
  EXPECT_EQ(alice4.link_begin(url(), ca()).code(), Errc::network_failure);
}

TEST_F(ClientE2e, TrustAcceptsOnlyTheKeyTheUserWasShown) {
  Client& alice = registered("alice");
  registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "hi"));
  ASSERT_TRUE(alice.verify("bob"));
  clients_.erase("bob");
  alice.disconnect();
  ASSERT_NO_FATAL_FAILURE(free_username("bob"));
  registered("bob", "bob2");
  EXPECT_EQ(alice.send_text("bob", "you?").code(), Errc::untrusted_identity);

  // What the user is shown: the number with the NEW key, and that key.
  auto shown = alice.safety_number("bob");
  ASSERT_TRUE(shown);
  EXPECT_TRUE(shown->identity_changed);
  EXPECT_TRUE(shown->verified);  // the previous key was
  ASSERT_EQ(shown->pending_digits.size(), 60u);
  EXPECT_NE(shown->pending_digits, shown->digits);
  auto from_bob2 = clients_["bob2"]->safety_number("alice");
  ASSERT_TRUE(from_bob2);
  EXPECT_EQ(shown->pending_digits, from_bob2->digits);
  EXPECT_EQ(shown->pending_key_hex, clients_["bob2"]->whoami()->identity_key_hex);

  // Another change arrives while the user compares: accepting what was shown is refused.
  clients_.erase("bob2");
  alice.disconnect();
  ASSERT_NO_FATAL_FAILURE(free_username("bob"));
  registered("bob", "bob3");
  EXPECT_EQ(alice.send_text("bob", "and now?").code(), Errc::untrusted_identity);
  EXPECT_EQ(alice.trust("bob", shown->pending_key_hex).code(), Errc::conflict);
  auto still = alice.safety_number("bob");
  ASSERT_TRUE(still);
  EXPECT_TRUE(still->identity_changed);
  EXPECT_NE(still->pending_key_hex, shown->pending_key_hex);
  // The key shown now is accepted.
  ASSERT_TRUE(alice.trust("bob", still->pending_key_hex));
  auto after = alice.safety_number("bob");
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->identity_changed);
  EXPECT_FALSE(after->verified);
  EXPECT_EQ(after->digits, still->pending_digits);
}

TEST_F(ClientE2e, IdentityChangeRefusedUntilTrusted) {
  Client& alice = registered("alice");
  registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "hi"));
  ASSERT_EQ(receive_n(*clients_["bob"], 1).size(), 1u);
  ASSERT_TRUE(alice.verify("bob"));
  clients_.erase("bob");

  // Bob's name moves to a new account with a new identity key (a reinstall
  // the server allowed, or a server lying): simulated in hushd's database.
  alice.disconnect();
  ASSERT_NO_FATAL_FAILURE(free_username("bob"));
  Client& bob2 = registered("bob", "bob2");

  auto refused = alice.send_text("bob", "are you still you?");
  EXPECT_EQ(refused.code(), Errc::untrusted_identity);
  auto contacts = alice.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_TRUE((*contacts)[0].identity_changed);
  EXPECT_EQ(alice.verify("bob").code(), Errc::conflict);

  // The new bob writes first: held back (not shown, not acked) until trusted.
  ASSERT_TRUE(bob2.send_text("alice", "new phone, it's bob"));
  auto held = alice.receive(1s);
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->empty());

  ASSERT_TRUE(alice.trust("bob"));
  auto now = receive_n(alice, 1);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(text(now[0]), "new phone, it's bob");
  ASSERT_TRUE(alice.send_text("bob", "welcome back"));
  auto b = receive_n(bob2, 1);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(text(b[0]), "welcome back");
  auto sn = alice.safety_number("bob");
  ASSERT_TRUE(sn);
  EXPECT_FALSE(sn->verified);  // the change undid verification
}

// docs/protocol.md §2a.6: with account addresses in Service-ID form, the
// SDK's pre-key messages carry libsignal's field 6, the sender's and the
// recipient's address (its own and the one it wrote to), and the recipient,
// which checks it, reads the message.
TEST_F(ClientE2e, PreKeyMessagesCarryBothAddresses) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "bound to us two"));
  const auto queued = queued_for("bob");
  ASSERT_EQ(queued.size(), 1u);
  ASSERT_EQ(queued[0].type, static_cast<std::uint32_t>(signal::MessageType::pre_key));
  auto m = signal::PreKeySignalMessage::deserialize(as_bytes(queued[0].body));
  ASSERT_TRUE(m) << errc_name(m.code());
  const auto& field = m->message().addresses();
  ASSERT_TRUE(field.has_value());
  auto address = [](Client& c) {
    auto me = c.whoami();
    auto id = from_hex(me->account_id_hex);
    return signal::ProtocolAddress{client::store::account_address(*id), signal::DeviceId{me->device_id}};
  };
  const auto expected = signal::bound_addresses(address(alice), address(bob));
  ASSERT_TRUE(expected);
  EXPECT_EQ(*field, Bytes(expected->begin(), expected->end()));
  auto got = receive_n(bob, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0]), "bound to us two");
}

// Issue #16 item 4: a name the v1 directory lacked is kept under the
// username by the migration (nothing lost: its history still shows) and
// moved to its account's address by the lookup of the next receive; the
// session survives the move (the next send needs no new pre-key message).
TEST_F(ClientE2e, ANameTheMigrationCouldNotMapMovesToItsAccountOnTheNextReceive) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "before"));
  ASSERT_EQ(receive_n(bob, 1).size(), 1u);
  ASSERT_TRUE(bob.send_text("alice", "reply"));
  ASSERT_EQ(receive_n(alice, 1).size(), 1u);
  auto bob_account = from_hex(bob.whoami()->account_id_hex);
  ASSERT_TRUE(bob_account);
  clients_.erase("alice");
  {
    // What the v1 -> v2 migration leaves for a name its directory lacked.
    auto s = client::store::LocalStore::open(home("alice"), key_source(), crypto::system_rng());
    ASSERT_TRUE(s) << errc_name(s.code());
    ASSERT_TRUE(client::store::rename_peer(**s, client::store::account_address(*bob_account), "bob"));
    ASSERT_TRUE((*s)->transaction([&] { return client::store::note_unresolved_peer(**s, "bob"); }));
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((home("alice") / client::store::kStoreFileName).c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DELETE FROM directory WHERE username = 'bob'", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  Client& again = reopen("alice");
  auto kept = again.history("bob", 10);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->size(), 2u);

  ASSERT_TRUE(again.receive(1s));  // looks "bob" up and moves the rows
  auto moved = again.history("bob", 10);
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->size(), 2u);
  EXPECT_EQ((*moved)[0].peer, "bob");
  auto sessions = again.sessions("bob");
  ASSERT_TRUE(sessions);
  EXPECT_EQ(sessions->size(), 1u);
  auto contacts = again.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].username, "bob");
  ASSERT_TRUE(again.send_text("bob", "after"));
  const auto queued = queued_for("bob");
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].type, static_cast<std::uint32_t>(signal::MessageType::whisper));  // the same session
  auto got = receive_n(bob, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0]), "after");
}

// Issue #16 item 1: sessions and identities are keyed by account, so a
// username that moves to another account must not start a fresh,
// silently trusted contact. Here the new account writes first, before we
// send anything: its message is held (not shown, not acked) exactly like
// one under a changed identity key, until the user trusts the name.
TEST_F(ClientE2e, AMovedUsernameWritingFirstIsHeldUntilTrusted) {
  Client& alice = registered("alice");
  registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "hi"));
  ASSERT_EQ(receive_n(*clients_["bob"], 1).size(), 1u);
  clients_.erase("bob");
  alice.disconnect();
  ASSERT_NO_FATAL_FAILURE(free_username("bob"));
  Client& bob2 = registered("bob", "bob2");

  ASSERT_TRUE(bob2.send_text("alice", "it's me, new account"));
  auto held = alice.receive(1s);
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->empty());
  auto contacts = alice.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 1u);  // bob, once: the old account is nobody's name any more
  EXPECT_EQ((*contacts)[0].username, "bob");
  EXPECT_TRUE((*contacts)[0].identity_changed);
  EXPECT_EQ(alice.send_text("bob", "who is this?").code(), Errc::untrusted_identity);

  auto shown = alice.safety_number("bob");
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->pending_key_hex, bob2.whoami()->identity_key_hex);
  ASSERT_TRUE(alice.trust("bob", shown->pending_key_hex));
  auto now = receive_n(alice, 1);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].sender, "bob");
  EXPECT_EQ(text(now[0]), "it's me, new account");
  auto history = alice.history("bob", 10);
  ASSERT_TRUE(history);
  ASSERT_FALSE(history->empty());
  EXPECT_EQ(history->back().peer, "bob");
}

TEST_F(ClientE2e, ListenDeliversAsMessagesArriveAndSendsFromTick) {
  Client& alice = registered("alice");
  Client& bob = registered("bob");
  ASSERT_TRUE(bob.send_text("alice", "waiting for you"));
  std::vector<std::string> got;
  std::stop_source stop;
  bool replied = false;
  auto deadline = std::chrono::steady_clock::now() + 15s;
  auto st = alice.listen(
      [&](const ReceivedMessage& m) {
        got.push_back(text(m));
        if (got.size() == 2) stop.request_stop();
      },
      stop.get_token(),
      [&] {
        if (!got.empty() && !replied) {  // chat: send from inside listen
          replied = alice.send_text("bob", "got it").has_value();
          (void)bob.send_text("alice", "live one");  // arrives while alice listens
        }
        if (std::chrono::steady_clock::now() > deadline) stop.request_stop();
      });
  ASSERT_TRUE(st) << errc_name(st.code());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "waiting for you");
  EXPECT_EQ(got[1], "live one");
  EXPECT_TRUE(replied);
  auto b = receive_n(bob, 1);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(text(b[0]), "got it");
}

TEST_F(ClientE2e, HousekeepingTopsUpAndRotates) {
  std::uint64_t now_ms = 1'700'000'000'000ULL;
  ClientOptions o = options();
  o.clock = [&now_ms] { return now_ms; };
  o.pre_key_batch = 4;  // hushd allows 5 registrations per address, so few users use up keys
  o.pre_key_low_water = 3;
  auto c = Client::create(home("alice"), test_passphrase("pw"), o);
  ASSERT_TRUE(c);
  Client& alice = *(clients_["alice"] = std::move(*c));
  ASSERT_TRUE(alice.register_account(url(), "alice", ca()));
  // Two one-time pre-keys used: two left, below the low water mark.
  ASSERT_TRUE(registered("bob").send_text("alice", "hi from bob"));
  ASSERT_TRUE(registered("carol").send_text("alice", "hi from carol"));
  auto r = alice.housekeeping();
  ASSERT_TRUE(r) << errc_name(r.code());
  EXPECT_EQ(r->pre_keys_uploaded, 4u);
  // Each of them took a one-time Kyber pre-key with the EC one.
  EXPECT_EQ(r->kyber_pre_keys_uploaded, 4u);
  EXPECT_FALSE(r->signed_pre_key_rotated);
  EXPECT_FALSE(r->last_resort_kyber_pre_key_rotated);
  now_ms += 8ULL * 24 * 3600 * 1000;
  r = alice.housekeeping();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->signed_pre_key_rotated);
  EXPECT_TRUE(r->last_resort_kyber_pre_key_rotated) << "rotates with the signed pre-key";
  EXPECT_EQ(r->old_signed_pre_keys_removed, 0u);
  EXPECT_EQ(r->old_last_resort_kyber_pre_keys_removed, 0u);
  // Messages started against the old signed pre-key still decrypt.
  auto got = receive_n(alice, 2);
  EXPECT_EQ(got.size(), 2u);
  now_ms += 31ULL * 24 * 3600 * 1000;
  r = alice.housekeeping();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->old_signed_pre_keys_removed, 1u);
  EXPECT_EQ(r->old_last_resort_kyber_pre_keys_removed, 1u);
}

// A full batch of 100 one-time Kyber pre-keys does not fit in hushd's 64 KiB
// registration body: 30 go with the registration, the rest right after it.
// The server then holds every key the device made.
TEST_F(ClientE2e, AFullBatchOfKyberPreKeysReachesTheServer) {
  ClientOptions o = options();
  o.pre_key_batch = 100;
  o.pre_key_low_water = 20;
  auto c = Client::create(home("alice"), test_passphrase("pw"), o);
  ASSERT_TRUE(c);
  Client& alice = *(clients_["alice"] = std::move(*c));
  auto id = alice.register_account(url(), "alice", ca());
  ASSERT_TRUE(id) << errc_name(id.code()) << " " << (id ? "" : id.error().context);
  auto r = alice.housekeeping();
  ASSERT_TRUE(r) << errc_name(r.code());
  EXPECT_EQ(r->kyber_pre_keys_uploaded, 0u) << "the server holds the whole batch";
  EXPECT_EQ(r->drained_kyber_pre_keys_waiting, 0u) << "no key made here is missing there";
  EXPECT_EQ(r->pre_keys_uploaded, 0u);
  EXPECT_FALSE(r->last_resort_kyber_pre_key_rotated);
}

// A device that published no Kyber pre-key (a raw client registered without
// them) gets no session: Hush never falls back to X3DH for a new session.
TEST_F(ClientE2e, ANewSessionNeedsAKyberPreKey) {
  Client& alice = registered("alice");
  hush::testing::DeterministicRng rng(1501);
  const auto identity = crypto::KeyPair::generate(rng);
  hush::testing::TestClient raw(hushd_->host(), hushd_->port(), ca());
  unsigned status = 0;
  auto device = hush::testing::register_device(raw, hush::testing::make_register_request("oldie", identity, 77, rng, 3),
                                               &status);
  ASSERT_TRUE(device) << "raw registration: " << status;
  auto sent = alice.send_text("oldie", "hello?");
  EXPECT_EQ(sent.code(), Errc::unsupported_version);
  auto sessions = alice.sessions("oldie");
  ASSERT_TRUE(sessions);
  EXPECT_TRUE(sessions->empty()) << "no session was set up";
}

/// A loopback port nothing listens on (bound once by the kernel's choice,
/// then closed): connecting to it is refused at once, as to a node that died.
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// Issue #17: a client names every node of its service ("URL,URL"); a node
// that is down is passed over for the next, at registration and for every
// later connection, also by a new process that starts at the first again.
TEST_F(ClientE2e, ANodeThatIsDownIsPassedOverForTheNextInTheList) {
  const std::string dead = "https://127.0.0.1:" + std::to_string(closed_port());
  Client& alice = created("alice");
  auto id = alice.register_account(dead + " , " + next_url(), "alice", ca());
  ASSERT_TRUE(id) << errc_name(id.code());
  EXPECT_EQ(id->server_url, dead + "," + url()) << "kept whole, in canonical form";
  Client& bob = registered("bob");
  ASSERT_TRUE(alice.send_text("bob", "through the second node"));
  auto b = receive_n(bob, 1);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(text(b[0]), "through the second node");
  ASSERT_TRUE(bob.send_text("alice", "and back"));
  auto a = receive_n(reopen("alice"), 1);  // a new Client: the dead node is tried first again
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(text(a[0]), "and back");
  EXPECT_EQ(created("carol").register_account(dead, "carol", ca()).code(), Errc::network_failure)
      << "only dead nodes: the error says so";
}

TEST(ServerListParse, TakesCommaSeparatedUrlsOnceEachAndRefusesBadOnes) {
  auto one = net::ServerList::parse("https://a.example");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->str(), "https://a.example:443");
  auto two = net::ServerList::parse("https://a.example:8443, https://b.example:8443,https://a.example:8443");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->str(), "https://a.example:8443,https://b.example:8443");
  for (const char* bad : {"", ",", "https://a.example,", "https://a.example,,https://b.example",
                          "https://a.example,ftp://b.example", "http://a.example:80"}) {
    EXPECT_FALSE(net::ServerList::parse(bad)) << bad;
  }
  std::string many;
  for (int i = 1; i <= 17; ++i) many += (i > 1 ? "," : "") + std::string("https://n") + std::to_string(i) + ".example";
  EXPECT_FALSE(net::ServerList::parse(many)) << "more than kMaxServers";
}

// Issue #13: one-time pre-keys drained from hushd (handed out, never used)
// are forgotten once no message built on them can still arrive, and not
// before: a message built on a drained but recent key still decrypts, and
// one built on a forgotten key is shown and healed by a resend.
TEST_F(ClientE2e, DrainedOneTimePreKeysArePrunedAfterTheGraceAndARecentOneStillDecrypts) {
  constexpr std::uint64_t kDay = 24ULL * 3600 * 1000;
  std::uint64_t now_ms = 1'700'000'000'000ULL;
  ClientOptions o = options();
  o.clock = [&now_ms] { return now_ms; };
  o.pre_key_batch = 3;
  o.pre_key_low_water = 1;
  auto c = Client::create(home("bob"), test_passphrase("pw"), o);
  ASSERT_TRUE(c);
  Client& bob = *(clients_["bob"] = std::move(*c));
  ASSERT_TRUE(bob.register_account(url(), "bob", ca()));
  // carol's first message takes one key; dave and erin only fetch bundles
  // (a safety number before talking), draining the other two.
  ASSERT_TRUE(registered("carol").send_text("bob", "built on a drained key"));
  ASSERT_TRUE(registered("dave").safety_number("bob"));
  ASSERT_TRUE(registered("erin").safety_number("bob"));
  // bob knows dave (so a message from dave bob cannot read can be answered).
  ASSERT_TRUE(bob.safety_number("dave"));

  auto r = bob.housekeeping();
  ASSERT_TRUE(r) << errc_name(r.code());
  EXPECT_EQ(r->pre_keys_uploaded, 3u) << "replenished";
  EXPECT_EQ(r->drained_pre_keys_pruned, 0u);
  EXPECT_EQ(r->drained_pre_keys_waiting, 3u) << "the three handed out are kept for the grace period";

  // 29 days on, carol's message, waiting in the mailbox, still decrypts.
  now_ms += 29 * kDay;
  auto got = receive_n(bob, 1);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_FALSE(got[0].failure.has_value()) << got[0].failure->error;
  EXPECT_EQ(text(got[0]), "built on a drained key");
  r = bob.housekeeping();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->drained_pre_keys_pruned, 0u);
  EXPECT_EQ(r->drained_pre_keys_waiting, 2u) << "carol's key was used up by her message";

  // Past the grace period the two never used are forgotten.
  now_ms += 2 * kDay;
  r = bob.housekeeping();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->drained_pre_keys_pruned, 2u);
  EXPECT_EQ(r->drained_pre_keys_waiting, 0u);

  // A message dave builds on his forgotten key now cannot be read: bob is
  // told, dave's device is asked, and dave resends over a new session
  // (docs/protocol.md §7.8).
  ASSERT_TRUE(at("dave").send_text("bob", "too late"));
  auto failed = receive_n(bob, 1);
  ASSERT_EQ(failed.size(), 1u);
  ASSERT_TRUE(failed[0].failure.has_value()) << text(failed[0]);
  EXPECT_EQ(failed[0].failure->error, "unknown_pre_key");
  EXPECT_TRUE(failed[0].failure->resend_requested);
  ASSERT_TRUE(at("dave").receive(2s));  // reads the decryption error and resends
  auto resent = receive_n(bob, 1);
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_FALSE(resent[0].failure.has_value());
  EXPECT_EQ(text(resent[0]), "too late");
}

}  // namespace
}  // namespace hush::client
