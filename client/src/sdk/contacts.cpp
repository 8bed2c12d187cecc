// History, contacts, safety numbers, verification and trust of changed
// identity keys, and our account's devices.
#include "client_impl.hpp"

#include <hush/signal/fingerprint.hpp>

#include <algorithm>

namespace hush::client {

Result<std::vector<HistoryMessage>> ClientImpl::history(std::string_view username, std::size_t limit) {
  HUSH_TRY_ASSIGN(const std::string address, address_of(username));
  HUSH_TRY_ASSIGN(auto entries, history_.with_peer(address, limit));
  std::vector<HistoryMessage> out;
  out.reserve(entries.size());
  for (auto& e : entries) {
    std::string group_name;
    if (e.group_id) {  // a group message: marked with the group's (local) name
      HUSH_TRY_ASSIGN(auto g, groups_.get(*e.group_id));
      if (g) group_name = g->name;
    }
    HUSH_TRY_ASSIGN(auto peer, name_of_address(e.peer));
    out.push_back(HistoryMessage{e.id, e.direction == store::MessageDirection::outgoing, std::move(peer),
                                 e.timestamp_ms, std::move(e.body), std::move(e.group_id), std::move(group_name)});
  }
  return out;
}

Result<std::vector<Contact>> ClientImpl::contacts() {
  std::string me;
  if (auto a = local_address()) me = a->name;
  HUSH_TRY_ASSIGN(auto addresses, protocol_.identities.contact_names());
  std::vector<Contact> out;
  for (const auto& address : addresses) {
    if (address == me) continue;  // our own devices share our key
    HUSH_TRY_ASSIGN(auto c, protocol_.identities.contact(address));
    if (!c) continue;
    HUSH_TRY_ASSIGN(auto name, name_of_address(address));
    // An account no name leads to any more (its username moved on, and the
    // contact moved with it): nothing the user could type reaches it.
    if (name == address && store::account_of_address(address)) continue;
    out.push_back(Contact{name, c->verified, c->pending_key.has_value(), c->first_seen_ms, c->history.size()});
  }
  std::sort(out.begin(), out.end(), [](const Contact& a, const Contact& b) { return a.username < b.username; });
  return out;
}

Result<std::vector<SessionInfo>> ClientImpl::sessions(std::string_view username) {
  HUSH_TRY_ASSIGN(const std::string address, address_of(username));
  HUSH_TRY_ASSIGN(auto devices, protocol_.sessions.devices(address));
  std::vector<SessionInfo> out;
  for (auto device : devices) {
    HUSH_TRY_ASSIGN(auto record, protocol_.sessions.load_session({address, device}));
    if (!record || !record->has_current_state()) continue;
    const signal::SessionState& state = *record->current_state();
    out.push_back(SessionInfo{device.value, state.session_version, state.pq_ratchet.version() != signal::spqr::Version::v0});
  }
  return out;
}

Result<SafetyNumber> ClientImpl::safety_number(std::string_view username) {
  HUSH_TRY_ASSIGN(const store::Account* a, account());
  const std::string me = a->username;
  const std::string name = normalize_username(username);
  HUSH_TRY_ASSIGN(const std::string address, address_of(name));
  HUSH_TRY_ASSIGN(auto c, protocol_.identities.contact(address));
  if (!c) {
    // Never talked: set up sessions now, which fetches and records their key.
    HUSH_TRY_ASSIGN(Bytes account_id, account_of(name));
    HUSH_TRY(fetch_and_process_bundles(account_id, std::nullopt));
    HUSH_TRY_ASSIGN(c, protocol_.identities.contact(store::account_address(account_id)));
    if (!c) return make_error(Errc::not_found, "no identity key");
  }
  HUSH_TRY_ASSIGN(auto ours, protocol_.identities.identity_key_pair());
  HUSH_TRY_ASSIGN(auto fp, signal::create_fingerprint(me, ours.public_key, name, c->key));
  SafetyNumber out{fp.displayable.text(), fp.scannable.serialize(), c->verified, c->pending_key.has_value(), {}, {}, {}};
  if (c->pending_key) {
    HUSH_TRY_ASSIGN(auto pending, signal::create_fingerprint(me, ours.public_key, name, *c->pending_key));
    out.pending_digits = pending.displayable.text();
    out.pending_scannable = pending.scannable.serialize();
    out.pending_key_hex = to_hex(c->pending_key->serialize());
  }
  return out;
}

Status ClientImpl::verify(std::string_view username) {
  HUSH_TRY_ASSIGN(const std::string address, address_of(username));
  HUSH_TRY_ASSIGN(auto c, protocol_.identities.contact(address));
  if (!c) return make_error(Errc::not_found, "unknown contact");
  if (c->pending_key) return make_error(Errc::conflict, "identity change pending: trust it first");
  return protocol_.identities.mark_verified(address, c->key);
}

Status ClientImpl::trust(std::string_view username, std::optional<std::string> expected_key_hex) {
  HUSH_TRY_ASSIGN(const std::string name, address_of(username));
  // Check and accept in one transaction: a change recorded by another process
  // between the user's look at the key and this accept is refused, not taken.
  bool accepted = false;
  Status st = store_->transaction([&]() -> Status {
    HUSH_TRY_ASSIGN(auto c, protocol_.identities.contact(name));
    if (!c || !c->pending_key) return ok();
    if (expected_key_hex && to_hex(c->pending_key->serialize()) != *expected_key_hex) {
      return make_error(Errc::conflict, "the identity key changed again: compare the new safety number");
    }
    HUSH_TRY_ASSIGN(accepted, protocol_.identities.accept_pending(name));
    return ok();
  });
  HUSH_TRY(st);
  if (!accepted) return make_error(Errc::not_found, "no identity change pending");
  // Sessions under the old key are dead; messages held on the server for the
  // new key are pushed again on the next connection.
  HUSH_TRY_ASSIGN(auto devices, protocol_.sessions.devices(name));
  for (auto d : devices) HUSH_TRY(protocol_.sessions.delete_session({name, d}));
  drop_connection();
  return ok();
}

Result<std::vector<DeviceInfo>> ClientImpl::devices() {
  HUSH_TRY_ASSIGN(const store::Account* a, account());
  const std::uint32_t mine = a->device_id.value;
  pb::ClientFrame f;
  f.mutable_list_devices();
  HUSH_TRY_ASSIGN(auto r, request_ok(std::move(f)));
  std::vector<DeviceInfo> out;
  for (const auto& d : r.devices().devices()) {
    out.push_back(DeviceInfo{d.device_id(), d.registration_id(),
                             static_cast<std::uint64_t>(std::max<std::int64_t>(0, d.created_at_ms())),
                             d.device_id() == mine});
  }
  return out;
}

Status ClientImpl::remove_device(std::uint32_t device_id) {
  HUSH_TRY_ASSIGN(const store::Account* a, account());
  (void)a;
  HUSH_TRY_ASSIGN(auto me, local_address());
  pb::ClientFrame f;
  f.mutable_remove_device()->set_device_id(device_id);
  HUSH_TRY(request_ok(std::move(f)));
  return protocol_.sessions.delete_session({me.name, signal::DeviceId{device_id}});
}

}  // namespace hush::client
