// The outgoing pipeline of 1:1 messages: one padded frame encrypted per
// device of the recipient (sessions set up from fetched bundles) and a copy
// for our own other devices, in one request (issue #16); the server's
// stale-devices answer, with the bundles it carries, repaired and retried.
// Receiving is the inbox's (inbox.hpp).
#include "client_impl.hpp"
#include "pairwise_plaintext.hpp"
#include "group_fanout.hpp"

#include <hush/client/store/account_address.hpp>

#include <hush/crypto/sha.hpp>
#include <hush/signal/messages.hpp>
#include <hush/signal/session_builder.hpp>
#include <hush/signal/session_cipher.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/signal/session_state.hpp>

#include <algorithm>

namespace hush::client {


namespace {

/// Sends retried after a stale-devices answer before giving up (each retry
/// repairs the device list the server named; three covers a device added
/// while we repaired).
constexpr int kMaxSendAttempts = 4;
/// The Kyber pre-key of a fetched bundle (PQXDH), or nullopt when the
/// device published none. Malformed bytes: bad_length or bad_key.
Result<std::optional<signal::BundleKyberPreKey>> kyber_of(const pb::DeviceBundle& d) {
  if (!d.has_kyber_pre_key()) return std::optional<signal::BundleKyberPreKey>{};
  const auto& k = d.kyber_pre_key();
  HUSH_TRY_ASSIGN(auto key, signal::deserialize_kyber_public_key(as_bytes(k.public_key())));
  signal::BundleKyberPreKey out{signal::KyberPreKeyId{k.id()}, std::move(key)};
  if (k.signature().size() != out.signature.size()) return make_error(Errc::bad_length, "kyber pre-key signature");
  std::copy(k.signature().begin(), k.signature().end(), out.signature.begin());
  return std::optional<signal::BundleKyberPreKey>{std::move(out)};
}


std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

content::Content text_content(const MessageId& id, std::uint64_t ts, ByteView text) {
  return content::Content{id, ts, content::TextBody{SecretBuffer(text)}};
}

/// A send hushd took: its time, whether it had it already, and the copies
/// it refused for want of room, each named by `who(refused copy)`.
template <class Name>
void note_accepted(const pb::Response& r, SentMessage& sent, Name who) {
  sent.server_timestamp_ms = static_cast<std::uint64_t>(r.send_message().server_timestamp_ms());
  sent.duplicate = r.send_message().duplicate();
  for (const auto& refused : r.send_message().refused()) {
    sent.refused.push_back(RefusedCopy{who(refused), refused.device_id(), refused.reason()});
  }
}

/// The server-side id of the copy for our own devices: distinct from the
/// message's (the server's idempotency key is per sender device and id), and
/// the same on a retry.
Bytes sync_message_id(const MessageId& id) {
  Bytes in = to_bytes(std::string_view("hush sync copy"));
  in.insert(in.end(), id.bytes.begin(), id.bytes.end());
  auto digest = crypto::sha256(in);
  return Bytes(digest.begin(), digest.begin() + MessageId::kSize);
}

}  // namespace

// ---------------------------------------------------------------- send

Status ClientImpl::fetch_and_process_bundles(ByteView account_id, std::optional<std::uint32_t> device, bool replace) {
  pb::ClientFrame f;
  f.mutable_fetch_bundles()->set_account_id(str(account_id));
  if (device) f.mutable_fetch_bundles()->set_device_id(*device);
  HUSH_TRY_ASSIGN(auto r, request_ok(std::move(f)));  // the network, before the transaction
  return process_bundles(r.bundles(), store::account_address(account_id), replace);
}

Status ClientImpl::process_bundles(const pb::FetchBundlesResponse& b, const std::string& address, bool replace) {
  HUSH_TRY_ASSIGN(auto identity, crypto::PublicKey::deserialize(as_bytes(b.identity_key())));
  std::vector<signal::PreKeyBundle> bundles;
  for (const auto& d : b.bundles()) {
    std::optional<signal::PreKeyId> otk_id;
    std::optional<crypto::PublicKey> otk;
    if (d.has_one_time_pre_key()) {
      HUSH_TRY_ASSIGN(auto key, crypto::PublicKey::deserialize(as_bytes(d.one_time_pre_key().public_key())));
      otk_id = signal::PreKeyId{d.one_time_pre_key().id()};
      otk = key;
    }
    HUSH_TRY_ASSIGN(auto spk, crypto::PublicKey::deserialize(as_bytes(d.signed_pre_key().public_key())));
    crypto::Signature signature{};
    const std::string& sig = d.signed_pre_key().signature();
    if (sig.size() != signature.size()) return make_error(Errc::bad_length, "bundle signature");
    std::copy(sig.begin(), sig.end(), signature.begin());
    HUSH_TRY_ASSIGN(auto kyber, kyber_of(d));
    bundles.push_back(signal::PreKeyBundle{signal::RegistrationId{d.registration_id()},
                                           signal::DeviceId{d.device_id()},
                                           otk_id,
                                           otk,
                                           signal::SignedPreKeyId{d.signed_pre_key().id()},
                                           spk,
                                           signature,
                                           identity,
                                           std::move(kyber)});
  }
  // One transaction for all devices: another hush process on this home
  // either sees none of the new sessions or all of them, and one it made
  // while we were fetching is kept (it may have encrypted with it already).
  Status st = store_->transaction([&]() -> Status {
    for (const auto& bundle : bundles) {
      const signal::ProtocolAddress remote{address, bundle.device_id};
      if (!replace) {
        HUSH_TRY_ASSIGN(auto existing, protocol_.sessions.load_session(remote));
        if (existing && existing->has_current_state()) continue;
      }
      // Every new session is PQXDH, version 4 with SPQR (docs/protocol.md
      // §7.9): a device that offers no Kyber pre-key gets none, never X3DH.
      if (!bundle.kyber_pre_key) {
        return make_error(Errc::unsupported_version, "no Kyber pre-key: no new session without PQXDH");
      }
      HUSH_TRY(signal::process_pre_key_bundle(protocol_.stores(), remote, bundle, rng_));
    }
    return ok();
  });
  if (st.code() == Errc::untrusted_identity) HUSH_TRY(protocol_.identities.record_untrusted(address, identity));
  return st;
}

// Inside the caller's store transaction: one copy of `plain` for each of
// `who`'s `devices` that has a current session (the others are skipped).
Status ClientImpl::encrypt_for_devices(const std::string& who, const std::vector<signal::DeviceId>& devices,
                                       ByteView plain,
                                       google::protobuf::RepeatedPtrField<pb::OutgoingMessage>& out) {
  for (auto device : devices) {
    const signal::ProtocolAddress address{who, device};
    HUSH_TRY_ASSIGN(auto record, protocol_.sessions.load_session(address));
    if (!record || !record->has_current_state()) continue;
    const auto registration = record->current_state()->remote_registration_id;
    // With our own address: pre-key messages carry both and the peer checks them (§2a.6).
    HUSH_TRY_ASSIGN(auto local, local_address());
    signal::SessionCipher cipher(protocol_.stores(), address, local);
    HUSH_TRY_ASSIGN(auto ct, cipher.encrypt(plain, rng_));  // rng: SPQR steps (version 4)
    auto* m = out.Add();
    m->set_device_id(device.value);
    m->set_registration_id(registration.value);
    m->set_type(static_cast<std::uint32_t>(ct.type));
    m->set_ciphertext(str(ct.serialized));
  }
  return ok();
}

Result<std::vector<signal::DeviceId>> ClientImpl::devices_to_encrypt_for(const store::Account& me, ByteView account_id,
                                                                         const std::string& address, bool own) {
  HUSH_TRY_ASSIGN(auto devices, protocol_.sessions.devices(address));
  if (own) std::erase(devices, me.device_id);
  if (devices.empty() && !own) {
    HUSH_TRY(fetch_and_process_bundles(account_id, std::nullopt));
    HUSH_TRY_ASSIGN(devices, protocol_.sessions.devices(address));
    if (devices.empty()) return make_error(Errc::not_found, "recipient has no devices");
  }
  // A device whose session was archived (its peer could not decrypt it,
  // docs/protocol.md §7.6) gets a new one before we encrypt.
  for (auto device : devices) {
    HUSH_TRY_ASSIGN(auto record, protocol_.sessions.load_session({address, device}));
    if (record && !record->has_current_state()) HUSH_TRY(fetch_and_process_bundles(account_id, device.value));
  }
  return devices;
}

Status ClientImpl::send_to_account(const store::Account& me, ByteView account_id, const std::string& name,
                                   ByteView padded, ByteView server_message_id, SentMessage& sent, bool keep,
                                   bool partial) {
  const bool to_self = to_hex(account_id) == me.account_id;
  const std::string address = store::account_address(account_id);
  for (int attempt = 0; attempt < kMaxSendAttempts; ++attempt) {
    HUSH_TRY_ASSIGN(auto devices, devices_to_encrypt_for(me, account_id, address, to_self));
    if (devices.empty()) return ok();  // no other device of ours
    pb::ClientFrame f;
    auto* req = f.mutable_send_message();
    req->set_destination(str(account_id));
    req->set_message_id(str(server_message_id));
    req->set_partial(partial);
    // Encrypt-and-store as one exclusive transaction (BEGIN IMMEDIATE): two
    // processes on one home never encrypt from the same session state, and
    // no network call happens while the store is held (docs/adr/0006-one-writer-per-home.md).
    Status encrypted = store_->transaction([&]() -> Status {
      HUSH_TRY(encrypt_for_devices(address, devices, padded, *req->mutable_messages()));
      if (!keep) return ok();
      return sent_.keep(server_message_id, account_id, address, padded);
    });
    HUSH_TRY(encrypted);
    HUSH_TRY_ASSIGN(auto r, request(std::move(f)));
    if (r.status() == 200) {
      note_accepted(r, sent, [&](const auto&) { return name; });
      return ok();
    }
    const Errc code = net::errc_from_status(r.status(), r.message());
    if (code != Errc::stale_devices) return make_error(code, "send refused");
    // Repair the device list as the server described it, then retry.
    const auto& stale = r.stale_devices();
    for (auto id : stale.extra()) HUSH_TRY(protocol_.sessions.delete_session({address, signal::DeviceId{id}}));
    for (auto id : stale.stale()) {
      HUSH_TRY(protocol_.sessions.delete_session({address, signal::DeviceId{id}}));
      HUSH_TRY(fetch_and_process_bundles(account_id, id));
    }
    for (auto id : stale.missing()) HUSH_TRY(fetch_and_process_bundles(account_id, id));
    if (options_.on_log) options_.on_log("event=stale_devices_retry");
  }
  return make_error(Errc::stale_devices, "device list kept changing");
}

namespace {

/// The SdkState name of the time (ms, 8 bytes little-endian) a username's
/// binding was last checked with hushd.
std::string checked_state(const std::string& name) { return "directory_checked/" + name; }

Bytes u64_bytes(std::uint64_t v) {
  Bytes out(8);
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return out;
}

std::optional<std::uint64_t> u64_of(ByteView b) {
  if (b.size() != 8) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v |= std::uint64_t{b[i]} << (8 * i);
  return v;
}

}  // namespace

Result<Bytes> ClientImpl::recipient_of(const std::string& name, bool force) {
  HUSH_TRY_ASSIGN(auto cached, directory_.account_of(name));
  if (cached && !force) {
    HUSH_TRY_ASSIGN(auto checked, state_.get(checked_state(name)));
    const auto at = checked ? u64_of((*checked).expose()) : std::nullopt;
    // Fresh enough: no lookup on the hot path. hushd still refuses the send
    // (not_found) if the name is no longer this account's.
    if (at && now_ms() >= *at && now_ms() - *at < options_.directory_recheck_ms) return std::move(*cached);
  }
  HUSH_TRY_ASSIGN(Bytes recipient, account_of(name, true));
  HUSH_TRY(state_.put(checked_state(name), u64_bytes(now_ms())));
  if (cached && *cached != recipient) {
    // The name moved to another account (a reinstall, or a lying server):
    // account_of carried the contact over (note_username_moved), so the new
    // account's identity key must pass the trust check when its bundles
    // arrive (untrusted_identity until `hush trust`).
    if (options_.on_log) options_.on_log("event=username_moved");
  }
  return recipient;
}

Status ClientImpl::repair_from_stale(const pb::AccountStaleDevices& entry, ByteView account_id) {
  const std::string address = store::account_address(account_id);
  const auto& stale = entry.devices();
  for (auto id : stale.extra()) HUSH_TRY(protocol_.sessions.delete_session({address, signal::DeviceId{id}}));
  for (auto id : stale.stale()) HUSH_TRY(protocol_.sessions.delete_session({address, signal::DeviceId{id}}));
  // The answer carries the bundles (one request saved per device); one it
  // could not fetch for us (a limit) is fetched here.
  if (entry.has_bundles() && entry.bundles().bundles_size() > 0) HUSH_TRY(process_bundles(entry.bundles(), address));
  HUSH_TRY_ASSIGN(auto have, protocol_.sessions.devices(address));
  auto held = [&](std::uint32_t id) { return std::find(have.begin(), have.end(), signal::DeviceId{id}) != have.end(); };
  for (auto id : stale.stale()) {
    if (!held(id)) HUSH_TRY(fetch_and_process_bundles(account_id, id));
  }
  for (auto id : stale.missing()) {
    if (!held(id)) HUSH_TRY(fetch_and_process_bundles(account_id, id));
  }
  return ok();
}

Status ClientImpl::send_with_sync(const store::Account& me, ByteView recipient, const std::string& name,
                                  ByteView padded, ByteView copy, const MessageId& id, SentMessage& sent) {
  auto parsed = from_hex(me.account_id);
  const Bytes mine_bytes = parsed ? std::move(*parsed) : Bytes{};
  const ByteView mine(mine_bytes);
  const Bytes sync_id = sync_message_id(id);
  bool with_sync = mine.size() == 16;
  // Sessions to set up before encrypting: a first contact (one fetch for
  // all its devices), and any device whose session was archived (its peer
  // could not decrypt it, docs/protocol.md §7.6).
  const std::string recipient_address = store::account_address(recipient);
  const std::string my_address = store::account_address(mine);
  auto prepare = [&](ByteView account, const std::string& who, bool own) {
    return devices_to_encrypt_for(me, account, who, own);
  };
  for (int attempt = 0; attempt < kMaxSendAttempts; ++attempt) {
    HUSH_TRY_ASSIGN(auto devices, prepare(recipient, recipient_address, false));
    std::vector<signal::DeviceId> own;
    if (with_sync) {
      auto prepared = prepare(mine, my_address, true);
      if (prepared) {
        own = std::move(*prepared);
      } else {  // our own devices cannot be repaired now: the recipient still gets it
        with_sync = false;
        if (options_.on_log) options_.on_log("event=sync_copy_failed");
      }
    }
    pb::ClientFrame f;
    auto* req = f.mutable_send_message();
    req->set_destination(str(recipient));
    req->set_message_id(str(id.view()));
    req->set_partial(true);
    req->set_bundles_on_stale(true);
    req->set_destination_username(name);
    if (with_sync) req->set_sync_message_id(str(sync_id));
    // Encrypt-and-store as one exclusive transaction (BEGIN IMMEDIATE), as
    // send_to_account: no network call while the store is held.
    Status encrypted = store_->transaction([&]() -> Status {
      req->clear_messages();
      req->clear_sync_messages();
      HUSH_TRY(encrypt_for_devices(recipient_address, devices, padded, *req->mutable_messages()));
      HUSH_TRY(sent_.keep(id.view(), recipient, recipient_address, padded));
      if (!with_sync) return ok();
      HUSH_TRY(encrypt_for_devices(my_address, own, copy, *req->mutable_sync_messages()));
      return sent_.keep(sync_id, mine, my_address, copy);
    });
    HUSH_TRY(encrypted);
    HUSH_TRY_ASSIGN(auto r, request(std::move(f)));
    if (r.status() == 200) {
      note_accepted(r, sent, [&](const auto& refused) { return refused.account() == str(mine) ? me.username : name; });
      return ok();
    }
    const Errc code = net::errc_from_status(r.status(), r.message());
    if (code != Errc::stale_devices) return make_error(code, "send refused");
    if (r.has_stale_devices()) {  // a server without issue #16's answer: the recipient only
      pb::AccountStaleDevices entry;
      entry.set_account(str(recipient));
      *entry.mutable_devices() = r.stale_devices();
      HUSH_TRY(repair_from_stale(entry, recipient));
    }
    for (const auto& entry : r.multi_stale_devices().accounts()) {
      if (entry.account() == str(recipient)) {
        HUSH_TRY(repair_from_stale(entry, recipient));
      } else if (with_sync && entry.account() == str(mine)) {
        if (!repair_from_stale(entry, mine)) {
          with_sync = false;  // as above: the recipient still gets it
          if (options_.on_log) options_.on_log("event=sync_copy_failed");
        }
      }
    }
    if (options_.on_log) options_.on_log("event=stale_devices_retry");
  }
  return make_error(Errc::stale_devices, "device list kept changing");
}

Result<SentMessage> ClientImpl::send_text(std::string_view username, std::string_view text) {
  const MessageId id = MessageId::generate(rng_);
  return send_text_as(username, text, id, now_ms());
}

Result<SentMessage> ClientImpl::send_text_as(std::string_view username, std::string_view text,
                                             const MessageId& message_id, std::uint64_t timestamp_ms) {
  HUSH_TRY_ASSIGN(const store::Account* acc, account());
  const store::Account me = acc->clone();
  const std::string name = normalize_username(username);
  if (text.size() > content::kMaxTextSize) return make_error(Errc::invalid_argument, "text too long");
  (void)retry_group_outbox();  // queued group changes go out before new work

  SentMessage sent;
  sent.id = message_id;
  const std::uint64_t ts = timestamp_ms;
  HUSH_TRY_ASSIGN(auto padded,
                  sdk::pairwise_plaintext(me.username, "", text_content(sent.id, ts, as_bytes(text))));
  // The cached binding of the name (issue #16: no lookup on the hot path);
  // hushd refuses the send as not_found when the name is no longer that
  // account's, and then it is looked up once more.
  // Without a session with the name a fetch follows anyway (a first
  // contact, or a key change still untrusted): the binding is checked then
  // too, so a name that moved again is never answered with an older key.
  HUSH_TRY_ASSIGN(auto cached, directory_.account_of(name));
  std::vector<signal::DeviceId> sessions;
  if (cached) {
    HUSH_TRY_ASSIGN(sessions, protocol_.sessions.devices(store::account_address(*cached)));
  }
  HUSH_TRY_ASSIGN(Bytes recipient, recipient_of(name, sessions.empty()));
  if (to_hex(recipient) == me.account_id) {  // a note to ourselves: our other devices, no sync copy
    HUSH_TRY(send_to_account(me, recipient, name, padded.expose(), sent.id.view(), sent, true, true));
  } else {
    // One request: the recipient's devices and, as the sync copy, ours.
    HUSH_TRY_ASSIGN(auto copy,
                    sdk::pairwise_plaintext(me.username, name, text_content(sent.id, ts, as_bytes(text))));
    Status st = send_with_sync(me, recipient, name, padded.expose(), copy.expose(), sent.id, sent);
    if (st.code() == Errc::not_found) {
      HUSH_TRY_ASSIGN(Bytes again, recipient_of(name, true));
      if (again == recipient) return st.error();  // the account itself refused: nothing to retry
      recipient = std::move(again);
      st = send_with_sync(me, recipient, name, padded.expose(), copy.expose(), sent.id, sent);
    }
    HUSH_TRY(st);
  }

  store::HistoryEntry entry{sent.id, store::MessageDirection::outgoing, store::account_address(recipient),
                            std::nullopt, ts, SecretBuffer(as_bytes(text))};
  auto inserted = history_.insert(entry);
  if (!inserted && inserted.code() != Errc::conflict) return inserted.error();
  return sent;
}

}  // namespace hush::client
