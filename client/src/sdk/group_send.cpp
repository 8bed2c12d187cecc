// Sending to a group (docs/protocol.md §8.4-8.5): our Sender Key to every
// member device that lacks it (over the pairwise sessions), then the text
// encrypted once and uploaded once for every device of every member with
// send_multi; the server's per-account stale-device answer is repaired as in
// the 1:1 pipeline (§7.2) and the same body sent again.
#include "client_impl.hpp"
#include "pairwise_plaintext.hpp"
#include "group_agreement.hpp"
#include "group_fanout.hpp"

#include <hush/signal/group_cipher.hpp>
#include <hush/signal/group_session_builder.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/signal/session_state.hpp>

#include <algorithm>
#include <map>

namespace hush::client {

namespace {

/// Sends retried after a stale-devices answer (as the 1:1 pipeline).
constexpr int kMaxGroupSendAttempts = 4;

std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

bool holds(const std::vector<signal::ProtocolAddress>& holders, const signal::ProtocolAddress& a) {
  return std::find(holders.begin(), holders.end(), a) != holders.end();
}

}  // namespace

namespace sdk {

::hush::service::v1::ClientFrame build_send_multi(ByteView message_id, ByteView body,
                                                  const std::vector<FanOutAccount>& recipients, bool partial) {
  ::hush::service::v1::ClientFrame f;
  auto* req = f.mutable_send_multi();
  req->set_partial(partial);
  req->set_message_id(str(message_id));
  req->set_type(kGroupMessageType);
  req->set_body(str(body));
  for (const auto& r : recipients) {
    auto* a = req->add_recipients();
    a->set_account(str(r.account));
    for (const auto& d : r.devices) {
      auto* dev = a->add_devices();
      dev->set_device_id(d.device_id);
      dev->set_registration_id(d.registration_id);
    }
  }
  return f;
}

}  // namespace sdk

Status ClientImpl::distribute_sender_key(const store::Account& me, store::GroupRecord& g,
                                         std::vector<RefusedCopy>& refused) {
  HUSH_TRY_ASSIGN(const auto local, local_address());
  const signal::SenderKeyName ours{str(g.id), local};
  signal::GroupSessionBuilder builder(sender_keys_);
  HUSH_TRY_ASSIGN(auto skdm, builder.create_distribution(ours, rng_));
  auto mine = from_hex(me.account_id);
  if (!mine) return make_error(Errc::decode_error, "own account id");
  bool changed = false;
  for (const auto& member : g.members) {
    const bool self = member == me.username;
    // Sessions and key holders are kept under the member's account address.
    Bytes account;
    if (self) {
      account = *mine;
    } else {
      HUSH_TRY_ASSIGN(account, account_of(member));
    }
    const std::string address = store::account_address(account);
    HUSH_TRY_ASSIGN(auto devices, protocol_.sessions.devices(address));
    if (self) {
      std::erase(devices, me.device_id);
      if (devices.empty()) continue;  // no other device of ours
    } else {
      if (devices.empty()) HUSH_TRY(fetch_and_process_bundles(account, std::nullopt));
      HUSH_TRY_ASSIGN(devices, protocol_.sessions.devices(address));
    }
    const bool all_hold = std::all_of(devices.begin(), devices.end(),
                                      [&](signal::DeviceId d) { return holds(g.key_holders, {address, d}); });
    if (all_hold && !devices.empty()) continue;
    content::Content c{MessageId::generate(rng_), now_ms(),
                       content::SenderKeyDistribution{g.id, skdm.serialized().clone(), groups::stamp_of(g)}};
    const MessageId id = c.id;
    HUSH_TRY_ASSIGN(auto padded, sdk::pairwise_plaintext(me.username, "", std::move(c)));
    // Partial: one member's full mailbox must not stop the group's message
    // for everyone (issue #13); that device stays without our key.
    SentMessage key_sent;
    HUSH_TRY(send_to_account(me, account, member, padded.expose(), id.view(), key_sent, true, true));
    // Whatever send_to_account repaired, it sent to the devices we now hold sessions with.
    HUSH_TRY_ASSIGN(devices, protocol_.sessions.devices(address));
    for (auto d : devices) {
      if (self && d == me.device_id) continue;
      const bool lacks_room = std::any_of(key_sent.refused.begin(), key_sent.refused.end(),
                                          [&](const RefusedCopy& r) { return r.device == d.value; });
      if (!lacks_room && !holds(g.key_holders, {address, d})) g.key_holders.push_back({address, d});
    }
    refused.insert(refused.end(), key_sent.refused.begin(), key_sent.refused.end());
    changed = true;
  }
  if (changed) HUSH_TRY(groups_.put(g));
  return ok();
}

Result<SentMessage> ClientImpl::group_send(std::string_view ref, std::string_view text) {
  SentMessage sent;
  Status st = group_send_into(ref, text, sent);
  if (!st) {
    // The messages the drain before it committed must still be shown: the
    // next receive() returns them (their redelivery would be a duplicate,
    // never shown). Group notices are not kept: the group's warnings hold them.
    for (auto& m : sent.received) {
      if (!m.notice) unshown_.push_back(std::move(m));
    }
    return st.error();
  }
  return sent;
}

Status ClientImpl::group_send_into(std::string_view ref, std::string_view text, SentMessage& sent) {
  HUSH_TRY_ASSIGN(const store::Account* acc, account());
  const store::Account me = acc->clone();
  if (text.size() > content::kMaxTextSize) return make_error(Errc::invalid_argument, "text too long");
  HUSH_TRY_ASSIGN(auto before, resolve_group(ref));
  // Our queued changes go out and the changes, keys and notices waiting for
  // us are applied first (§8.7), so the message goes to the members as they
  // are now, not as we last heard. What the drain showed is returned.
  HUSH_TRY(drain_before_group_send(sent.received));
  HUSH_TRY_ASSIGN(auto found, groups_.get(before.id));
  if (!found) return make_error(Errc::not_found, "no such group");
  store::GroupRecord g = std::move(*found);
  for (const auto& m : sent.received) {
    if (m.notice && m.group_id && *m.group_id == g.id) {
      sent.warnings.insert(sent.warnings.end(), m.warnings.begin(), m.warnings.end());
    }
  }
  if (!g.active) return make_error(Errc::forbidden, "no longer a member of this group");
  if (g.known_ahead > g.version) {
    // A member holds a newer version: sending now could reach someone removed
    // since. We asked that member; now we ask every member (once per version
    // in this process), since any of them may hold the changes and be online.
    for (const auto& m : g.members) {
      if (m == g.ahead_member || m == me.username) continue;
      if (!notified_.insert(to_hex(g.id) + "/" + m + "/" + std::to_string(g.known_ahead) + "r").second) continue;
      HUSH_TRY(enqueue_group_notice(me, m, g, g.version, false, true));
    }
    (void)retry_group_outbox();
    return make_error(Errc::stale_state, "a member holds a newer version of this group: waiting for its changes");
  }
  auto mine = from_hex(me.account_id);
  if (!mine) return make_error(Errc::decode_error, "own account id");

  sent.id = MessageId::generate(rng_);
  const std::uint64_t ts = now_ms();
  content::Content c{sent.id, ts, content::TextBody{SecretBuffer(as_bytes(text))}, g.id, groups::stamp_of(g)};
  HUSH_TRY_ASSIGN(auto padded, content::encode(c));

  // Our own other devices are learnt as any member's are: our account is
  // named below with the devices we hold sessions with (maybe none), and
  // hushd's stale-devices answer names the ones we lack (no ListDevices
  // request per send: issue #16, one request per send).
  std::vector<RefusedCopy> key_refused;
  HUSH_TRY(distribute_sender_key(me, g, key_refused));
  HUSH_TRY_ASSIGN(const auto local, local_address());
  signal::GroupCipher cipher(sender_keys_, signal::SenderKeyName{str(g.id), local});

  std::vector<std::string> addressed = g.members;
  for (const auto& extra : options_.group_test.extra_recipients) {
    const std::string n = normalize_username(extra);
    if (std::find(addressed.begin(), addressed.end(), n) == addressed.end()) addressed.push_back(n);
  }
  bool delivered = false;
  std::map<std::string, std::string> names;  // recipient account (bytes) -> username, for refused copies
  for (int attempt = 0; attempt < kMaxGroupSendAttempts && !delivered; ++attempt) {
    std::vector<sdk::FanOutAccount> recipients;
    for (const auto& name : addressed) {
      const bool self = name == me.username;
      sdk::FanOutAccount a;
      if (self) {
        a.account = *mine;
      } else {
        HUSH_TRY_ASSIGN(a.account, account_of(name));
      }
      names[str(a.account)] = name;
      const std::string address = store::account_address(a.account);
      HUSH_TRY_ASSIGN(auto devices, protocol_.sessions.devices(address));
      if (devices.empty() && !self) {  // an extra recipient of a test: sessions only to learn the devices
        HUSH_TRY(fetch_and_process_bundles(a.account, std::nullopt));
        HUSH_TRY_ASSIGN(devices, protocol_.sessions.devices(address));
      }
      for (auto d : devices) {
        if (self && d == me.device_id) continue;
        HUSH_TRY_ASSIGN(auto record, protocol_.sessions.load_session({address, d}));
        if (!record || !record->has_current_state()) continue;
        a.devices.push_back({d.value, record->current_state()->remote_registration_id.value});
      }
      // Our own account is named even with no other device: hushd then checks
      // that it has none (an account with an empty list must have no devices).
      if (!a.devices.empty() || self) recipients.push_back(std::move(a));
    }
    const bool any_device = std::any_of(recipients.begin(), recipients.end(),
                                        [](const sdk::FanOutAccount& a) { return !a.devices.empty(); });
    if (!any_device) {  // a group of one device: nothing to upload
      sent.server_timestamp_ms = ts;
      break;
    }
    // One encryption per upload, whatever the group's size. After a
    // stale-devices answer the new devices got our key as it is now, past
    // the iteration the refused upload used (they would read it as a
    // replay): so each attempt encrypts anew (nothing was stored of the last).
    HUSH_TRY_ASSIGN(auto ct, cipher.encrypt(padded.expose(), rng_));
    if (options_.group_test.on_upload) options_.group_test.on_upload(ct.serialized);
    HUSH_TRY_ASSIGN(auto r, request(sdk::build_send_multi(sent.id.view(), ct.serialized, recipients, true)));
    if (r.status() == 200) {
      sent.server_timestamp_ms = static_cast<std::uint64_t>(r.send_message().server_timestamp_ms());
      sent.duplicate = r.send_message().duplicate();
      for (const auto& copy : r.send_message().refused()) {
        auto named = names.find(copy.account());
        sent.refused.push_back(RefusedCopy{named == names.end() ? to_hex(as_bytes(copy.account())) : named->second,
                                           copy.device_id(), copy.reason()});
      }
      delivered = true;
      break;
    }
    if (!r.has_multi_stale_devices()) return make_error(net::errc_from_status(r.status(), r.message()), "group send refused");
    // Repair each account's device list as the server described it, give the
    // new devices our key, and send the same body again.
    for (const auto& acct : r.multi_stale_devices().accounts()) {
      // Only accounts we addressed (the answer names no others).
      if (names.find(acct.account()) == names.end()) continue;
      const ByteView account = as_bytes(acct.account());
      const std::string address = store::account_address(account);
      if (address.empty()) continue;
      auto forget = [&](std::uint32_t id) -> Status {
        std::erase(g.key_holders, signal::ProtocolAddress{address, signal::DeviceId{id}});
        return protocol_.sessions.delete_session({address, signal::DeviceId{id}});
      };
      for (auto id : acct.devices().extra()) HUSH_TRY(forget(id));
      for (auto id : acct.devices().stale()) {
        HUSH_TRY(forget(id));
        HUSH_TRY(fetch_and_process_bundles(account, id));
      }
      for (auto id : acct.devices().missing()) HUSH_TRY(fetch_and_process_bundles(account, id));
    }
    HUSH_TRY(groups_.put(g));
    HUSH_TRY(distribute_sender_key(me, g, key_refused));
    if (options_.on_log) options_.on_log("event=group_stale_devices_retry");
  }
  if (!delivered && sent.server_timestamp_ms == 0) return make_error(Errc::stale_devices, "device lists kept changing");
  // A device whose Sender Key was refused cannot read the text even if its
  // copy was stored: name it once.
  for (const RefusedCopy& k : key_refused) {
    const bool listed = std::any_of(sent.refused.begin(), sent.refused.end(), [&](const RefusedCopy& r) {
      return r.recipient == k.recipient && r.device == k.device;
    });
    if (!listed) sent.refused.push_back(k);
  }
  if (!sent.refused.empty() && options_.on_log) {
    options_.on_log("event=group_copies_refused count=" + std::to_string(sent.refused.size()));
  }

  store::HistoryEntry entry{sent.id, store::MessageDirection::outgoing, local.name, g.id, ts,
                            SecretBuffer(as_bytes(text))};
  auto inserted = history_.insert(entry);
  if (!inserted && inserted.code() != Errc::conflict) return inserted.error();
  return ok();
}

}  // namespace hush::client
