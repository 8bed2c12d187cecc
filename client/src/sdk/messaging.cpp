// The messaging pipeline. Send: one padded frame encrypted per device of the
// recipient (sessions set up from fetched bundles) and a copy for our own
// other devices, in one request (issue #16); the server's stale-devices
// answer, with the bundles it carries, repaired and retried. Receive, exactly
// once: per envelope one store transaction (de-dup check, decrypt, decode,
// history, received id), commit; one ack for the batch after the drain.
#include "client_impl.hpp"
#include "frame.hpp"
#include "group_fanout.hpp"

#include <hush/client/store/account_address.hpp>

#include <hush/crypto/sha.hpp>
#include <hush/signal/messages.hpp>
#include <hush/signal/session_builder.hpp>
#include <hush/signal/session_cipher.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/signal/session_state.hpp>

#include <algorithm>
#include <thread>

namespace hush::client {

using sdk::decode_frame;
using sdk::encode_frame;

namespace {

/// Sends retried after a stale-devices answer before giving up (each retry
/// repairs the device list the server named; three covers a device added
/// while we repaired).
constexpr int kMaxSendAttempts = 4;
/// receive(): hushd ends a connection's first drain with QueueEmpty; until it
/// has come, the queue counts as drained after this long without an envelope
/// (a server without the marker, or a drain that stalls).
constexpr std::chrono::milliseconds kDrainQuiet{300};
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

/// listen(): how often on_tick runs.
constexpr std::chrono::milliseconds kTick{100};
/// Envelopes acknowledged by one AckRequest at most (hushd takes up to
/// 1,000): a drain of its first pages, or a listener under a burst, still
/// acks as it goes, so a crash redelivers at most this many (de-duplicated).
constexpr std::size_t kAckBatch = 100;
/// listen(): how often a connected listener retries queued group changes
/// (each pass reads the outbox; a copy refused for good is retried no faster).
constexpr std::chrono::seconds kOutboxRetryInterval{5};

std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

content::Content text_content(const MessageId& id, std::uint64_t ts, ByteView text) {
  return content::Content{id, ts, content::TextBody{SecretBuffer(text)}};
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

/// Whether a failed decrypt can never succeed later for these bytes, so the
/// envelope is acknowledged (and dropped) rather than kept on the server.
bool permanently_undecryptable(Errc code) {
  switch (code) {
    // The bytes are malformed, forged or replayed: they will not get better.
    case Errc::decode_error:
    case Errc::unsupported_version:
    case Errc::bad_length:
    case Errc::bad_key:
    case Errc::bad_mac:
    case Errc::invalid_message:
    case Errc::too_far_ahead:
    case Errc::duplicate_message:
    // The state it needs is gone (a one-time pre-key used or deleted, a
    // session we no longer hold): keeping it would only redeliver it forever.
    case Errc::unknown_pre_key:
    case Errc::no_session:
    case Errc::stale_state:
      return true;
    // untrusted_identity decrypts once the user trusts the new key; storage
    // errors are local and pass: both are kept on the server.
    default:
      return false;
  }
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

Status ClientImpl::send_to_account(const store::Account& me, ByteView account_id, const std::string& name,
                                   ByteView padded, ByteView server_message_id, SentMessage& sent, bool keep,
                                   bool partial) {
  const bool to_self = to_hex(account_id) == me.account_id;
  const std::string address = store::account_address(account_id);
  for (int attempt = 0; attempt < kMaxSendAttempts; ++attempt) {
    HUSH_TRY_ASSIGN(auto devices, protocol_.sessions.devices(address));
    if (to_self) std::erase(devices, me.device_id);
    if (devices.empty()) {
      if (to_self) return ok();  // no other device of ours
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
      sent.server_timestamp_ms = static_cast<std::uint64_t>(r.send_message().server_timestamp_ms());
      sent.duplicate = r.send_message().duplicate();
      for (const auto& refused : r.send_message().refused()) {
        sent.refused.push_back(RefusedCopy{name, refused.device_id(), refused.reason()});
      }
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
  auto prepare = [&](ByteView account, const std::string& who, bool own) -> Result<std::vector<signal::DeviceId>> {
    HUSH_TRY_ASSIGN(auto devices, protocol_.sessions.devices(who));
    if (own) std::erase(devices, me.device_id);
    if (devices.empty() && !own) {
      HUSH_TRY(fetch_and_process_bundles(account, std::nullopt));
      HUSH_TRY_ASSIGN(devices, protocol_.sessions.devices(who));
      if (devices.empty()) return make_error(Errc::not_found, "recipient has no devices");
    }
    for (auto device : devices) {
      HUSH_TRY_ASSIGN(auto record, protocol_.sessions.load_session({who, device}));
      if (record && !record->has_current_state()) HUSH_TRY(fetch_and_process_bundles(account, device.value));
    }
    return devices;
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
      sent.server_timestamp_ms = static_cast<std::uint64_t>(r.send_message().server_timestamp_ms());
      sent.duplicate = r.send_message().duplicate();
      for (const auto& refused : r.send_message().refused()) {
        const bool ours = refused.account() == str(mine);
        sent.refused.push_back(RefusedCopy{ours ? me.username : name, refused.device_id(), refused.reason()});
      }
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
  HUSH_TRY_ASSIGN(auto padded, encode_frame({me.username, "", text_content(sent.id, ts, as_bytes(text))}));
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
    HUSH_TRY_ASSIGN(auto copy, encode_frame({me.username, name, text_content(sent.id, ts, as_bytes(text))}));
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

// ---------------------------------------------------------------- receive

Status ClientImpl::process_envelope(const pb::Envelope& e, std::vector<ReceivedMessage>& out, bool& ack) {
  ack = false;
  auto log = [&](const char* what, Errc code = Errc::ok) {
    if (!options_.on_log) return;
    std::string line = std::string("event=") + what + " seq=" + std::to_string(e.seq()) +
                       " sender_device=" + std::to_string(e.sender_device());
    if (code != Errc::ok) line += " error=" + std::string(errc_name(code));
    options_.on_log(line);
  };
  const ByteView account_id = as_bytes(e.sender_account());
  const ByteView message_id = as_bytes(e.message_id());
  const auto server_ts = static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.server_timestamp_ms()));
  // What could not be decrypted or read is shown, never dropped silently.
  auto failure = [&](const std::string& sender, Errc code) {
    ReceivedMessage m;
    m.sender = sender;
    m.conversation = sender;
    m.sender_device = e.sender_device();
    m.server_timestamp_ms = server_ts;
    m.failure = DecryptionFailure{std::string(errc_name(code)), to_hex(account_id), false};
    return m;
  };
  if (account_id.size() != 16 || e.sender_device() == 0 || message_id.empty() ||
      message_id.size() > store::kMaxReceivedIdSize) {
    log("envelope_malformed");
    ack = true;  // nothing in it can be used, now or later
    out.push_back(failure("", Errc::invalid_message));
    return ok();
  }
  HUSH_TRY_ASSIGN(const store::Account* acc, account());
  const std::string my_account = acc->account_id;
  const signal::DeviceId device{e.sender_device()};
  const std::string dedup_sender = to_hex(account_id) + "." + std::to_string(device.value);
  const ByteView body = as_bytes(e.content());

  signal::MessageType type = signal::MessageType::whisper;
  const bool pairwise = e.type() == static_cast<std::uint32_t>(signal::MessageType::whisper) ||
                        e.type() == static_cast<std::uint32_t>(signal::MessageType::pre_key);
  if (e.type() == static_cast<std::uint32_t>(signal::MessageType::pre_key)) type = signal::MessageType::pre_key;

  // Sessions and identities are keyed by the sender's account (its
  // address), so decryption never needs a name. Showing one does: an account
  // our directory does not know yet is named by the name its frame claims,
  // once hushd maps that name to this very account. That lookup must not
  // happen inside the store transaction (it would hold the home against
  // other hush processes), so a trial decryption, always rolled back, reads
  // the claim first; the real one follows with the name known.
  const std::string address = store::account_address(account_id);
  HUSH_TRY_ASSIGN(auto local, local_address());
  std::optional<std::pair<std::string, Result<Bytes>>> claim_lookup;
  Errc trial_error = Errc::no_session;  // why the trial read no claim
  if (pairwise) {
    HUSH_TRY_ASSIGN(auto known_now, directory_.username_of(account_id));
    if (!known_now) {
      std::string claim;
      (void)store_->transaction([&]() -> Status {
        signal::SessionCipher cipher(protocol_.stores(), {address, device}, local);
        auto plain = cipher.decrypt(type, body, rng_);
        if (!plain) {
          trial_error = plain.code();
        } else if (auto frame = decode_frame(plain->expose())) {
          claim = normalize_username(frame->sender_username);
          if (claim.empty()) trial_error = Errc::invalid_message;
        } else {
          trial_error = frame.code();
        }
        return make_error(Errc::conflict, "trial decryption: rolled back");
      });
      if (!claim.empty()) claim_lookup.emplace(claim, account_of(claim, true));
    }
  }

  std::optional<ReceivedMessage> shown;
  std::optional<FailedEnvelope> to_report;
  std::optional<std::pair<std::string, signal::IdentityKey>> untrusted;
  held_ = false;  // groups (§8.7): set when a group message must wait for a change
  group_notices_.clear();
  Status st = store_->transaction([&]() -> Status {
    shown.reset();
    to_report.reset();
    HUSH_TRY_ASSIGN(bool seen, received_.contains(dedup_sender, message_id));
    if (seen) {  // committed before a crash or a lost ack: ack again, show nothing
      ack = true;
      return ok();
    }
    // Everything below that ends the envelope for good records its id, so a
    // redelivery is recognised without decrypting again.
    auto finish_dropped = [&](const char* why, Errc code) -> Status {
      log(why, code);
      ack = true;
      return received_.insert(dedup_sender, message_id).code() == Errc::ok ? ok()
                                                                           : make_error(Errc::storage_failure, "received id");
    };
    // As finish_dropped, and the user is told (`sender` empty when unknown).
    auto finish_failed = [&](const char* why, Errc code, const std::string& sender) -> Status {
      shown = failure(sender, code);
      return finish_dropped(why, code);
    };
    if (e.type() == sdk::kGroupMessageType) {
      // A group message (docs/protocol.md §8.5): only from an account we
      // know, since its key came over a pairwise session with it. One that
      // cannot be read is shown, as a 1:1 failure is (no resend is asked:
      // the Sender Key layer has none).
      auto group_failed = [&](const char* why, Errc code, const std::string& sender) -> Status {
        shown = failure(sender, code);
        shown->failure->group = true;
        return finish_dropped(why, code);
      };
      HUSH_TRY_ASSIGN(auto sender, directory_.username_of(account_id));
      if (!sender) return group_failed("group_sender_unknown", Errc::no_session, "");
      auto got = receive_group_message(*sender, address, device, body,
                                       static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.server_timestamp_ms())));
      if (!got) {
        if (permanently_undecryptable(got.code()) || got.code() == Errc::forbidden) {
          return group_failed("group_decrypt_failed", got.code(), *sender);
        }
        log("group_decrypt_deferred", got.code());
        return got.error();
      }
      if (held_) return ok();  // not acked: pushed again once the change it waits for is here
      if (*got) shown = std::move(**got);
      HUSH_TRY(received_.insert(dedup_sender, message_id));
      ack = true;
      return ok();
    }
    HUSH_TRY_ASSIGN(auto known, directory_.username_of(account_id));
    if (!pairwise) return finish_failed("envelope_type_unsupported", Errc::unsupported_version, known ? *known : "");
    if (!known) {
      // The trial above could not name the sender: nothing is stored for
      // it (no session, no identity) until a name checks out.
      if (!claim_lookup) {
        if (permanently_undecryptable(trial_error)) return finish_failed("sender_unnamed", trial_error, "");
        log("decrypt_deferred", trial_error);
        return make_error(trial_error, "unknown sender: kept on the server");
      }
      const auto& claimed_account = claim_lookup->second;
      if (!claimed_account) {
        if (claimed_account.code() == Errc::not_found) return finish_failed("sender_claim_unknown", Errc::not_found, "");
        return claimed_account.error();  // network: try again later
      }
      // A lookup that named this account put it in the directory: a false claim is all that is left.
      return finish_failed("sender_claim_false", Errc::forbidden, "");
    }
    const std::string name = *known;

    signal::SessionCipher cipher(protocol_.stores(), {address, device}, local);
    Result<SecretBuffer> plain = cipher.decrypt(type, body, rng_);
    if (!plain && plain.code() == Errc::untrusted_identity && type == signal::MessageType::pre_key) {
      if (auto m = signal::PreKeySignalMessage::deserialize(body)) untrusted.emplace(address, m->identity_key());
    }
    if (!plain) {
      if (permanently_undecryptable(plain.code())) {
        // Told to the user and to the sending device, which resends it
        // (docs/protocol.md §7.6) after the ack.
        Bytes ratchet;
        if (type == signal::MessageType::whisper) {
          if (auto m = signal::SignalMessage::deserialize(body)) ratchet = m->ratchet_key().serialize();
        } else if (auto m = signal::PreKeySignalMessage::deserialize(body)) {
          ratchet = m->message().ratchet_key().serialize();
        }
        to_report = FailedEnvelope{0, name, to_bytes(account_id), device, to_bytes(message_id), std::move(ratchet),
                                   server_ts};
        return finish_failed("decrypt_failed", plain.code(), name);
      }
      log("decrypt_deferred", plain.code());
      return plain.error();  // rolled back; kept on the server
    }
    auto frame = decode_frame(plain->expose());
    if (!frame) return finish_failed("frame_invalid", frame.code(), name);
    if (normalize_username(frame->sender_username) != name) {
      log("sender_claim_mismatch");  // the directory is authoritative
    }

    ReceivedMessage msg;
    msg.sender = name;
    msg.sender_device = device.value;
    msg.id = frame->content.id;
    msg.timestamp_ms = frame->content.timestamp_ms;
    msg.server_timestamp_ms = static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.server_timestamp_ms()));
    const bool from_me = to_hex(account_id) == my_account;
    msg.sent_by_me = from_me && !frame->sent_to.empty();
    msg.conversation = msg.sent_by_me ? normalize_username(frame->sent_to) : name;
    // The history is keyed by address: a sent copy names its recipient by
    // username, which our directory maps (or, unknown yet, the row keeps the
    // name and is moved once a lookup tells the account: unresolved_peers).
    std::string peer = address;
    if (msg.sent_by_me) {
      HUSH_TRY_ASSIGN(auto to, directory_.account_of(msg.conversation));
      peer = to ? store::account_address(*to) : msg.conversation;
    }
    if (std::holds_alternative<content::GroupChange>(frame->content.body) ||
        std::holds_alternative<content::SenderKeyDistribution>(frame->content.body) ||
        std::holds_alternative<content::GroupStateNotice>(frame->content.body)) {
      HUSH_TRY(receive_group_control(name, address, device, frame->content));
    }
    if (const auto* de = std::get_if<content::DecryptionError>(&frame->content.body)) {
      HUSH_TRY(receive_decryption_error(account_id, device, *de));
    }
    auto* text = frame->content.group_id ? nullptr : std::get_if<content::TextBody>(&frame->content.body);
    if (text != nullptr) {
      store::HistoryEntry entry{msg.id,
                                msg.sent_by_me ? store::MessageDirection::outgoing : store::MessageDirection::incoming,
                                peer, std::nullopt, msg.timestamp_ms, text->text.clone()};
      auto inserted = history_.insert(entry);
      if (inserted) {
        msg.text = std::move(text->text);
        shown = std::move(msg);
      } else if (inserted.code() != Errc::conflict) {  // conflict: the same message under another envelope
        return inserted.error();
      }
    }  // receipts: nothing to show yet
    HUSH_TRY(received_.insert(dedup_sender, message_id));
    ack = true;
    return ok();
  });
  if (untrusted) {
    HUSH_TRY(protocol_.identities.record_untrusted(untrusted->first, untrusted->second));
  }
  if (!st) {
    group_notices_.clear();  // rolled back: nothing of it happened
    if (st.code() == Errc::untrusted_identity || permanently_undecryptable(st.code())) return ok();
    return st;
  }
  for (auto& n : group_notices_) out.push_back(std::move(n));  // group warnings (§8.7)
  group_notices_.clear();
  if (shown) {
    if (options_.after_commit && !shown->failure) options_.after_commit(*shown);
    if (to_report) {
      to_report->shown_index = out.size();
      failed_.push_back(std::move(*to_report));
    }
    out.push_back(std::move(*shown));
  }
  return ok();
}

Result<std::vector<ReceivedMessage>> ClientImpl::receive(std::chrono::milliseconds wait) {
  const auto called = std::chrono::steady_clock::now();
  std::vector<ReceivedMessage> out;
  (void)retry_group_outbox();  // before the connection is held: a failed request replaces it
  resolve_unresolved_peers();  // rows a migration kept under a username (once per process)
  (void)send_requested_resends();  // asked for before a crash or a network failure
  if (released_) {  // a change came after a group message was held: a new connection brings it again (§8.7)
    drop_connection();
    held_pending_ = released_ = false;
  }
  HUSH_TRY_ASSIGN(net::Transport * c, connection());
  const auto give_up = std::chrono::steady_clock::now() + wait;
  bool any = false;
  bool keys_low = false;
  int redeliveries = 0;
  bool reconnected = false;
  const net::Transport* drained_conn = nullptr;  ///< the kept connection a DrainRequest was answered on
  std::vector<std::uint64_t> to_ack;  // acknowledged together after the drain (issue #16)
  for (;;) {
    // Until the first message, wait as long as the caller allows; then only
    // until hushd's QueueEmpty (or, from a server that sends none, a quiet
    // spell). On a connection opened before this call the marker says
    // nothing about mail stored since: the quiet spell decides there.
    auto quiet = kDrainQuiet;
    bool first_wait = false;  // waiting for a first message as long as the caller allows
    if (!any) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
      first_wait = left > std::chrono::milliseconds::zero();
      quiet = std::max(quiet, left);
    }
    auto mode = net::Transport::Wait::full_timeout;
    if (!first_wait) {
      // Where the drain ends: a new connection's QueueEmpty, or on a kept
      // one a DrainRequest's answer (one round trip); a quiet spell only
      // with an older hushd.
      if (c->connect_started() < called && c != drained_conn) {
        const bool drained = drain_connection();
        HUSH_TRY_ASSIGN(c, connection());  // the request may have replaced it
        if (drained) drained_conn = c;
      }
      if (c->connect_started() >= called || c == drained_conn) mode = net::Transport::Wait::until_drained;
    }
    auto next = c->next_envelope(quiet, mode);
    keys_low = c->take_pre_keys_low() || keys_low;
    if (!next) {
      const bool kept = c->connect_started() < called;
      drop_connection();  // closed: what was not acked comes again, de-duplicated
      // A connection kept from an earlier call that hushd closed just now
      // (its idle timeout): one new connection before giving up.
      if (!any && !reconnected && kept) {
        reconnected = true;
        HUSH_TRY_ASSIGN(c, connection());
        continue;
      }
      if (!any) return next.error();
      break;
    }
    if (!*next) {
      // Group messages held for a change that has arrived since (§8.7): a
      // new connection makes hushd push them again. Bounded.
      if (released_ && redeliveries++ < 2) {
        (void)retry_group_outbox();
        (void)ack_batch(to_ack);  // before the connection goes: no redelivery of what is done
        drop_connection();
        held_pending_ = released_ = false;
        HUSH_TRY_ASSIGN(c, connection());
        continue;
      }
      break;
    }
    any = true;
    bool ack = false;
    if (Status processed = process_envelope(**next, out, ack); !processed) {
      // Not acked: hushd brings it again and the next call retries it (a
      // sender's name that could not be looked up now). What this call
      // already committed is returned and acked: returning only the error
      // would drop it, since its redelivery is a duplicate, never shown.
      if (out.empty()) {
        (void)ack_batch(to_ack);
        return processed.error();
      }
      break;
    }
    // Acknowledged once the drain is over, in one request: exactly-once
    // rests on the received ids committed with each envelope, so an ack
    // lost to a crash or a closed connection only brings a redelivery that
    // is recognised and acked again.
    if (ack) to_ack.push_back((*next)->seq());
    if (to_ack.size() >= kAckBatch && !ack_batch(to_ack)) {
      after_envelope(out);
      break;
    }
    after_envelope(out);  // decryption errors and resends: requests of their own
    HUSH_TRY_ASSIGN(c, connection());
  }
  (void)ack_batch(to_ack);  // a lost ack is harmless: redelivery is de-duplicated
  (void)retry_group_outbox();  // notices queued while receiving (§8.7)
  (void)maybe_housekeeping(keys_low);
  return out;
}

bool ClientImpl::drain_connection() {
  pb::ClientFrame f;
  f.mutable_drain();
  auto r = request(std::move(f));
  return r && r->status() == 200;  // 400 from a hushd that predates DrainRequest
}

Status ClientImpl::ack_batch(std::vector<std::uint64_t>& seqs) {
  if (seqs.empty()) return ok();
  pb::ClientFrame f;
  auto* ack = f.mutable_ack();
  ack->set_seq(seqs.front());  // a server before issue #16 reads this one only (the rest come again)
  for (auto seq : seqs) ack->add_seqs(seq);
  seqs.clear();
  HUSH_TRY_ASSIGN(auto r, request(std::move(f)));
  if (r.status() != 200) return make_error(net::errc_from_status(r.status(), r.message()), "ack refused");
  return ok();
}

Status ClientImpl::listen(const std::function<void(const ReceivedMessage&)>& on_message, std::stop_token stop,
                          const std::function<void()>& on_tick) {
  HUSH_TRY(account());
  auto backoff = options_.reconnect_min;
  while (!stop.stop_requested()) {
    auto c = connection();
    if (!c) {
      if (c.code() == Errc::unauthorized || c.code() == Errc::not_found) return c.error();
      if (options_.on_log) options_.on_log(std::string("event=reconnect_wait error=") + std::string(errc_name(c.code())));
      const auto until = std::chrono::steady_clock::now() + backoff;
      while (!stop.stop_requested() && std::chrono::steady_clock::now() < until) {
        if (on_tick) on_tick();
        std::this_thread::sleep_for(kTick);
      }
      backoff = std::min(backoff * 2, options_.reconnect_max);
      continue;
    }
    backoff = options_.reconnect_min;
    (void)maybe_housekeeping(false);
    resolve_unresolved_peers();  // as receive(): rows a migration kept under a username
    (void)retry_group_outbox();
    (void)send_requested_resends();
    std::vector<std::uint64_t> to_ack;  // acked per kAckBatch, or as soon as nothing is waiting
    while (!stop.stop_requested()) {
      auto conn = connection();
      if (!conn) break;
      auto next = (*conn)->next_envelope(to_ack.empty() ? kTick : std::chrono::milliseconds::zero());
      if (!next) {
        drop_connection();
        break;
      }
      // hushd said: one-time pre-keys (EC or Kyber) run low
      if ((*conn)->take_pre_keys_low()) (void)maybe_housekeeping(true);
      if (*next) {
        std::vector<ReceivedMessage> out;
        bool ack = false;
        if (Status processed = process_envelope(**next, out, ack); !processed) {
          // A connection lost on the way (a sender's name looked up) is
          // one more reconnect, not the end of listening: the envelope was
          // not acked, so it comes again.
          if (processed.code() != Errc::network_failure && processed.code() != Errc::timeout) return processed;
          drop_connection();
          break;
        }
        if (ack) to_ack.push_back((*next)->seq());
        if (to_ack.size() >= kAckBatch) (void)ack_batch(to_ack);
        after_envelope(out);
        for (const auto& m : out) on_message(m);
      } else {
        (void)ack_batch(to_ack);  // the queue is empty for now: ack what came
      }
      if (released_) {  // held group messages can open now: reconnect so they come again (§8.7)
        held_pending_ = released_ = false;
        (void)retry_group_outbox();
        (void)ack_batch(to_ack);
        drop_connection();
        break;
      }
      if (std::chrono::steady_clock::now() - last_outbox_pass_ >= kOutboxRetryInterval) (void)retry_group_outbox();
      if (on_tick) on_tick();
    }
    if (!to_ack.empty() && conn_ && conn_->is_open()) (void)ack_batch(to_ack);  // stopped: ack what came
  }
  return ok();
}

}  // namespace hush::client
