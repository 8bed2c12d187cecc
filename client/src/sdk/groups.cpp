// Groups, the author's side and the local view (docs/protocol.md §8): create,
// add, remove, leave and rename as changes applied here and, in the same
// transaction, queued for every member account (group_outbox.cpp sends them
// over the pairwise sessions); finding a group by name or id; group info and
// group history.
#include "client_impl.hpp"
#include "pairwise_plaintext.hpp"
#include "group_outbox.hpp"
#include "group_rules.hpp"

#include <algorithm>

namespace hush::client {

namespace {

std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

GroupInfo to_info(const store::GroupRecord& g) {
  GroupInfo out;
  out.id = to_hex(g.id);
  out.name = g.name;
  out.members = g.members;
  out.admins = g.admins;
  out.version = g.version;
  out.active = g.active;
  for (const auto& h : g.history) {
    out.history.push_back(GroupChangeInfo{h.version, h.author, std::string(groups::action_name(h.action)), h.subjects,
                                          h.name, h.timestamp_ms});
  }
  for (const auto& r : g.refused) {
    out.refused.push_back(
        RefusedGroupChangeInfo{r.version, r.author, std::string(groups::action_name(r.action)), r.reason, r.received_ms});
  }
  for (const auto& w : g.warnings) out.warnings.push_back(w.text);
  out.behind_until = g.known_ahead > g.version ? g.known_ahead : 0;
  return out;
}

store::GroupHistoryEntry history_entry(const content::GroupChange& c) {
  return store::GroupHistoryEntry{c.version, c.author, c.action, c.subjects, c.name, c.timestamp_ms};
}

bool contains(const std::vector<std::string>& sorted, std::string_view name) {
  return std::binary_search(sorted.begin(), sorted.end(), name, std::less<>());
}

}  // namespace

Result<store::GroupRecord> ClientImpl::resolve_group(std::string_view ref) {
  HUSH_TRY_ASSIGN(auto all, groups_.all());
  std::vector<store::GroupRecord*> by_name;
  for (auto& g : all) {
    if (g.name == ref) by_name.push_back(&g);
  }
  if (by_name.size() == 1) return std::move(*by_name[0]);
  if (by_name.size() > 1) return make_error(Errc::conflict, "two groups have this name: use the group id");
  // An id, or its first 8+ hex digits.
  std::string hex = normalize_username(ref);  // lower case
  if (hex.size() >= 8 && std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
    store::GroupRecord* found = nullptr;
    for (auto& g : all) {
      if (to_hex(g.id).compare(0, hex.size(), hex) == 0) {
        if (found != nullptr) return make_error(Errc::conflict, "id prefix matches two groups");
        found = &g;
      }
    }
    if (found != nullptr) return std::move(*found);
  }
  return make_error(Errc::not_found, "no such group");
}

Status ClientImpl::sync_own_devices(const store::Account& me) {
  auto mine = from_hex(me.account_id);
  if (!mine) return make_error(Errc::decode_error, "own account id");
  pb::ClientFrame list;
  list.mutable_list_devices();
  HUSH_TRY_ASSIGN(auto r, request_ok(std::move(list)));
  const std::string own = store::account_address(*mine);
  HUSH_TRY_ASSIGN(auto have, protocol_.sessions.devices(own));
  for (const auto& d : r.devices().devices()) {
    signal::DeviceId id{d.device_id()};
    if (id == me.device_id || std::find(have.begin(), have.end(), id) != have.end()) continue;
    HUSH_TRY(fetch_and_process_bundles(*mine, d.device_id()));
  }
  // Sessions with devices the account no longer has.
  for (auto id : have) {
    const bool listed = std::any_of(r.devices().devices().begin(), r.devices().devices().end(),
                                    [&](const auto& d) { return d.device_id() == id.value; });
    if (!listed) HUSH_TRY(protocol_.sessions.delete_session({own, id}));
  }
  return ok();
}

Status ClientImpl::apply_group_change(const store::GroupRecord* known, const content::GroupChange& c,
                                      const store::Account& me) {
  store::GroupRecord g;
  const bool joining = known == nullptr || !known->active;
  if (known != nullptr) g = *known;
  g.id = c.group_id;
  if (joining) {
    // A member who joins takes the history the adding admin sent (§8.3).
    g.history.clear();
    for (const auto& h : c.history) {
      g.history.push_back(store::GroupHistoryEntry{h.version, h.author, h.action, h.subjects, h.name, h.timestamp_ms});
    }
  }
  std::vector<std::string> removed;
  std::set_difference(g.members.begin(), g.members.end(), c.members.begin(), c.members.end(),
                      std::back_inserter(removed));
  // Kept for membership agreement (§8.7): the state before, for the
  // tie-break of a concurrent change, and the signed change, to forward.
  g.has_previous = !joining;
  g.previous_members = joining ? std::vector<std::string>{} : g.members;
  g.previous_admins = joining ? std::vector<std::string>{} : g.admins;
  g.previous_name = joining ? std::string() : g.name;
  if (joining) g.recent_changes.clear();
  content::GroupChange kept = c;
  kept.history.clear();
  HUSH_TRY_ASSIGN(auto kept_bytes, content::serialize_group_change(kept));
  g.recent_changes.push_back(std::move(kept_bytes));
  if (g.recent_changes.size() > store::kMaxKeptChanges) g.recent_changes.erase(g.recent_changes.begin());
  if (g.known_ahead <= c.version) {
    g.known_ahead = 0;
    g.ahead_member.clear();
  }
  g.members = c.members;
  g.admins = c.admins;
  g.name = c.name;
  g.version = c.version;
  g.active = contains(c.members, me.username);
  g.history.push_back(history_entry(c));
  if (g.history.size() > store::kMaxStoredGroupHistory) {
    g.history.erase(g.history.begin(), g.history.end() - static_cast<std::ptrdiff_t>(store::kMaxStoredGroupHistory));
  }
  return store_->transaction([&]() -> Status {
    if (!g.active) {
      HUSH_TRY(sender_keys_.erase_group(g.id));
    } else {
      // Keys of members who left are forgotten: nothing of theirs decrypts any more.
      // Sender Keys are kept by address (the directory's, no lookup in a
      // transaction; a name it lacks may still be a migrated row's address).
      for (const auto& r : removed) {
        HUSH_TRY_ASSIGN(auto account, directory_.account_of(r));
        HUSH_TRY(sender_keys_.erase_group(g.id, account ? store::account_address(*account) : r));
      }
      // Every change rotates our own Sender Key (§8.4): the record is dropped,
      // the next send makes a fresh one (new random chain id) and gives it to
      // the members of the new version only.
      HUSH_TRY_ASSIGN(const auto local, local_address());
      HUSH_TRY(sender_keys_.erase(signal::SenderKeyName{str(g.id), local}));
    }
    g.key_holders.clear();
    return groups_.put(g);
  });
}

Status ClientImpl::send_group_change(const store::Account& me, const content::GroupChange& change,
                                     const std::vector<std::string>& recipients,
                                     const std::vector<std::string>& joining) {
  const MessageId id = MessageId::generate(rng_);
  const std::uint64_t ts = now_ms();
  Status first = ok();
  // Members before newcomers: a newcomer answers with its own Sender Key, which
  // the others can only accept once they have the change that adds it.
  std::vector<std::string> order;
  for (const auto& r : recipients) {
    if (!contains(joining, r)) order.push_back(r);
  }
  for (const auto& r : joining) order.push_back(r);
  auto mine = from_hex(me.account_id);
  if (!mine) return make_error(Errc::decode_error, "own account id");
  for (const auto& name : order) {
    Status st = [&]() -> Status {
      Bytes account;
      if (name == me.username) {
        HUSH_TRY(sync_own_devices(me));
        account = *mine;
      } else {
        HUSH_TRY_ASSIGN(account, account_of(name));
      }
      content::GroupChange copy = change;
      if (!contains(joining, name)) copy.history.clear();
      HUSH_TRY_ASSIGN(auto padded,
                      sdk::pairwise_plaintext(me.username, "", content::Content{id, ts, std::move(copy)}));
      SentMessage ignored;
      return send_to_account(me, account, name, padded.expose(), sdk::change_message_id(id, account), ignored);
    }();
    if (!st) {
      if (options_.on_log) options_.on_log(std::string("event=group_change_send_failed error=") + std::string(errc_name(st.code())));
      if (first) first = st;
    }
  }
  return first;
}

Result<GroupInfo> ClientImpl::group_create(std::string_view name, const std::vector<std::string>& members) {
  HUSH_TRY_ASSIGN(const store::Account* acc, account());
  const store::Account me = acc->clone();
  if (name.empty() || name.size() > content::kMaxGroupNameSize) {
    return make_error(Errc::invalid_argument, "group name empty or too long");
  }
  std::vector<std::string> all{me.username};
  for (const auto& m : members) {
    std::string n = normalize_username(m);
    if (n.empty() || n.size() > content::kMaxGroupUsername) return make_error(Errc::invalid_argument, "member name");
    all.push_back(std::move(n));
  }
  groups::canonical(all);
  if (all.size() > content::kMaxGroupMembers) return make_error(Errc::invalid_argument, "too many members");
  for (const auto& m : all) {
    if (m != me.username) HUSH_TRY(account_of(m));  // not_found before anything is made
  }
  content::GroupChange change;
  change.group_id.resize(content::kGroupIdSize);
  rng_.fill(change.group_id);
  change.version = 1;
  change.author = me.username;
  change.action = content::GroupAction::create;
  for (const auto& m : all) {
    if (m != me.username) change.subjects.push_back(m);
  }
  change.members = all;
  change.admins = {me.username};
  change.name = std::string(name);
  change.timestamp_ms = now_ms();
  HUSH_TRY(sign_group_change(change));
  HUSH_TRY_ASSIGN(const Errc delivery, apply_and_queue(nullptr, change, me, all, {}));
  HUSH_TRY_ASSIGN(auto g, groups_.get(change.group_id));
  HUSH_TRY_ASSIGN(auto info, info_with_delivery(*g));
  info.delivery_error = delivery;
  return info;
}

Result<GroupInfo> ClientImpl::group_change(std::string_view ref, content::GroupAction action, std::string_view argument) {
  HUSH_TRY_ASSIGN(const store::Account* acc, account());
  const store::Account me = acc->clone();
  HUSH_TRY_ASSIGN(auto g, resolve_group(ref));
  if (!g.active) return make_error(Errc::forbidden, "no longer a member of this group");
  const auto& hooks = options_.group_test;
  std::vector<std::string> subjects;
  std::string new_name;
  switch (action) {
    case content::GroupAction::add:
    case content::GroupAction::remove: subjects.push_back(normalize_username(argument)); break;
    case content::GroupAction::leave: subjects.push_back(me.username); break;
    case content::GroupAction::rename: new_name = std::string(argument); break;
    case content::GroupAction::create: return make_error(Errc::invalid_argument, "create");
  }
  if (action == content::GroupAction::add) HUSH_TRY(account_of(subjects[0]));
  groups::GroupState before{g.members, g.admins, g.name};
  if (hooks.skip_local_checks) {  // a forger computes the state as if it were an admin
    before.admins.push_back(me.username);
    groups::canonical(before.admins);
  }
  HUSH_TRY_ASSIGN(auto next, groups::next_state(before, action, me.username, subjects, new_name));
  content::GroupChange change;
  change.group_id = g.id;
  change.version = hooks.force_version != 0 ? hooks.force_version : g.version + 1;
  change.author = me.username;
  change.action = action;
  change.subjects = subjects;
  change.members = next.members;
  change.admins = next.admins;
  if (hooks.skip_local_checks) change.admins = g.admins;  // the forger is no admin
  change.name = next.name;
  change.timestamp_ms = now_ms();
  std::vector<std::string> joining;
  std::set_difference(next.members.begin(), next.members.end(), g.members.begin(), g.members.end(),
                      std::back_inserter(joining));
  if (!joining.empty()) {
    for (const auto& h : g.history) {
      change.history.push_back(content::GroupChangeSummary{h.version, h.author, h.action, h.subjects, h.name, h.timestamp_ms});
    }
    if (change.history.size() > content::kMaxGroupHistory) {
      change.history.erase(change.history.begin(),
                           change.history.end() - static_cast<std::ptrdiff_t>(content::kMaxGroupHistory));
    }
  }
  std::vector<std::string> recipients = g.members;
  recipients.insert(recipients.end(), next.members.begin(), next.members.end());
  groups::canonical(recipients);
  HUSH_TRY(sign_group_change(change));
  if (hooks.skip_local_checks || hooks.force_version != 0) {
    // A test playing a misbehaving member: send, apply nothing here.
    HUSH_TRY(send_group_change(me, change, recipients, joining));
    return to_info(g);
  }
  HUSH_TRY_ASSIGN(const Errc delivery, apply_and_queue(&g, change, me, recipients, joining));
  HUSH_TRY_ASSIGN(auto after, groups_.get(g.id));
  HUSH_TRY_ASSIGN(auto info, info_with_delivery(*after));
  info.delivery_error = delivery;
  return info;
}

Result<Errc> ClientImpl::apply_and_queue(const store::GroupRecord* known, const content::GroupChange& change,
                                         const store::Account& me, const std::vector<std::string>& recipients,
                                         const std::vector<std::string>& joining) {
  // Applied here and queued for everyone, or neither (§8.3, "Delivery").
  Status applied = store_->transaction([&]() -> Status {
    HUSH_TRY(apply_group_change(known, change, me));
    return enqueue_group_change(me, change, recipients, joining);
  });
  HUSH_TRY(applied);
  // One pass in queue order: older queued changes go first, so a member gets
  // this one only after them. Whatever does not go out now stays queued and
  // shows in the GroupInfo.
  return retry_group_outbox().code();
}

Result<GroupInfo> ClientImpl::info_with_delivery(const store::GroupRecord& g) {
  GroupInfo info = to_info(g);
  HUSH_TRY(add_delivery_state(info, g.id));
  return info;
}

Result<GroupInfo> ClientImpl::group_info(std::string_view ref) {
  HUSH_TRY_ASSIGN(auto g, resolve_group(ref));
  return info_with_delivery(g);
}

Result<std::vector<GroupInfo>> ClientImpl::groups() {
  HUSH_TRY_ASSIGN(auto all, groups_.all());
  std::vector<GroupInfo> out;
  for (const auto& g : all) {
    HUSH_TRY_ASSIGN(auto info, info_with_delivery(g));
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<HistoryMessage>> ClientImpl::group_history(std::string_view ref, std::size_t limit) {
  HUSH_TRY_ASSIGN(auto g, resolve_group(ref));
  HUSH_TRY_ASSIGN(auto entries, history_.in_group(g.id, limit));
  std::vector<HistoryMessage> out;
  for (auto& e : entries) {
    HistoryMessage m;
    m.id = e.id;
    m.outgoing = e.direction == store::MessageDirection::outgoing;
    m.peer = e.peer;
    m.timestamp_ms = e.timestamp_ms;
    m.text = std::move(e.body);
    m.group_id = g.id;
    m.group_name = g.name;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace hush::client
