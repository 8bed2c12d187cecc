// Groups end to end (issue #7): real hushd, SDK clients in temporary home
// folders. Five users (one with two devices) talking in a group, an offline
// member catching up, a removed member and a late member reading nothing
// outside their membership, forged and replayed changes refused by every
// member, and everyone's `group info` agreeing.
//
// hushd lets one client address register five devices at once, then one a
// minute; the fixture listens on [::] and registers the first five devices
// over 127.0.0.1 and the others over ::1, two addresses for one server
// (HushdFixture's dual_stack_).
#include "sdk_fixture.hpp"

#include <hush/client/client.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>

namespace hush::client {
namespace {

using namespace std::chrono_literals;

class GroupsE2e : public testing::SdkFixture {
 protected:
  GroupsE2e() : SdkFixture("hush-groups") { dual_stack_ = true; }

  ClientOptions options(const std::string& who) override {
    ClientOptions o;
    o.pre_key_batch = 20;
    o.pre_key_low_water = 5;
    o.on_log = [this, who](std::string_view line) { logs_[who].emplace_back(line); };
    auto hooks = hooks_.find(who);
    if (hooks != hooks_.end()) o.group_test = hooks->second;
    return o;
  }
  /// A second device of `of`'s account in home `home_name`.
  Client& linked(const std::string& of, const std::string& home_name) { return SdkFixture::linked(of, home_name, 20s); }

  /// Everything pending for `name` (changes, keys, messages): the texts shown.
  std::vector<ReceivedMessage> drain(const std::string& name) {
    std::vector<ReceivedMessage> all;
    for (;;) {
      auto got = at(name).receive(0s);
      EXPECT_TRUE(got) << name << ": " << errc_name(got.code());
      if (!got || got->empty()) break;
      for (auto& m : *got) all.push_back(std::move(m));
    }
    return all;
  }
  /// Receives until `n` group messages came to `name` (or 15 s passed).
  std::vector<ReceivedMessage> receive_n(const std::string& name, std::size_t n) {
    return SdkFixture::receive_n(at(name), n, 15s, 1s);
  }
  void drain_all(std::initializer_list<const char*> names) {
    for (const char* n : names) (void)drain(n);
  }
  bool logged(const std::string& who, std::string_view needle) {
    for (const auto& l : logs_[who]) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  /// What `group info` shows, as one comparable string (members, admins,
  /// version, history with authors and times).
  static std::string summary(const GroupInfo& g) {
    std::string s = g.id + " " + g.name + " v" + std::to_string(g.version) + " members:";
    for (const auto& m : g.members) s += " " + m;
    s += " admins:";
    for (const auto& a : g.admins) s += " " + a;
    for (const auto& h : g.history) {
      s += " | " + std::to_string(h.version) + " " + h.author + " " + h.action + " " + h.name + " @" +
           std::to_string(h.timestamp_ms);
      for (const auto& x : h.subjects) s += " " + x;
    }
    return s;
  }

  /// The id of `who`'s only group (`name` is for the failure message).
  Bytes group_id_of(const std::string& who, const std::string& name) {
    auto list = at(who).groups();
    EXPECT_TRUE(list && list->size() == 1) << who << " " << name;
    if (!list || list->empty()) return {};
    return *from_hex(list->front().id);
  }

  std::map<std::string, std::vector<std::string>> logs_;
  std::map<std::string, ClientOptions::GroupTestHooks> hooks_;
};

TEST_F(GroupsE2e, FiveUsersOneWithTwoDevicesTalkAndAnOfflineMemberCatchesUp) {
  for (const char* n : {"alice", "bob", "carol", "dave", "erin"}) registered(n);
  linked("alice", "alice2");
  auto made = at("alice").group_create("friends", {"bob", "carol", "dave", "erin"});
  ASSERT_TRUE(made) << errc_name(made.code()) << " " << (made ? "" : made.error().context);
  EXPECT_EQ(made->members, (std::vector<std::string>{"alice", "bob", "carol", "dave", "erin"}));
  EXPECT_EQ(made->admins, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(made->version, 1u);
  drain_all({"alice2", "bob", "carol", "dave", "erin"});
  clients_.erase("erin");  // erin goes offline

  auto sent = at("alice").group_send("friends", "hello friends");
  ASSERT_TRUE(sent) << errc_name(sent.code()) << " " << (sent ? "" : sent.error().context);
  for (const char* n : {"bob", "carol", "dave", "alice2"}) {
    auto got = receive_n(n, 1);
    ASSERT_EQ(got.size(), 1u) << n;
    EXPECT_EQ(text(got[0]), "hello friends");
    EXPECT_EQ(got[0].sender, "alice");
    EXPECT_EQ(got[0].group_name, "friends");
    ASSERT_TRUE(got[0].group_id);
    EXPECT_EQ(to_hex(*got[0].group_id), made->id);
    EXPECT_EQ(got[0].sent_by_me, std::string(n) == "alice2");
  }
  // Everyone answers; each message reaches every other device once.
  ASSERT_TRUE(at("bob").group_send("friends", "bob here"));
  ASSERT_TRUE(at("alice2").group_send("friends", "alice from her second device"));
  ASSERT_TRUE(at("carol").group_send("friends", "carol here"));
  std::map<std::string, std::multiset<std::string>> seen;
  for (const char* n : {"alice", "alice2", "bob", "carol", "dave"}) {
    const std::size_t expect = std::string(n) == "dave" ? 3u : 2u;
    for (auto& m : receive_n(n, expect)) seen[n].insert(m.sender + ":" + text(m));
  }
  EXPECT_EQ(seen["alice"], (std::multiset<std::string>{"bob:bob here", "alice:alice from her second device",
                                                       "carol:carol here"}));
  EXPECT_EQ(seen["alice2"], (std::multiset<std::string>{"bob:bob here", "carol:carol here"}));
  EXPECT_EQ(seen["bob"], (std::multiset<std::string>{"alice:alice from her second device", "carol:carol here"}));
  EXPECT_EQ(seen["dave"].size(), 3u);

  // erin comes back and reads everything, in order.
  reopen("erin");
  auto caught_up = receive_n("erin", 4);
  ASSERT_EQ(caught_up.size(), 4u);
  EXPECT_EQ(text(caught_up[0]), "hello friends");
  EXPECT_EQ(text(caught_up[1]), "bob here");
  EXPECT_EQ(text(caught_up[2]), "alice from her second device");
  EXPECT_EQ(caught_up[2].sender_device, 2u);
  EXPECT_EQ(text(caught_up[3]), "carol here");
  ASSERT_TRUE(at("erin").group_send("friends", "erin is back"));
  for (const char* n : {"alice", "alice2", "bob", "carol", "dave"}) {
    auto got = receive_n(n, 1);
    ASSERT_EQ(got.size(), 1u) << n;
    EXPECT_EQ(text(got[0]), "erin is back");
  }
  // The pairwise sessions that carry group changes and Sender Keys are all
  // version 4 with SPQR (docs/protocol.md §7.9), alice's two devices included.
  for (const char* n : {"alice", "alice2", "bob", "erin"}) {
    for (const char* peer : {"alice", "bob", "carol", "dave", "erin"}) {
      auto sessions = at(n).sessions(peer);
      ASSERT_TRUE(sessions) << n << " with " << peer;
      for (const auto& session : *sessions) {
        EXPECT_EQ(session.version, 4u) << n << " with " << peer << " device " << session.device_id;
        EXPECT_TRUE(session.post_quantum_ratchet) << n << " with " << peer << " device " << session.device_id;
      }
    }
  }
  ASSERT_EQ(at("erin").sessions("alice")->size(), 2u) << "erin holds sessions with both of alice's devices";

  // The same group, members and history everywhere; history per group.
  const std::string reference = summary(*at("alice").group_info("friends"));
  for (const char* n : {"alice2", "bob", "carol", "dave", "erin"}) {
    auto info = at(n).group_info("friends");
    ASSERT_TRUE(info) << n;
    EXPECT_EQ(summary(*info), reference) << n;
  }
  auto h = at("bob").group_history("friends", 10);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 5u);
  EXPECT_EQ((*h)[1].text_view(), "bob here");
  EXPECT_TRUE((*h)[1].outgoing);
  EXPECT_EQ((*h)[0].group_name, "friends");
  auto one_to_one = at("bob").history("alice", 10);  // marked with the group there too
  ASSERT_TRUE(one_to_one);
  ASSERT_FALSE(one_to_one->empty());
  EXPECT_EQ(one_to_one->front().group_name, "friends");
  auto list = at("dave").groups();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
}

TEST_F(GroupsE2e, RemovedMemberReadsNothingSentAfterRemoval) {
  // Everyone also addresses dave's devices, as a server that keeps
  // delivering to a removed member would; dave must still read nothing.
  for (const char* n : {"alice", "bob", "carol"}) hooks_[n].extra_recipients = {"dave"};
  std::vector<Bytes> uploads;
  hooks_["alice"].on_upload = [&](ByteView b) { uploads.emplace_back(b.begin(), b.end()); };
  for (const char* n : {"alice", "bob", "carol", "dave"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("team", {"bob", "carol", "dave"}));
  drain_all({"bob", "carol", "dave"});
  ASSERT_TRUE(at("alice").group_send("team", "before removal"));
  auto bob_sent = at("bob").group_send("team", "bob before removal");
  ASSERT_TRUE(bob_sent) << errc_name(bob_sent.code()) << ::testing::PrintToString(logs_["bob"]);
  EXPECT_EQ(receive_n("dave", 2).size(), 2u);  // dave reads while a member
  drain_all({"bob", "carol", "alice"});

  auto removed = at("alice").group_remove("team", "dave");
  ASSERT_TRUE(removed) << errc_name(removed.code());
  EXPECT_EQ(removed->members, (std::vector<std::string>{"alice", "bob", "carol"}));
  drain_all({"bob", "carol", "dave"});
  auto dave_view = at("dave").group_info("team");
  ASSERT_TRUE(dave_view);
  EXPECT_FALSE(dave_view->active);
  EXPECT_EQ(at("dave").group_send("team", "still here?").code(), Errc::forbidden);

  ASSERT_TRUE(at("alice").group_send("team", "after removal"));
  ASSERT_TRUE(at("bob").group_send("team", "bob after removal"));
  ASSERT_EQ(receive_n("carol", 2).size(), 2u);
  // The server delivered both to dave (the hook addressed him): he reads
  // neither, and is shown each as a group message he could not decrypt
  // (issue #13: a failure is shown, never only logged).
  auto shown = receive_n("dave", 2);
  ASSERT_EQ(shown.size(), 2u);
  std::set<std::string> from;
  for (const auto& m : shown) {
    ASSERT_TRUE(m.failure.has_value()) << "dave read: " << text(m);
    EXPECT_TRUE(m.failure->group);
    EXPECT_FALSE(m.failure->resend_requested);
    EXPECT_EQ(m.text.size(), 0u);
    from.insert(m.sender);
  }
  EXPECT_EQ(from, (std::set<std::string>{"alice", "bob"}));
  EXPECT_TRUE(logged("dave", "event=group_decrypt_failed")) << "dave never got the bodies";
  // And the body itself, fed straight to dave's client, does not open.
  ASSERT_EQ(uploads.size(), 2u);
  auto before = at("carol").open_group_body("alice", 1, uploads[0]);
  EXPECT_EQ(before.code(), Errc::duplicate_message);  // carol read it already
  auto after = at("dave").open_group_body("alice", 1, uploads[1]);
  EXPECT_FALSE(after);
  EXPECT_EQ(after.code(), Errc::no_session);
  // carol, a member, could open it (had she not read it already).
  EXPECT_EQ(at("carol").open_group_body("alice", 1, uploads[1]).code(), Errc::duplicate_message);
}

TEST_F(GroupsE2e, MemberAddedLaterReadsNothingSentBefore) {
  std::vector<Bytes> uploads;
  hooks_["alice"].on_upload = [&](ByteView b) { uploads.emplace_back(b.begin(), b.end()); };
  hooks_["alice"].extra_recipients = {"dave"};
  for (const char* n : {"alice", "bob", "carol", "dave"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("club", {"bob", "carol"}));
  drain_all({"bob", "carol"});
  ASSERT_TRUE(at("alice").group_send("club", "before dave"));
  ASSERT_TRUE(at("alice").group_send("club", "still before dave"));
  ASSERT_EQ(receive_n("bob", 2).size(), 2u);

  auto added = at("alice").group_add("club", "dave");
  ASSERT_TRUE(added) << errc_name(added.code());
  // The two early bodies reach him first: unreadable, and shown as such
  // (issue #13: never dropped silently), with no text.
  auto early = drain("dave");
  ASSERT_EQ(early.size(), 2u);
  for (const auto& m : early) {
    ASSERT_TRUE(m.failure.has_value()) << "dave read: " << text(m);
    EXPECT_TRUE(m.failure->group);
    EXPECT_EQ(m.text.size(), 0u);
  }
  drain_all({"bob", "carol"});
  ASSERT_TRUE(at("alice").group_send("club", "welcome dave"));
  ASSERT_TRUE(at("bob").group_send("club", "hi dave"));
  auto got = receive_n("dave", 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(text(got[0]), "welcome dave");
  EXPECT_EQ(text(got[1]), "hi dave");
  // Now that dave holds alice's current key, the earlier bodies still do not open.
  ASSERT_EQ(uploads.size(), 3u);
  EXPECT_EQ(at("dave").open_group_body("alice", 1, uploads[0]).code(), Errc::no_session);
  EXPECT_EQ(at("dave").open_group_body("alice", 1, uploads[1]).code(), Errc::no_session);
  // dave's view of the group matches the others', history included.
  drain_all({"carol", "bob"});
  const std::string reference = summary(*at("alice").group_info("club"));
  for (const char* n : {"bob", "carol", "dave"}) EXPECT_EQ(summary(*at(n).group_info("club")), reference) << n;
  auto dave_info = at("dave").group_info("club");
  ASSERT_EQ(dave_info->history.size(), 2u);
  EXPECT_EQ(dave_info->history[0].action, "create");
  EXPECT_EQ(dave_info->history[1].action, "add");
}

TEST_F(GroupsE2e, ForgedAndReplayedChangesAreRefusedByEveryMember) {
  hooks_["carol"].skip_local_checks = true;  // carol is no admin and tries anyway
  for (const char* n : {"alice", "bob", "carol", "dave"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("board", {"bob", "carol", "dave"}));
  drain_all({"bob", "carol", "dave"});
  ASSERT_TRUE(at("alice").group_rename("board", "the board"));  // version 2
  drain_all({"bob", "carol", "dave"});

  // A non-admin's change.
  ASSERT_TRUE(at("carol").group_remove("the board", "bob"));
  drain_all({"alice", "bob", "dave"});
  // A second change at version 2 by the same admin (a device that did not
  // apply its own first one): a concurrent change, which every member
  // decides by the same tie-break (docs/protocol.md §8.7), whatever the order.
  clients_.erase("alice");
  hooks_["alice"].force_version = 2;
  Client& alice = reopen("alice");
  ASSERT_TRUE(alice.group_rename(to_hex(group_id_of("bob", "the board")), "hijacked"));
  drain_all({"bob", "carol", "dave"});

  const Bytes id = group_id_of("bob", "the board-or-hijacked");
  std::string reference;
  for (const char* n : {"bob", "carol", "dave"}) {
    auto info = at(n).group_info(to_hex(id));
    ASSERT_TRUE(info) << n;
    EXPECT_EQ(info->version, 2u);
    EXPECT_EQ(info->members, (std::vector<std::string>{"alice", "bob", "carol", "dave"}));
    ASSERT_FALSE(info->refused.empty()) << n;
    EXPECT_EQ(info->refused.back().author, "alice");
    EXPECT_EQ(info->refused.back().reason, "lost_tie_break");
    EXPECT_FALSE(info->warnings.empty()) << n;
    if (std::string(n) != "carol") {
      ASSERT_EQ(info->refused.size(), 2u) << n;
      EXPECT_EQ(info->refused[0].author, "carol");
      EXPECT_EQ(info->refused[0].reason, "not_admin");
      EXPECT_EQ(info->refused[0].action, "remove");
    }
    if (reference.empty()) reference = summary(*info);
    EXPECT_EQ(summary(*info), reference) << n;  // every member decided alike
  }
  auto at_alice = alice.group_info(to_hex(id));
  ASSERT_TRUE(at_alice);
  ASSERT_EQ(at_alice->refused.size(), 1u);  // carol's forgery
  EXPECT_EQ(at_alice->refused[0].reason, "not_admin");
  // And the group still works.
  ASSERT_TRUE(at("bob").group_send(to_hex(id), "all fine"));
  for (const char* n : {"carol", "dave"}) EXPECT_EQ(receive_n(n, 1).size(), 1u) << n;
}

TEST_F(GroupsE2e, LeaveAndNamesResolveOrConflict) {
  for (const char* n : {"alice", "bob", "carol"}) registered(n);
  auto g1 = at("alice").group_create("dup", {"bob"});
  auto g2 = at("alice").group_create("dup", {"carol"});
  ASSERT_TRUE(g1 && g2);
  EXPECT_EQ(at("alice").group_info("dup").code(), Errc::conflict);
  EXPECT_TRUE(at("alice").group_info(g1->id.substr(0, 12)));
  EXPECT_EQ(at("alice").group_info("nope").code(), Errc::not_found);
  drain_all({"bob", "carol"});
  // The only admin leaves: the first remaining member becomes admin.
  auto left = at("alice").group_leave(g1->id);
  ASSERT_TRUE(left) << errc_name(left.code());
  EXPECT_FALSE(left->active);
  drain_all({"bob"});
  auto bob_view = at("bob").group_info("dup");
  ASSERT_TRUE(bob_view);
  EXPECT_EQ(bob_view->members, (std::vector<std::string>{"bob"}));
  EXPECT_EQ(bob_view->admins, (std::vector<std::string>{"bob"}));
  EXPECT_EQ(bob_view->history.back().action, "leave");
  EXPECT_EQ(at("bob").group_add("dup", "nobody-such").code(), Errc::not_found);
  EXPECT_EQ(at("carol").group_add("dup", "bob").code(), Errc::forbidden);  // carol is no admin of g2
}

// ---- the durable outbox of group changes (docs/protocol.md §8.3, "Delivery")

TEST_F(GroupsE2e, ChangesMadeWhileHushdIsDownAreQueuedThenReachEveryMemberOnceInOrder) {
  for (const char* n : {"alice", "bob", "carol", "dave"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("club", {"bob", "carol"}));
  drain_all({"bob", "carol"});
  // alice has talked to dave before: his account is known without the server.
  ASSERT_TRUE(at("alice").send_text("dave", "hello dave"));
  ASSERT_EQ(receive_n("dave", 1).size(), 1u);

  hushd_->stop();
  auto added = at("alice").group_add("club", "dave");
  ASSERT_TRUE(added) << errc_name(added.code());  // applied here and queued, not a failure
  EXPECT_EQ(added->version, 2u);
  EXPECT_EQ(added->pending_changes, 1u);
  EXPECT_EQ(added->awaiting_delivery, (std::vector<std::string>{"alice", "bob", "carol", "dave"}));
  auto renamed = at("alice").group_rename("club", "club2");
  ASSERT_TRUE(renamed) << errc_name(renamed.code());
  EXPECT_EQ(renamed->pending_changes, 2u);
  // The queue is in the store, not in memory.
  reopen("alice");
  EXPECT_EQ(at("alice").group_info("club2")->pending_changes, 2u);

  start_server();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(at("alice").receive(0s));  // any operation that reaches hushd sends the queue first
  auto after = at("alice").group_info("club2");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->pending_changes, 0u);
  EXPECT_TRUE(after->awaiting_delivery.empty());

  // Their connections died with the old hushd: the next call connects anew.
  for (const char* n : {"bob", "carol", "dave"}) at(n).disconnect();
  drain_all({"bob", "carol", "dave"});
  const std::string reference = summary(*after);
  for (const char* n : {"bob", "carol", "dave"}) {
    auto info = at(n).group_info("club2");
    ASSERT_TRUE(info) << n;
    EXPECT_EQ(summary(*info), reference) << n;
    EXPECT_TRUE(info->refused.empty()) << n;  // nothing out of order, nothing replayed
    EXPECT_FALSE(logged(n, "event=group_change_refused")) << n;
  }
  for (const char* n : {"bob", "carol"}) {
    EXPECT_EQ(std::count_if(logs_[n].begin(), logs_[n].end(),
                            [](const std::string& l) { return l.find("event=group_change_applied version=2") != std::string::npos; }),
              1)
        << n;
  }
  for (const char* n : {"bob", "carol", "dave"}) {
    EXPECT_EQ(std::count_if(logs_[n].begin(), logs_[n].end(),
                            [](const std::string& l) { return l.find("event=group_change_applied version=3") != std::string::npos; }),
              1)
        << n;
  }
  // And the group works for the newcomer.
  ASSERT_TRUE(at("alice").group_send("club2", "welcome dave"));
  auto got = receive_n("dave", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0]), "welcome dave");
}

TEST_F(GroupsE2e, RetryAfterAPartialFailureDeliversEachChangeOnce) {
  // alice's first pass stops after two copies the server accepted (her own,
  // then bob's), with bob's still queued, as after a crash before removal.
  hooks_["alice"].outbox_stop_after = 2;
  for (const char* n : {"alice", "bob", "carol"}) registered(n);
  auto made = at("alice").group_create("club", {"bob", "carol"});
  ASSERT_TRUE(made) << errc_name(made.code());
  EXPECT_EQ(made->pending_changes, 1u);
  EXPECT_EQ(made->awaiting_delivery, (std::vector<std::string>{"bob", "carol"}));
  drain_all({"bob"});  // bob already has the creation

  hooks_.erase("alice");
  reopen("alice");
  ASSERT_TRUE(at("alice").group_send("club", "hi all"));  // sends bob's copy again, then carol's
  EXPECT_EQ(at("alice").group_info("club")->pending_changes, 0u);
  auto bob = receive_n("bob", 1);
  auto carol = receive_n("carol", 1);
  ASSERT_EQ(bob.size(), 1u);
  ASSERT_EQ(carol.size(), 1u);
  EXPECT_EQ(text(bob[0]), "hi all");
  EXPECT_EQ(text(carol[0]), "hi all");
  drain_all({"bob", "carol"});
  const std::string reference = summary(*at("alice").group_info("club"));
  for (const char* n : {"bob", "carol"}) {
    EXPECT_EQ(summary(*at(n).group_info("club")), reference) << n;
    EXPECT_TRUE(at(n).group_info("club")->refused.empty()) << n;
    EXPECT_EQ(std::count_if(logs_[n].begin(), logs_[n].end(),
                            [](const std::string& l) { return l.find("event=group_change_applied version=1") != std::string::npos; }),
              1)
        << n;
  }
}


bool any_warning_mentions(const std::vector<std::string>& warnings, std::string_view needle) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [&](const std::string& w) { return w.find(needle) != std::string::npos; });
}

// Issue #13: a member drains what is waiting for it before a group send, so
// a member who has not yet received an addition still reaches the newcomer.
TEST_F(GroupsE2e, AMemberWhoHasNotReceivedAnAdditionStillReachesTheNewMember) {
  for (const char* n : {"alice", "bob", "carol"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("pair", {"bob"}));
  drain_all({"bob"});
  ASSERT_TRUE(at("alice").group_add("pair", "carol"));
  // bob sends without having received the addition.
  auto sent = at("bob").group_send("pair", "hello carol");
  ASSERT_TRUE(sent) << errc_name(sent.code());
  auto got = receive_n("carol", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0]), "hello carol");
  EXPECT_EQ(got[0].sender, "bob");
  EXPECT_TRUE(got[0].warnings.empty());
}

// Issue #13: the server withholds "remove mallory" from bob. The next key
// alice gives bob carries her version: bob learns he is behind, refuses to
// send, asks alice, applies the signed change she forwards, warns and
// re-keys; mallory reads nothing of bob's.
TEST_F(GroupsE2e, AMemberBehindLearnsItFromAStampedKeyAndSendsOnlyOnceItHoldsTheChange) {
  hooks_["bob"].extra_recipients = {"mallory"};  // as a server that keeps delivering to her
  for (const char* n : {"alice", "bob", "carol", "mallory"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("crew", {"bob", "carol", "mallory"}));
  drain_all({"bob", "carol", "mallory"});
  ASSERT_TRUE(at("bob").group_send("crew", "bob before"));
  EXPECT_EQ(receive_n("mallory", 1).size(), 1u);  // mallory reads while a member
  drain_all({"alice", "carol"});

  clients_.erase("bob");  // offline: what comes for him is queued, not pushed
  ASSERT_TRUE(at("alice").group_remove("crew", "mallory"));
  EXPECT_GE(withhold_queue("bob"), 1) << "the removal never reaches bob";
  ASSERT_TRUE(at("alice").group_send("crew", "after removal"));
  drain_all({"carol", "mallory"});
  reopen("bob");

  auto refused = at("bob").group_send("crew", "bob while behind");
  EXPECT_EQ(refused.code(), Errc::stale_state);
  auto bob_view = at("bob").group_info("crew");
  ASSERT_TRUE(bob_view);
  EXPECT_EQ(bob_view->behind_until, 2u);
  EXPECT_TRUE(any_warning_mentions(bob_view->warnings, "asked alice"));

  (void)drain("alice");  // alice answers bob's request with the signed change
  auto sent = at("bob").group_send("crew", "bob after catching up");
  ASSERT_TRUE(sent) << errc_name(sent.code());
  EXPECT_TRUE(any_warning_mentions(sent->warnings, "we were behind")) << "bob is told";
  EXPECT_TRUE(any_warning_mentions(sent->warnings, "mallory"));
  auto texts = receive_n("bob", 1);  // alice's message, held for bob until he had the change
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(text(texts[0]), "after removal");
  for (const char* n : {"alice", "carol"}) {
    auto got = receive_n(n, 1);
    ASSERT_EQ(got.size(), 1u) << n;
    EXPECT_EQ(text(got[0]), "bob after catching up");
    EXPECT_TRUE(got[0].warnings.empty()) << n;
  }
  // mallory got bob's body (the hook addressed her) and opens nothing: she
  // is shown notices and, since issue #13, the body as an undecryptable
  // group message, never its text.
  auto nothing = at("mallory").receive(2s);
  ASSERT_TRUE(nothing);
  for (const auto& m : *nothing) {
    EXPECT_TRUE(m.notice || (m.failure && m.failure->group)) << text(m);
    EXPECT_EQ(m.text.size(), 0u);
  }
  const std::string reference = summary(*at("alice").group_info("crew"));
  for (const char* n : {"bob", "carol"}) EXPECT_EQ(summary(*at(n).group_info("crew")), reference) << n;
}

// Issue #13, the documented worst case (docs/protocol.md §8.7): the server
// withholds "remove mallory" from bob, and bob sends before anything else
// reaches him. mallory reads that message; the members who hold the change
// warn and send it to bob, who applies it, warns, re-keys and excludes
// mallory from his next message.
TEST_F(GroupsE2e, AWithheldRemovalIsRepairedByTheMembersAndTheRemovedMemberReadsOnlyTheStaleMessage) {
  hooks_["bob"].extra_recipients = {"mallory"};
  for (const char* n : {"alice", "bob", "carol", "mallory"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("crew", {"bob", "carol", "mallory"}));
  drain_all({"bob", "carol", "mallory"});
  ASSERT_TRUE(at("bob").group_send("crew", "bob before"));
  drain_all({"alice", "carol", "mallory"});

  // The server withholds the removal from bob, and from mallory, who thus
  // keeps her keys as a malicious client would.
  clients_.erase("bob");
  clients_.erase("mallory");
  ASSERT_TRUE(at("alice").group_remove("crew", "mallory"));
  EXPECT_GE(withhold_queue("bob"), 1);
  EXPECT_GE(withhold_queue("mallory"), 1);
  drain_all({"carol"});
  reopen("bob");
  reopen("mallory");

  ASSERT_TRUE(at("bob").group_send("crew", "stale"));  // bob does not know yet
  auto read = receive_n("mallory", 1);
  ASSERT_EQ(read.size(), 1u);  // the one message the design concedes
  EXPECT_EQ(text(read[0]), "stale");
  for (const char* n : {"alice", "carol"}) {
    auto got = receive_n(n, 1);
    ASSERT_EQ(got.size(), 1u) << n;
    EXPECT_EQ(text(got[0]), "stale");
    EXPECT_TRUE(any_warning_mentions(got[0].warnings, "old member list")) << n;
    EXPECT_TRUE(any_warning_mentions(got[0].warnings, "mallory")) << n;
  }
  auto sent = at("bob").group_send("crew", "fresh");
  ASSERT_TRUE(sent) << errc_name(sent.code());
  EXPECT_TRUE(any_warning_mentions(sent->warnings, "we were behind"));
  auto carol_got = receive_n("carol", 1);
  ASSERT_EQ(carol_got.size(), 1u);
  EXPECT_EQ(text(carol_got[0]), "fresh");
  auto nothing = at("mallory").receive(2s);
  ASSERT_TRUE(nothing);
  for (const auto& m : *nothing) EXPECT_NE(text(m), "fresh");
  drain_all({"alice", "bob", "carol"});
  const std::string reference = summary(*at("alice").group_info("crew"));
  for (const char* n : {"bob", "carol"}) EXPECT_EQ(summary(*at(n).group_info("crew")), reference) << n;
  auto bob_info = at("bob").group_info("crew");
  EXPECT_EQ(bob_info->members, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_TRUE(any_warning_mentions(bob_info->warnings, "we were behind"));
}

// Issue #13: two changes made at the same version (alice renames while bob
// leaves, neither having seen the other's) end in one state on every
// member: the change with the lower id wins everywhere; its loser's author
// is told.
TEST_F(GroupsE2e, ConcurrentChangesAtOneVersionConvergeOnEveryMember) {
  for (const char* n : {"alice", "bob", "carol", "dave"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("club", {"bob", "carol", "dave"}));
  drain_all({"bob", "carol", "dave"});
  const Bytes id = group_id_of("bob", "club");
  ASSERT_TRUE(at("alice").group_rename("club", "the club"));
  ASSERT_TRUE(at("bob").group_leave("club"));  // bob has not received the rename
  drain_all({"alice", "bob", "carol", "dave"});
  drain_all({"alice", "bob", "carol", "dave"});

  std::string reference;
  for (const char* n : {"alice", "bob", "carol", "dave"}) {
    auto info = at(n).group_info(to_hex(id));
    ASSERT_TRUE(info) << n;
    EXPECT_EQ(info->version, 2u) << n;
    if (reference.empty()) reference = summary(*info);
    EXPECT_EQ(summary(*info), reference) << n;
    ASSERT_FALSE(info->refused.empty()) << n;
    EXPECT_EQ(info->refused.back().reason, "lost_tie_break") << n;
  }
  // The author of the losing change was told to make it again.
  const auto final_state = at("carol").group_info(to_hex(id));
  const std::string loser = final_state->history.back().action == "rename" ? "bob" : "alice";
  EXPECT_TRUE(any_warning_mentions(at(loser).group_info(to_hex(id))->warnings, "make it again")) << loser;
}

// Issue #13: a change forwarded by a member counts only with its author's
// signature: carol forges the change she forwards to bob, who refuses it
// and stays behind until alice forwards the real one.
TEST_F(GroupsE2e, AForwardedChangeCountsOnlyWithItsAuthorsSignature) {
  hooks_["carol"].tamper_notices = true;
  for (const char* n : {"alice", "bob", "carol", "mallory"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("crew", {"bob", "carol", "mallory"}));
  drain_all({"bob", "carol", "mallory"});
  ASSERT_TRUE(at("bob").group_send("crew", "bob before"));
  drain_all({"alice", "carol", "mallory"});

  clients_.erase("bob");
  clients_.erase("alice");  // alice is away: only carol answers bob at first
  ASSERT_TRUE(reopen("alice").group_remove("crew", "mallory"));
  clients_.erase("alice");
  EXPECT_GE(withhold_queue("bob"), 1);
  drain_all({"carol"});
  reopen("bob");
  ASSERT_TRUE(at("bob").group_send("crew", "stale"));
  EXPECT_EQ(receive_n("carol", 1).size(), 1u);  // carol answers with a forged change
  (void)drain("bob");
  auto bob_view = at("bob").group_info("crew");
  ASSERT_TRUE(bob_view);
  EXPECT_EQ(bob_view->version, 1u) << "the forged change is not applied";
  ASSERT_FALSE(bob_view->refused.empty());
  EXPECT_EQ(bob_view->refused.back().reason, "bad_signature");

  reopen("alice");
  EXPECT_EQ(receive_n("alice", 1).size(), 1u);  // alice answers with the signed change
  (void)drain("bob");
  bob_view = at("bob").group_info("crew");
  EXPECT_EQ(bob_view->version, 2u);
  EXPECT_EQ(bob_view->members, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(bob_view->name, "crew");
}

// Issue #13: a message from a member holding changes we lack waits (it is
// not shown, not lost) until the change comes; we asked its sender.
TEST_F(GroupsE2e, AMessageFromAMemberAheadWaitsForTheChangeThenShows) {
  for (const char* n : {"alice", "bob", "carol", "mallory"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("crew", {"bob", "carol", "mallory"}));
  drain_all({"bob", "carol", "mallory"});
  clients_.erase("bob");
  ASSERT_TRUE(at("alice").group_remove("crew", "mallory"));
  EXPECT_GE(withhold_queue("bob"), 1);
  ASSERT_TRUE(at("alice").group_send("crew", "after removal"));
  reopen("bob");

  auto first = at("bob").receive(2s);
  ASSERT_TRUE(first) << errc_name(first.code());
  for (const auto& m : *first) {
    EXPECT_TRUE(m.notice) << "nothing shown before the change: " << text(m);
  }
  EXPECT_TRUE(logged("bob", "event=group_message_held"));
  auto waiting = at("bob").group_info("crew");
  EXPECT_EQ(waiting->behind_until, 2u);
  EXPECT_TRUE(any_warning_mentions(waiting->warnings, "asked alice"));

  (void)drain("alice");  // alice answers with the signed change
  auto got = receive_n("bob", 2);  // the warning that we caught up, then the message
  std::vector<std::string> texts;
  bool caught_up = false;
  for (const auto& m : got) {
    if (m.notice) {
      caught_up = caught_up || any_warning_mentions(m.warnings, "we were behind");
    } else {
      texts.push_back(text(m));
    }
  }
  EXPECT_TRUE(caught_up);
  EXPECT_EQ(texts, (std::vector<std::string>{"after removal"}));
  auto after = at("bob").group_info("crew");
  EXPECT_EQ(after->behind_until, 0u);
  EXPECT_EQ(summary(*after), summary(*at("alice").group_info("crew")));
}

// One member's full mailbox share no longer fails the group's message for
// everyone (issue #13): hushd stores it for every other device and the
// sender is told which copy was refused.
class GroupsShareE2e : public GroupsE2e {
 protected:
  void configure(testing::HushdOptions& o) override { o.config_toml = "sender_share = 3\n"; }
};

TEST_F(GroupsShareE2e, AGroupMessageReachesEveryOtherMemberWhenOneMailboxHasNoRoomAndTheSenderIsTold) {
  for (const char* n : {"alice", "bob", "carol", "dave"}) registered(n);
  ASSERT_TRUE(at("alice").group_create("team", {"bob", "carol", "dave"}));
  drain_all({"bob", "carol", "dave"});
  ASSERT_TRUE(at("alice").group_send("team", "one"));
  for (const char* n : {"bob", "carol", "dave"}) EXPECT_EQ(receive_n(n, 1).size(), 1u) << n;

  // carol is away: alice's 1:1 messages fill alice's share of carol's mailbox.
  for (int i = 0; i < 3; ++i) {
    auto sent = at("alice").send_text("carol", "while you were away " + std::to_string(i));
    ASSERT_TRUE(sent) << errc_name(sent.code());
    EXPECT_TRUE(sent->refused.empty());
  }
  auto over = at("alice").send_text("carol", "one too many");
  ASSERT_TRUE(over) << "a refused copy is reported, not an error";
  ASSERT_EQ(over->refused.size(), 1u);
  EXPECT_EQ(over->refused[0].recipient, "carol");
  EXPECT_EQ(over->refused[0].device, 1u);
  EXPECT_EQ(over->refused[0].reason, "share_full");

  auto two = at("alice").group_send("team", "two");
  ASSERT_TRUE(two) << errc_name(two.code());
  ASSERT_EQ(two->refused.size(), 1u) << "the sender is told";
  EXPECT_EQ(two->refused[0].recipient, "carol");
  EXPECT_EQ(two->refused[0].reason, "share_full");
  for (const char* n : {"bob", "dave"}) {
    auto got = receive_n(n, 1);
    ASSERT_EQ(got.size(), 1u) << n;
    EXPECT_EQ(text(got[0]), "two") << n;
  }
  // carol reads what had room; then alice's next group message reaches her.
  auto away = receive_n("carol", 3);
  ASSERT_EQ(away.size(), 3u);
  for (const auto& m : away) EXPECT_EQ(text(m).rfind("while you were away", 0), 0u) << text(m);
  auto three = at("alice").group_send("team", "three");
  ASSERT_TRUE(three);
  EXPECT_TRUE(three->refused.empty());
  auto got = receive_n("carol", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0]), "three");
}

}  // namespace
}  // namespace hush::client
