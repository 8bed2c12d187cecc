// Sessions that heal (issue #13, docs/protocol.md §7.6). A device that cannot
// decrypt a 1:1 message tells the user and sends the sending device a
// decryption error naming the envelope, over a new session (the broken one
// cannot be trusted). The sender finds the frame in its sent-message store,
// archives the session that produced it if it is still current, and resends
// under a new envelope id; the receiver shows it once (the history knows the
// content id). Both directions are rate-limited per peer device, so a hostile
// or broken peer cannot make two clients loop.
#include "client_impl.hpp"
#include "legacy_frame.hpp"
#include "pairwise_plaintext.hpp"

#include <hush/crypto/sha.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/signal/session_state.hpp>

namespace hush::client {

namespace {

constexpr std::uint64_t kHourMs = 3600ULL * 1000;
/// Decryption errors we send to one peer device per hour: a fork of its
/// session fails a handful of messages; more is a broken or hostile peer.
constexpr std::uint32_t kMaxReportsPerHour = 20;
/// A new session with a peer device at most this often on our side: the
/// failures of one burst are all reported over the same new session.
constexpr std::uint64_t kRebuildWindowMs = 10ULL * 60 * 1000;
/// Resends we make for one peer device per hour (each message itself at
/// most store::kMaxResendsPerMessage times).
constexpr std::uint32_t kMaxResendsPerHour = 20;

std::string peer_key(ByteView account, signal::DeviceId device) {
  return to_hex(account) + "." + std::to_string(device.value);
}

/// The envelope id of a resend: new (the server would refuse the old one as
/// a duplicate), derived so that a retried resend keeps it.
Bytes resend_message_id(ByteView original, std::uint32_t resends) {
  Bytes in = to_bytes(std::string_view("hush resend"));
  in.insert(in.end(), original.begin(), original.end());
  in.push_back(static_cast<std::uint8_t>(resends));
  auto digest = crypto::sha256(in);
  return Bytes(digest.begin(), digest.begin() + MessageId::kSize);
}

}  // namespace

Result<bool> ClientImpl::report_decryption_failure(const FailedEnvelope& failed) {
  const std::string peer = peer_key(failed.account_id, failed.device);
  HUSH_TRY_ASSIGN(bool allowed, budget_.take(peer, "report", kMaxReportsPerHour, kHourMs));
  if (!allowed) {
    if (options_.on_log) options_.on_log("event=decryption_error_rate_limited");
    return false;
  }
  HUSH_TRY_ASSIGN(const store::Account* acc, account());
  const store::Account me = acc->clone();
  // A new session from a fresh bundle of that device (the old one is
  // archived): the error must be readable even if our state is the broken one.
  HUSH_TRY_ASSIGN(bool rebuild, budget_.take(peer, "rebuild", 1, kRebuildWindowMs));
  if (rebuild) HUSH_TRY(fetch_and_process_bundles(failed.account_id, failed.device.value, true));
  std::vector<std::pair<Bytes, Bytes>> errors{{failed.message_id, failed.ratchet_key}};
  if (options_.decryption_error_test) errors = options_.decryption_error_test(failed.message_id, failed.ratchet_key);
  for (auto& [message_id, ratchet_key] : errors) {
    content::Content c{MessageId::generate(rng_), now_ms(),
                       content::DecryptionError{std::move(message_id), std::move(ratchet_key), failed.server_timestamp_ms}};
    const MessageId id = c.id;
    HUSH_TRY_ASSIGN(auto padded, sdk::pairwise_plaintext(me.username, "", std::move(c)));
    SentMessage ignored;
    HUSH_TRY(send_to_account(me, failed.account_id, failed.name, padded.expose(), id.view(), ignored, false));
    if (options_.on_log) options_.on_log("event=decryption_error_sent sender_device=" + std::to_string(failed.device.value));
  }
  return true;
}

Status ClientImpl::receive_decryption_error(ByteView account_id, signal::DeviceId device,
                                            const content::DecryptionError& error) {
  auto log = [&](const char* what) {
    if (options_.on_log) options_.on_log(std::string("event=") + what + " sender_device=" + std::to_string(device.value));
  };
  HUSH_TRY_ASSIGN(auto kept, sent_.find(error.message_id));
  // Only the account the message went to may ask for it again (the resend
  // goes to that account in any case).
  if (!kept || kept->recipient_account != to_bytes(account_id)) {
    log("resend_unavailable");
    return ok();
  }
  // The session that produced the failed message is archived if it is still
  // current: the next send to that device starts a new one from its bundle.
  if (!error.ratchet_key.empty()) {
    const signal::ProtocolAddress address{store::account_address(account_id), device};
    HUSH_TRY_ASSIGN(auto record, protocol_.sessions.load_session(address));
    if (record && record->has_current_state() &&
        record->current_state()->sender_ratchet.public_key.serialize() == error.ratchet_key) {
      record->archive_current_state();
      HUSH_TRY(protocol_.sessions.store_session(address, *record));
      log("session_archived");
    }
  }
  HUSH_TRY_ASSIGN(bool allowed, budget_.take(peer_key(account_id, device), "resend", kMaxResendsPerHour, kHourMs));
  if (!allowed) {
    log("resend_rate_limited");
    return ok();
  }
  HUSH_TRY_ASSIGN(bool marked, sent_.request_resend(error.message_id));
  log(marked ? "resend_requested" : "resend_limit_reached");
  return ok();
}

Status ClientImpl::send_requested_resends() {
  HUSH_TRY_ASSIGN(auto pending, sent_.pending_resends());
  if (pending.empty()) return ok();
  HUSH_TRY_ASSIGN(const store::Account* acc, account());
  const store::Account me = acc->clone();
  Status first = ok();
  for (const auto& r : pending) {
    const Bytes id = resend_message_id(r.server_message_id, r.resends + 1);
    SentMessage ignored;
    // A plaintext kept before content version 2 goes out in today's form.
    auto plain = sdk::current_plaintext(r.frame.expose());
    if (!plain) {
      if (first) first = plain.error();
      continue;
    }
    Status st = send_to_account(me, r.recipient_account, r.recipient_name, plain->expose(), id, ignored);
    if (st) {
      HUSH_TRY(sent_.resent(r.server_message_id));
      if (options_.on_log) options_.on_log("event=resent");
    } else if (first) {
      first = st;  // stays requested: the next receive or listen retries it
    }
  }
  return first;
}

void ClientImpl::after_envelope(std::vector<ReceivedMessage>& out) {
  auto failed = std::move(failed_);
  failed_.clear();
  for (const auto& f : failed) {
    auto sent = report_decryption_failure(f);
    if (!sent && options_.on_log) {
      options_.on_log(std::string("event=decryption_error_failed error=") + std::string(errc_name(sent.code())));
    }
    if (f.shown_index < out.size() && out[f.shown_index].failure) {
      out[f.shown_index].failure->resend_requested = sent && *sent;
    }
  }
  (void)send_requested_resends();
}

}  // namespace hush::client
