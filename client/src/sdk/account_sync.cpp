// The account state a linking device puts in the provisioning message and
// the new device takes from it (docs/protocol.md §7.4): conversions between
// the stores' records and sdk_frame.proto's SyncedContact / SyncedGroup, the
// room budget, and the checks a parsed state must pass before it is stored.
#include "account_sync.hpp"

#include "sdk_frame.pb.h"

#include <hush/client/content/content.hpp>
#include <hush/client/store/account_address.hpp>
#include <hush/client/store/unresolved_peers.hpp>

#include <algorithm>

namespace hush::client::sdk {

namespace {

namespace spb = ::hush::client_sdk;

constexpr std::size_t kAccountIdSize = 16;
/// Bytes a repeated field adds around one element: its tag and a length of
/// up to three bytes (elements stay under 2 MiB).
constexpr std::size_t kFieldOverhead = 4;
/// Signed changes carried per group: the newest few. Each lists every member,
/// so all 64 a record keeps would fill the message with one large group;
/// members further behind are helped by the first device, or by the new one
/// once they send (§8.7).
constexpr std::size_t kMaxSyncedSignedChanges = 4;

std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > kMaxSyncedUsername) return false;
  return std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });  // normalized
}

Result<std::vector<std::string>> names_from(const google::protobuf::RepeatedPtrField<std::string>& in) {
  if (static_cast<std::size_t>(in.size()) > content::kMaxGroupMembers) {
    return make_error(Errc::invalid_message, "synced group list too long");
  }
  std::vector<std::string> out(in.begin(), in.end());
  for (const auto& n : out) {
    if (!valid_name(n)) return make_error(Errc::invalid_message, "synced group username");
  }
  return out;
}

void names_to(const std::vector<std::string>& in, google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const auto& n : in) out->Add(std::string(n));
}

spb::SyncedGroup group_to(const store::GroupRecord& g) {
  spb::SyncedGroup m;
  m.set_group_id(str(g.id));
  m.set_name(g.name);
  names_to(g.members, m.mutable_members());
  names_to(g.admins, m.mutable_admins());
  m.set_version(g.version);
  m.set_active(g.active);
  for (const auto& h : g.history) {
    auto* e = m.add_history();
    e->set_version(h.version);
    e->set_author(h.author);
    e->set_action(static_cast<std::uint32_t>(h.action));
    names_to(h.subjects, e->mutable_subjects());
    e->set_name(h.name);
    e->set_timestamp_ms(h.timestamp_ms);
  }
  const std::size_t skip = g.recent_changes.size() > kMaxSyncedSignedChanges
                               ? g.recent_changes.size() - kMaxSyncedSignedChanges
                               : 0;
  for (std::size_t i = skip; i < g.recent_changes.size(); ++i) m.add_signed_changes(str(g.recent_changes[i]));
  m.set_has_previous(g.has_previous);
  names_to(g.previous_members, m.mutable_previous_members());
  names_to(g.previous_admins, m.mutable_previous_admins());
  m.set_previous_name(g.previous_name);
  m.set_known_ahead(g.known_ahead);
  m.set_ahead_member(g.ahead_member);
  return m;
}

Result<store::GroupRecord> group_from(const spb::SyncedGroup& m) {
  store::GroupRecord g;
  if (m.group_id().size() != content::kGroupIdSize) return make_error(Errc::bad_length, "synced group id");
  g.id = to_bytes(as_bytes(m.group_id()));
  if (m.name().size() > content::kMaxGroupNameSize) return make_error(Errc::invalid_message, "synced group name");
  g.name = m.name();
  HUSH_TRY_ASSIGN(g.members, names_from(m.members()));
  HUSH_TRY_ASSIGN(g.admins, names_from(m.admins()));
  for (const auto& a : g.admins) {
    if (std::find(g.members.begin(), g.members.end(), a) == g.members.end()) {
      return make_error(Errc::invalid_message, "synced group admin not a member");
    }
  }
  if (m.version() == 0) return make_error(Errc::invalid_message, "synced group version");
  g.version = m.version();
  g.active = m.active();
  if (static_cast<std::size_t>(m.history_size()) > store::kMaxStoredGroupHistory) {
    return make_error(Errc::invalid_message, "synced group history too long");
  }
  for (const auto& e : m.history()) {
    if (e.action() < 1 || e.action() > 5) return make_error(Errc::invalid_message, "synced group history action");
    if (e.name().size() > content::kMaxGroupNameSize || !valid_name(e.author())) {
      return make_error(Errc::invalid_message, "synced group history entry");
    }
    store::GroupHistoryEntry h{e.version(), e.author(), static_cast<content::GroupAction>(e.action()), {}, e.name(),
                               e.timestamp_ms()};
    HUSH_TRY_ASSIGN(h.subjects, names_from(e.subjects()));
    g.history.push_back(std::move(h));
  }
  if (static_cast<std::size_t>(m.signed_changes_size()) > store::kMaxKeptChanges) {
    return make_error(Errc::invalid_message, "synced group changes too many");
  }
  for (const auto& c : m.signed_changes()) {
    // Each is forwarded to members behind (§8.7): it must be a change of this group.
    HUSH_TRY_ASSIGN(auto change, content::parse_group_change(as_bytes(c)));
    if (change.group_id != g.id) return make_error(Errc::invalid_message, "synced change of another group");
    g.recent_changes.push_back(to_bytes(as_bytes(c)));
  }
  g.has_previous = m.has_previous();
  HUSH_TRY_ASSIGN(g.previous_members, names_from(m.previous_members()));
  HUSH_TRY_ASSIGN(g.previous_admins, names_from(m.previous_admins()));
  if (m.previous_name().size() > content::kMaxGroupNameSize) {
    return make_error(Errc::invalid_message, "synced group previous name");
  }
  g.previous_name = m.previous_name();
  g.known_ahead = m.known_ahead();
  if (!m.ahead_member().empty() && !valid_name(m.ahead_member())) {
    return make_error(Errc::invalid_message, "synced group ahead member");
  }
  g.ahead_member = m.ahead_member();
  // key_holders, refused and warnings stay empty: they are the approving
  // device's own (its Sender Key, what it refused, what it was told).
  return g;
}

}  // namespace

Result<AccountSyncSummary> export_account_state(store::SqliteIdentityKeyStore& identities, store::Directory& directory,
                                                store::GroupStore& groups, std::string_view own_username,
                                                spb::Provisioning& p) {
  AccountSyncSummary summary;
  std::size_t used = 0;
  auto fits = [&](std::size_t size) {
    if (used + size + kFieldOverhead > kMaxAccountSyncBytes) {
      ++summary.omitted;
      return false;
    }
    used += size + kFieldOverhead;
    return true;
  };
  HUSH_TRY_ASSIGN(auto all_groups, groups.all());
  for (const auto& g : all_groups) {
    auto m = group_to(g);
    if (!fits(m.ByteSizeLong())) continue;
    *p.add_groups() = std::move(m);
    ++summary.groups;
  }
  HUSH_TRY_ASSIGN(auto addresses, identities.contact_names());
  std::vector<spb::SyncedContact> verified;
  std::vector<spb::SyncedContact> others;
  for (const auto& address : addresses) {
    // Contacts are kept by account address (a username only while a
    // migrated row waits for its lookup); the wire names both.
    auto account = store::account_of_address(address);
    std::optional<std::string> name;
    if (account) {
      HUSH_TRY_ASSIGN(name, directory.username_of(*account));
    } else {
      name = address;
      HUSH_TRY_ASSIGN(account, directory.account_of(address));
    }
    if (!name || *name == own_username) continue;  // unnamed, or our own devices (they share our key)
    HUSH_TRY_ASSIGN(auto c, identities.contact(address));
    if (!c) continue;
    spb::SyncedContact m;
    m.set_username(*name);
    if (account) m.set_account_id(str(*account));
    m.set_identity_key(str(c->key.serialize()));
    m.set_verified(c->verified);
    (c->verified ? verified : others).push_back(std::move(m));
  }
  for (auto* list : {&verified, &others}) {
    for (auto& m : *list) {
      if (!fits(m.ByteSizeLong())) continue;
      *p.add_contacts() = std::move(m);
      ++summary.contacts;
    }
  }
  return summary;
}

Result<AccountState> parse_account_state(const spb::Provisioning& p) {
  AccountState out;
  for (const auto& m : p.contacts()) {
    if (!valid_name(m.username())) return make_error(Errc::invalid_message, "synced contact username");
    if (!m.account_id().empty() && m.account_id().size() != kAccountIdSize) {
      return make_error(Errc::bad_length, "synced contact account id");
    }
    HUSH_TRY_ASSIGN(auto key, crypto::PublicKey::deserialize(as_bytes(m.identity_key())));
    out.contacts.push_back(SyncedContact{m.username(), to_bytes(as_bytes(m.account_id())), key, m.verified()});
  }
  for (const auto& m : p.groups()) {
    HUSH_TRY_ASSIGN(auto g, group_from(m));
    out.groups.push_back(std::move(g));
  }
  return out;
}

Status import_account_state(store::LocalStore& store, const AccountState& state,
                            store::SqliteIdentityKeyStore& identities,
                            store::Directory& directory, store::GroupStore& groups) {
  for (const auto& c : state.contacts) {
    // Device 1 only names the account: trust is per account (identity_store.hpp).
    // A contact without an account id (an older device sent it) is kept
    // under its username, as a migrated row is, until a lookup moves it.
    const std::string address = c.account_id.empty() ? c.username : store::account_address(c.account_id);
    if (c.account_id.empty()) HUSH_TRY(store::note_unresolved_peer(store, c.username));
    HUSH_TRY(identities.save_identity(signal::ProtocolAddress{address, signal::DeviceId{1}}, c.key));
    if (c.verified) HUSH_TRY(identities.mark_verified(address, c.key));
    if (!c.account_id.empty()) HUSH_TRY(directory.put(c.account_id, c.username));
  }
  for (const auto& g : state.groups) HUSH_TRY(groups.put(g));
  return ok();
}

}  // namespace hush::client::sdk
