// Membership agreement, the SDK's side (docs/protocol.md §8.7): changes are
// signed by their author so any member can forward them; a stamp (version,
// members hash) on every group text and Sender Key tells the receiver
// whether the sender is behind (we send it the signed changes it lacks),
// ahead (we hold the message and ask for the changes) or forked (concurrent
// changes: the lower change id wins everywhere); a member that learns it
// was behind applies the changes, which rotates its Sender Key, and warns.
#include "client_impl.hpp"
#include "pairwise_plaintext.hpp"
#include "group_fanout.hpp"
#include "group_agreement.hpp"
#include "group_outbox.hpp"
#include "group_rules.hpp"

#include <hush/crypto/xeddsa.hpp>

#include <algorithm>

namespace hush::client {

namespace {

bool contains(const std::vector<std::string>& sorted, std::string_view name) {
  return std::binary_search(sorted.begin(), sorted.end(), name, std::less<>());
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// Members who left between `from` (exclusive) and the end of `history`.
std::vector<std::string> departed_since(const store::GroupRecord& g, std::uint32_t from) {
  std::vector<std::string> out;
  for (const auto& h : g.history) {
    if (h.version <= from) continue;
    if (h.action == content::GroupAction::remove || h.action == content::GroupAction::leave) {
      for (const auto& s : h.subjects) out.push_back(s);
    }
  }
  groups::canonical(out);
  // Still gone: someone removed and added back reads legitimately.
  std::erase_if(out, [&](const std::string& n) { return contains(g.members, n); });
  return out;
}

}  // namespace

Status ClientImpl::sign_group_change(content::GroupChange& change) {
  HUSH_TRY_ASSIGN(auto identity, protocol_.identities.identity_key_pair());
  const auto sig = crypto::xeddsa_sign(identity.private_key, groups::change_signing_bytes(change), rng_);
  change.signature.assign(sig.begin(), sig.end());
  return ok();
}

Result<bool> ClientImpl::group_change_signed_by_author(const content::GroupChange& change) {
  if (change.signature.size() != crypto::kSignatureSize) return false;
  HUSH_TRY_ASSIGN(const store::Account* acc, account());
  const Bytes signed_bytes = groups::change_signing_bytes(change);
  if (change.author == acc->username) {
    HUSH_TRY_ASSIGN(auto identity, protocol_.identities.identity_key_pair());
    return crypto::xeddsa_verify(identity.public_key, signed_bytes, change.signature);
  }
  // Identities are kept by account: the author's, as our directory knows it
  // (no lookup here: this runs inside the envelope's transaction).
  HUSH_TRY_ASSIGN(auto author, directory_.account_of(change.author));
  if (!author) return false;  // never looked up: cannot check (§8.7)
  HUSH_TRY_ASSIGN(auto contact, protocol_.identities.contact(store::account_address(*author)));
  if (!contact) return false;  // never talked to the author: cannot check (§8.7)
  return crypto::xeddsa_verify(contact->key, signed_bytes, change.signature);
}

void ClientImpl::warn_group(store::GroupRecord& g, std::string text) {
  g.warnings.push_back(store::GroupWarning{now_ms(), text});
  if (g.warnings.size() > store::kMaxGroupWarnings) g.warnings.erase(g.warnings.begin());
  if (options_.on_log) options_.on_log("event=group_warning");
  ReceivedMessage n;
  n.notice = true;
  n.conversation = g.name;
  n.group_id = g.id;
  n.group_name = g.name;
  n.timestamp_ms = now_ms();
  n.warnings.push_back(std::move(text));
  group_notices_.push_back(std::move(n));
}

void ClientImpl::report_group_change(const content::GroupChange& c, const std::optional<store::GroupRecord>& g) {
  if (!options_.report_group_changes) return;
  ReceivedMessage n;
  n.sender = c.author;
  n.conversation = c.name;
  n.timestamp_ms = c.timestamp_ms;
  n.group_id = c.group_id;
  n.group_name = g ? g->name : c.name;
  n.group_change = GroupChangeInfo{c.version, c.author, std::string(groups::action_name(c.action)), c.subjects, c.name,
                                   c.timestamp_ms};
  // A change id as the message id: the same change shows the same id on
  // every device (16 bytes of its hash; docs/protocol.md §8.7).
  const Bytes id = groups::change_id(c);
  if (auto mid = MessageId::from(ByteView(id.data(), std::min(id.size(), MessageId::kSize)))) n.id = *mid;
  group_notices_.push_back(std::move(n));
}

Status ClientImpl::enqueue_group_notice(const store::Account& me, const std::string& recipient,
                                        const store::GroupRecord& g, std::uint32_t after, bool include_last,
                                        bool request) {
  if (recipient == me.username && g.members.empty()) return ok();
  content::GroupStateNotice notice;
  notice.group_id = g.id;
  notice.stamp = groups::stamp_of(g);
  notice.request = request;
  for (const auto& bytes : g.recent_changes) {
    auto c = content::parse_group_change(bytes);
    if (!c) continue;
    if (options_.group_test.tamper_notices) c->name = "forged";  // test hook: a forging member
    if (c->version > after || (include_last && c->version == after)) notice.changes.push_back(std::move(*c));
  }
  if (notice.changes.size() > content::kMaxNoticeChanges) {
    notice.changes.erase(notice.changes.begin(),
                         notice.changes.end() - static_cast<std::ptrdiff_t>(content::kMaxNoticeChanges));
  }
  const MessageId id = MessageId::generate(rng_);
  HUSH_TRY_ASSIGN(auto padded,
                  sdk::pairwise_plaintext(me.username, "", content::Content{id, now_ms(), std::move(notice)}));
  // Version 0 marks a notice in the outbox: it is no change of ours (GroupInfo's pending_changes).
  sdk::PendingGroupChange p{g.id, 0, false, std::move(padded)};
  auto payload = sdk::encode_pending_group_change(p);
  if (options_.on_log) {
    options_.on_log("event=group_notice_queued version=" + std::to_string(g.version) +
                    " request=" + (request ? "1" : "0"));
  }
  return outbox_.enqueue(recipient, id, payload.expose()).code() == Errc::ok
             ? ok()
             : make_error(Errc::storage_failure, "outbox");
}

Status ClientImpl::note_ahead(store::GroupRecord& g, const store::Account& me, const std::string& sender,
                              std::uint32_t version, std::string_view what) {
  if (!contains(g.members, sender)) {
    // Not a member as we hold the group (perhaps one added by a change we
    // lack): we ask, but only a member's word stops our own sends, so no
    // outsider can silence us by claiming a version.
    if (!notified_.insert(to_hex(g.id) + "/" + sender + "/" + std::to_string(version) + "a").second) return ok();
    warn_group(g, std::string(what) + " from " + sender + " (not a member as we hold the group) was sent at group " +
                      "version " + std::to_string(version) + "; we hold " + std::to_string(g.version) + ": it waits; asked " +
                      sender + " for the changes");
    return enqueue_group_notice(me, sender, g, g.version, false, true);
  }
  if (version <= g.known_ahead) return ok();  // asked already
  g.known_ahead = version;
  g.ahead_member = sender;
  warn_group(g, std::string(what) + " from " + sender + " was sent at group version " + std::to_string(version) +
                    "; we hold " + std::to_string(g.version) + ": asked " + sender +
                    " for the changes we lack (group messages wait for them)");
  return enqueue_group_notice(me, sender, g, g.version, false, true);
}

Status ClientImpl::answer_stamp(store::GroupRecord& g, const store::Account& me, const std::string& sender,
                                const content::GroupStamp& stamp, std::string_view what) {
  const auto order = groups::compare_stamp(g, stamp);
  if (order == groups::StampOrder::unstamped || order == groups::StampOrder::same) return ok();
  if (order == groups::StampOrder::ahead) return note_ahead(g, me, sender, stamp.version, what);
  if (sender == me.username) return ok();  // our own other device: it catches up from our changes
  // Once per (group, sender, version) in this process: every message of a
  // member behind would otherwise queue a notice.
  const std::string key = to_hex(g.id) + "/" + sender + "/" + std::to_string(stamp.version) +
                          (order == groups::StampOrder::forked ? "f" : "b");
  if (!notified_.insert(key).second) return ok();
  if (order == groups::StampOrder::behind) {
    const auto gone = departed_since(g, stamp.version);
    warn_group(g, std::string(what) + " from " + sender + " was sent with an old member list (group version " +
                      std::to_string(stamp.version) + ", we hold " + std::to_string(g.version) + ")" +
                      (gone.empty() ? std::string() : ": it may also have reached " + join(gone)) + "; sent " + sender +
                      " the changes it lacks");
    return enqueue_group_notice(me, sender, g, stamp.version, false, false);
  }
  warn_group(g, std::string(what) + " from " + sender + " was sent with another member list at version " +
                    std::to_string(stamp.version) + " (concurrent changes); sent " + sender + " ours");
  return enqueue_group_notice(me, sender, g, stamp.version, true, true);
}

Result<bool> ClientImpl::take_group_change(std::optional<store::GroupRecord>& known, const content::GroupChange& c,
                                           const std::string& sender, const store::Account& me, bool forwarded) {
  auto log = [&](std::string line) {
    if (options_.on_log) options_.on_log(line);
  };
  auto reload = [&]() -> Status {
    HUSH_TRY_ASSIGN(known, groups_.get(c.group_id));
    return ok();
  };
  if (!c.signature.empty() || forwarded) {
    HUSH_TRY_ASSIGN(bool good, group_change_signed_by_author(c));
    if (!good) {
      log("event=group_change_refused version=" + std::to_string(c.version) + " reason=bad_signature");
      if (known) {
        known->refused.push_back(store::RefusedGroupChange{c.version, sender, c.action, "bad_signature", now_ms()});
        if (known->refused.size() > store::kMaxRefusedChanges) known->refused.erase(known->refused.begin());
        HUSH_TRY(groups_.put(*known));
      }
      return false;
    }
  }
  // A forwarded change is checked as if its author had sent it: the
  // signature, not the relay's session, says who made it.
  const std::string& author_session = forwarded ? c.author : sender;
  const auto refusal = groups::check_change(known ? &*known : nullptr, c, author_session, me.username);
  if (refusal == groups::Refusal::none) {
    log("event=group_change_applied version=" + std::to_string(c.version) + " action=" +
        std::string(groups::action_name(c.action)));
    HUSH_TRY(apply_group_change(known ? &*known : nullptr, c, me));
    HUSH_TRY(reload());
    report_group_change(c, known);
    return true;
  }
  // Concurrent changes at one version: the lower change id wins on every
  // member, whatever the order they arrived in (§8.7).
  if (known && refusal == groups::Refusal::stale_version && !known->recent_changes.empty()) {
    auto last = content::parse_group_change(known->recent_changes.back());
    if (last && groups::concurrent_with_last(*known, *last, c, me.username)) {
      const bool wins = groups::change_id(c) < groups::change_id(*last);
      const auto& loser = wins ? *last : c;
      const auto& winner = wins ? c : *last;
      std::string text = "concurrent changes at version " + std::to_string(c.version) + ": " + winner.author + "'s " +
                         std::string(groups::action_name(winner.action)) + " won over " + loser.author + "'s " +
                         std::string(groups::action_name(loser.action));
      if (loser.author == me.username) text += " (yours: not applied, make it again)";
      known->refused.push_back(store::RefusedGroupChange{loser.version, loser.author, loser.action, "lost_tie_break", now_ms()});
      if (known->refused.size() > store::kMaxRefusedChanges) known->refused.erase(known->refused.begin());
      log("event=group_change_tie_break version=" + std::to_string(c.version) + " applied=" + (wins ? "1" : "0"));
      if (!wins) {
        warn_group(*known, text);
        HUSH_TRY(groups_.put(*known));
        return false;
      }
      // Back to the state both were made from, then the winner on top.
      store::GroupRecord parent = *known;
      parent.members = known->previous_members;
      parent.admins = known->previous_admins;
      parent.name = known->previous_name;
      parent.version = known->version - 1;
      parent.active = contains(parent.members, me.username);
      if (!parent.history.empty()) parent.history.pop_back();
      parent.recent_changes.pop_back();
      parent.has_previous = false;
      warn_group(parent, text);
      HUSH_TRY(apply_group_change(&parent, c, me));
      HUSH_TRY(reload());
      report_group_change(c, known);
      return true;
    }
  }
  if (forwarded && refusal == groups::Refusal::stale_version) return false;  // one we hold: expected in a notice
  log("event=group_change_refused version=" + std::to_string(c.version) + " reason=" +
      std::string(groups::refusal_name(refusal)));
  if (known) {
    known->refused.push_back(store::RefusedGroupChange{c.version, sender, c.action,
                                                       std::string(groups::refusal_name(refusal)), now_ms()});
    if (known->refused.size() > store::kMaxRefusedChanges) known->refused.erase(known->refused.begin());
    if (refusal == groups::Refusal::version_gap && known->active) {
      HUSH_TRY(note_ahead(*known, me, sender, c.version, "a group change"));
    }
    HUSH_TRY(groups_.put(*known));
  }
  return false;
}

Status ClientImpl::receive_group_notice(const std::string& sender, const content::GroupStateNotice& notice) {
  HUSH_TRY_ASSIGN(const store::Account* acc, account());
  const store::Account me = acc->clone();
  HUSH_TRY_ASSIGN(auto known, groups_.get(notice.group_id));
  // Only a member of the group as we hold it talks about it with us (or
  // anyone, when it brings the signed change that adds us).
  const std::uint32_t before = known ? known->version : 0;
  const std::vector<std::string> members_before = known ? known->members : std::vector<std::string>{};
  std::vector<std::string> authors;
  bool applied = false;
  for (const auto& c : notice.changes) {
    HUSH_TRY_ASSIGN(bool took, take_group_change(known, c, sender, me, true));
    if (took) {
      applied = true;
      authors.push_back(c.author);
    }
  }
  if (!known) return ok();
  if (applied) {
    groups::canonical(authors);
    std::vector<std::string> gone;
    std::set_difference(members_before.begin(), members_before.end(), known->members.begin(), known->members.end(),
                        std::back_inserter(gone));
    std::string text = "we were behind in this group: applied the changes of " + join(authors) + " (version " +
                       std::to_string(before) + " to " + std::to_string(known->version) + ", sent to us by " + sender +
                       "); our Sender Key was rotated";
    if (!gone.empty()) text += "; what we sent before may have reached " + join(gone);
    warn_group(*known, text);
    if (held_pending_) released_ = true;  // held messages may now open: redeliver them
    HUSH_TRY(groups_.put(*known));
  }
  if (!known->active || !contains(known->members, sender)) return ok();
  const auto order = groups::compare_stamp(*known, notice.stamp);
  if (known->known_ahead > known->version && sender == known->ahead_member && order != groups::StampOrder::ahead &&
      !notice.request) {
    // The member that showed a newer version answered and is not ahead of
    // us (any more): its change lost a tie-break, or it never had one. We
    // stop waiting, so a member cannot block our sends by a false claim.
    known->known_ahead = 0;
    known->ahead_member.clear();
    HUSH_TRY(groups_.put(*known));
  }
  if (notice.request) {
    if (order == groups::StampOrder::behind || order == groups::StampOrder::forked) {
      return enqueue_group_notice(me, sender, *known, notice.stamp.version, order == groups::StampOrder::forked, false);
    }
    return ok();
  }
  if (order == groups::StampOrder::ahead && notice.changes.empty()) {
    HUSH_TRY(note_ahead(*known, me, sender, notice.stamp.version, "a notice"));
    return groups_.put(*known);
  }
  return ok();
}

Status ClientImpl::drain_before_group_send(std::vector<ReceivedMessage>& out) {
  const auto called = std::chrono::steady_clock::now();
  (void)retry_group_outbox();
  HUSH_TRY_ASSIGN(net::Transport * c, connection());
  // On a connection opened before this call the end-of-drain marker says
  // nothing about mail stored since: a DrainRequest's answer marks the end
  // (as in receive()); a quiet spell only with an older hushd.
  bool drained = false;
  if (c->connect_started() < called) {
    drained = drain_connection();
    HUSH_TRY_ASSIGN(c, connection());  // the request may have replaced it
  }
  bool skipped = false;
  std::vector<std::uint64_t> to_ack;
  for (;;) {
    const auto mode = c->connect_started() >= called || drained ? net::Transport::Wait::until_drained
                                                                 : net::Transport::Wait::full_timeout;
    auto next = c->next_envelope(kGroupDrainQuiet, mode);
    if (!next) {
      drop_connection();
      return next.error();
    }
    if (!*next) break;
    // Group texts are left for receive(), which shows them: the server
    // pushes them again on the next connection. Changes, keys and notices
    // (pairwise) are what the send depends on.
    if ((*next)->type() == sdk::kGroupMessageType) {
      skipped = true;
      continue;
    }
    auto outcome = process_envelope(**next, out);
    if (!outcome) {
      (void)ack_batch(to_ack);  // what was committed is done: no redelivery of it
      return outcome.error();   // the caller keeps `out` to be shown
    }
    if (outcome->ack()) to_ack.push_back((*next)->seq());
    if (to_ack.size() >= sdk::kAckBatch) {
      if (!ack_batch(to_ack)) break;
      HUSH_TRY_ASSIGN(c, connection());
    }
  }
  (void)ack_batch(to_ack);  // one request for the drain; a lost ack only brings a redelivery, de-duplicated
  if (skipped) drop_connection();
  (void)retry_group_outbox();  // notices we queued while draining
  return ok();
}

}  // namespace hush::client
