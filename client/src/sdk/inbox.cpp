// The inbox's stages (inbox.hpp): classify, name, then in one store
// transaction de-duplicate, decrypt, authenticate, apply and record; the
// outcome says whether hushd may forget the envelope.
#include "inbox.hpp"

#include "client_impl.hpp"
#include "group_fanout.hpp"

#include <hush/client/content/content.hpp>
#include <hush/client/store/account_address.hpp>
#include <hush/client/store/received_ids.hpp>
#include <hush/signal/session_cipher.hpp>

#include <algorithm>
#include <variant>

namespace hush::client {

namespace sdk {

ClassifiedEnvelope classify(const service::v1::Envelope& e) {
  ClassifiedEnvelope c;
  c.account_id = as_bytes(e.sender_account());
  c.device = signal::DeviceId{e.sender_device()};
  c.message_id = as_bytes(e.message_id());
  c.body = as_bytes(e.content());
  c.server_timestamp_ms = static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.server_timestamp_ms()));
  if (c.account_id.size() != store::kAccountIdBytes || c.device.value == 0 || c.message_id.empty() ||
      c.message_id.size() > store::kMaxReceivedIdSize) {
    c.kind = ClassifiedEnvelope::Kind::malformed;
    return c;
  }
  c.address = store::account_address(c.account_id);
  c.dedup_sender = to_hex(c.account_id) + "." + std::to_string(c.device.value);
  if (e.type() == kGroupMessageType) {
    c.kind = ClassifiedEnvelope::Kind::group;
  } else if (e.type() == static_cast<std::uint32_t>(signal::MessageType::whisper) ||
             e.type() == static_cast<std::uint32_t>(signal::MessageType::pre_key)) {
    c.kind = ClassifiedEnvelope::Kind::pairwise;
    c.type = static_cast<signal::MessageType>(e.type());
  } else {
    c.kind = ClassifiedEnvelope::Kind::unsupported;
  }
  return c;
}

bool permanently_undecryptable(Errc code) noexcept {
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

}  // namespace sdk

using Fate = sdk::InboxOutcome::Fate;
using Kind = sdk::ClassifiedEnvelope::Kind;

/// One envelope on its way through the inbox.
struct ClientImpl::EnvelopeRun {
  const pb::Envelope& envelope;
  sdk::ClassifiedEnvelope c;
  signal::ProtocolAddress local;
  // name_unknown_sender's findings, outside the transaction:
  std::optional<std::pair<std::string, Result<Bytes>>> claim_lookup;  ///< the claimed name and hushd's answer
  Errc trial_error = Errc::no_session;                                ///< why the trial read no claim
  // What the transaction decided (reset when it starts):
  sdk::InboxOutcome outcome;
  std::optional<ReceivedMessage> shown;
  std::optional<FailedEnvelope> to_report;  ///< a decryption error to send once committed
  std::optional<std::pair<std::string, signal::IdentityKey>> untrusted;  ///< a new identity key to record as pending
};

void ClientImpl::inbox_log(const EnvelopeRun& r, const char* what, Errc code) {
  if (!options_.on_log) return;
  std::string line = std::string("event=") + what + " seq=" + std::to_string(r.envelope.seq()) +
                     " sender_device=" + std::to_string(r.envelope.sender_device());
  if (code != Errc::ok) line += " error=" + std::string(errc_name(code));
  options_.on_log(line);
}

ReceivedMessage ClientImpl::undecryptable(const EnvelopeRun& r, const std::string& sender, Errc code, bool group) {
  ReceivedMessage m;
  m.sender = sender;
  m.conversation = sender;
  m.sender_device = r.c.device.value;
  m.server_timestamp_ms = r.c.server_timestamp_ms;
  m.failure = DecryptionFailure{std::string(errc_name(code)), to_hex(r.c.account_id), false, group};
  return m;
}

Status ClientImpl::drop_envelope(EnvelopeRun& r, const char* why, Errc code, const std::string& shown_as,
                                 bool group) {
  inbox_log(r, why, code);
  // What could not be read is shown, never dropped silently; its id is
  // recorded so a redelivery is recognised without decrypting again.
  r.shown = undecryptable(r, shown_as, code, group);
  r.outcome = {Fate::dropped, code};
  if (!received_.insert(r.c.dedup_sender, r.c.message_id)) return make_error(Errc::storage_failure, "received id");
  return ok();
}

void ClientImpl::name_unknown_sender(EnvelopeRun& r) {
  // Sessions and identities are keyed by the sender's account, so
  // decryption never needs a name; showing one does. An account the
  // directory does not know yet is named by the name its content claims, once
  // hushd maps that name to this very account. That lookup must not happen
  // inside the store transaction (it would hold the home against other hush
  // processes), so a trial decryption, always rolled back, reads the claim.
  std::string claim;
  (void)store_->transaction([&]() -> Status {
    signal::SessionCipher cipher(protocol_.stores(), {r.c.address, r.c.device}, r.local);
    auto plain = cipher.decrypt(r.c.type, r.c.body, rng_);
    if (!plain) {
      r.trial_error = plain.code();
    } else if (auto received = content::decode(plain->expose())) {
      claim = normalize_username(received->sender_username);
      if (claim.empty()) r.trial_error = Errc::invalid_message;
    } else {
      r.trial_error = received.code();
    }
    return make_error(Errc::conflict, "trial decryption: rolled back");
  });
  if (!claim.empty()) r.claim_lookup.emplace(claim, account_of(claim, true));
}

Status ClientImpl::open_group_envelope(EnvelopeRun& r) {
  // Only from an account we know, since its key came over a pairwise session
  // with it. One that cannot be read is shown, as a 1:1 failure is (no
  // resend is asked: the Sender Key layer has none).
  HUSH_TRY_ASSIGN(auto sender, directory_.username_of(r.c.account_id));
  if (!sender) return drop_envelope(r, "group_sender_unknown", Errc::no_session, "", true);
  auto got = receive_group_message(*sender, r.c.address, r.c.device, r.c.body, r.c.server_timestamp_ms);
  if (!got) {
    if (sdk::permanently_undecryptable(got.code()) || got.code() == Errc::forbidden) {
      return drop_envelope(r, "group_decrypt_failed", got.code(), *sender, true);
    }
    inbox_log(r, "group_decrypt_deferred", got.code());
    return got.error();
  }
  if (held_) {  // pushed again once the change it waits for is here
    r.outcome = {Fate::held, Errc::ok};
    return ok();
  }
  if (*got) r.shown = std::move(**got);
  HUSH_TRY(received_.insert(r.c.dedup_sender, r.c.message_id));
  r.outcome = {Fate::accepted, Errc::ok};
  return ok();
}

Status ClientImpl::open_pairwise_envelope(EnvelopeRun& r) {
  HUSH_TRY_ASSIGN(auto known, directory_.username_of(r.c.account_id));
  if (!known) {
    // name_unknown_sender could not name it: nothing is stored for this
    // account (no session, no identity) until a name checks out.
    if (!r.claim_lookup) {
      if (sdk::permanently_undecryptable(r.trial_error)) return drop_envelope(r, "sender_unnamed", r.trial_error, "");
      inbox_log(r, "decrypt_deferred", r.trial_error);
      return make_error(r.trial_error, "unknown sender: kept on the server");
    }
    const auto& claimed_account = r.claim_lookup->second;
    if (!claimed_account) {
      if (claimed_account.code() == Errc::not_found) return drop_envelope(r, "sender_claim_unknown", Errc::not_found, "");
      return claimed_account.error();  // network: try again later
    }
    // A lookup that named this account put it in the directory: a false claim is all that is left.
    return drop_envelope(r, "sender_claim_false", Errc::forbidden, "");
  }
  const std::string name = *known;

  // decrypt
  signal::SessionCipher cipher(protocol_.stores(), {r.c.address, r.c.device}, r.local);
  Result<SecretBuffer> plain = cipher.decrypt(r.c.type, r.c.body, rng_);
  if (!plain && plain.code() == Errc::untrusted_identity && r.c.type == signal::MessageType::pre_key) {
    if (auto m = signal::PreKeySignalMessage::deserialize(r.c.body)) r.untrusted.emplace(r.c.address, m->identity_key());
  }
  if (!plain) {
    if (sdk::permanently_undecryptable(plain.code())) {
      // Told to the user and to the sending device, which resends it
      // (docs/protocol.md §7.6) after the ack.
      Bytes ratchet;
      if (r.c.type == signal::MessageType::whisper) {
        if (auto m = signal::SignalMessage::deserialize(r.c.body)) ratchet = m->ratchet_key().serialize();
      } else if (auto m = signal::PreKeySignalMessage::deserialize(r.c.body)) {
        ratchet = m->message().ratchet_key().serialize();
      }
      r.to_report = FailedEnvelope{0, name, to_bytes(r.c.account_id), r.c.device, to_bytes(r.c.message_id),
                                   std::move(ratchet), r.c.server_timestamp_ms};
      return drop_envelope(r, "decrypt_failed", plain.code(), name);
    }
    inbox_log(r, "decrypt_deferred", plain.code());
    return plain.error();  // rolled back; kept on the server
  }
  auto received = content::decode(plain->expose());
  if (!received) return drop_envelope(r, "content_invalid", received.code(), name);

  // authenticate: the directory names the sender, whatever the content claims;
  // a sent copy (sent_to) counts only from our own account.
  if (normalize_username(received->sender_username) != name) inbox_log(r, "sender_claim_mismatch");
  HUSH_TRY_ASSIGN(const store::Account* me, account());
  const bool from_me = to_hex(r.c.account_id) == me->account_id;
  ReceivedMessage msg;
  msg.sender = name;
  msg.sender_device = r.c.device.value;
  msg.id = received->id;
  msg.timestamp_ms = received->timestamp_ms;
  msg.server_timestamp_ms = r.c.server_timestamp_ms;
  msg.sent_by_me = from_me && !received->sent_to.empty();
  msg.conversation = msg.sent_by_me ? normalize_username(received->sent_to) : name;

  // apply
  auto& body = received->body;
  if (std::holds_alternative<content::GroupChange>(body) ||
      std::holds_alternative<content::SenderKeyDistribution>(body) ||
      std::holds_alternative<content::GroupStateNotice>(body)) {
    HUSH_TRY(receive_group_control(name, r.c.address, r.c.device, *received));
  }
  if (const auto* de = std::get_if<content::DecryptionError>(&body)) {
    HUSH_TRY(receive_decryption_error(r.c.account_id, r.c.device, *de));
  }
  auto* text = received->group_id ? nullptr : std::get_if<content::TextBody>(&body);
  if (text != nullptr) {
    // The history is keyed by address: a sent copy names its recipient by
    // username, which our directory maps (or, unknown yet, the row keeps the
    // name and is moved once a lookup tells the account: unresolved_peers).
    std::string peer = r.c.address;
    if (msg.sent_by_me) {
      HUSH_TRY_ASSIGN(auto to, directory_.account_of(msg.conversation));
      peer = to ? store::account_address(*to) : msg.conversation;
    }
    store::HistoryEntry entry{msg.id,
                              msg.sent_by_me ? store::MessageDirection::outgoing : store::MessageDirection::incoming,
                              peer, std::nullopt, msg.timestamp_ms, text->text.clone()};
    auto inserted = history_.insert(entry);
    if (inserted) {
      msg.text = std::move(text->text);
      r.shown = std::move(msg);
    } else if (inserted.code() != Errc::conflict) {  // conflict: the same message under another envelope
      return inserted.error();
    }
  }  // receipts: nothing to show yet

  // record
  HUSH_TRY(received_.insert(r.c.dedup_sender, r.c.message_id));
  r.outcome = {Fate::accepted, Errc::ok};
  return ok();
}

Result<sdk::InboxOutcome> ClientImpl::process_envelope(const pb::Envelope& e, std::vector<ReceivedMessage>& out) {
  HUSH_TRY_ASSIGN(auto local, local_address());
  EnvelopeRun r{e, sdk::classify(e), std::move(local), {}, Errc::no_session, {}, {}, {}, {}};

  // classify
  if (r.c.kind == Kind::malformed) {
    inbox_log(r, "envelope_malformed");
    out.push_back(undecryptable(r, "", Errc::invalid_message, false));
    return sdk::InboxOutcome{Fate::dropped, Errc::invalid_message};  // nothing in it can be used, now or later
  }
  // name (outside any transaction: it may ask hushd)
  if (r.c.kind == Kind::pairwise) {
    HUSH_TRY_ASSIGN(auto known_now, directory_.username_of(r.c.account_id));
    if (!known_now) name_unknown_sender(r);
  }

  held_ = false;  // groups (§8.7): set when a group message must wait for a change
  group_notices_.clear();
  Status st = store_->transaction([&]() -> Status {
    r.outcome = {};
    r.shown.reset();
    r.to_report.reset();
    HUSH_TRY_ASSIGN(bool seen, received_.contains(r.c.dedup_sender, r.c.message_id));
    if (seen) {  // committed before a crash or a lost ack: acked again, nothing shown
      r.outcome = {Fate::duplicate, Errc::ok};
      return ok();
    }
    switch (r.c.kind) {
      case Kind::group: return open_group_envelope(r);
      case Kind::pairwise: return open_pairwise_envelope(r);
      case Kind::unsupported: break;
      case Kind::malformed: break;  // handled above
    }
    HUSH_TRY_ASSIGN(auto known, directory_.username_of(r.c.account_id));
    return drop_envelope(r, "envelope_type_unsupported", Errc::unsupported_version, known ? *known : "");
  });
  if (r.untrusted) {  // outside the rolled-back transaction: the user sees which key is pending
    HUSH_TRY(protocol_.identities.record_untrusted(r.untrusted->first, r.untrusted->second));
  }
  if (!st) {
    group_notices_.clear();  // rolled back: nothing of it happened
    if (st.code() == Errc::untrusted_identity || sdk::permanently_undecryptable(st.code())) {
      return sdk::InboxOutcome{Fate::deferred, st.code()};
    }
    return st.error();  // a local or network failure: the receive stops here, the envelope stays
  }
  for (auto& n : group_notices_) out.push_back(std::move(n));  // group warnings (§8.7)
  group_notices_.clear();
  if (r.shown) {
    if (options_.after_commit && !r.shown->failure) options_.after_commit(*r.shown);
    if (r.to_report) {
      r.to_report->shown_index = out.size();
      failed_.push_back(std::move(*r.to_report));
    }
    out.push_back(std::move(*r.shown));
  }
  return r.outcome;
}

}  // namespace hush::client
