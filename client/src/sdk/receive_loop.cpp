// The loops that feed the inbox (inbox.hpp) from hushd: receive() drains
// the mailbox (to hushd's QueueEmpty on a new connection, or a DrainRequest's
// answer on a kept one) and acks the batch in one request; listen() stays
// connected, acking as soon as nothing waits, reconnecting with backoff.
// Decryption errors, resends and queued group changes go out between
// envelopes, never inside an envelope's transaction.
#include "client_impl.hpp"
#include "inbox.hpp"

#include <algorithm>
#include <thread>

namespace hush::client {

namespace {

/// receive(): hushd ends a connection's first drain with QueueEmpty; until it
/// has come, the queue counts as drained after this long without an envelope
/// (a server without the marker, or a drain that stalls).
constexpr std::chrono::milliseconds kDrainQuiet{300};
/// listen(): how often on_tick runs.
constexpr std::chrono::milliseconds kTick{100};
/// listen(): how often a connected listener retries queued group changes
/// (each pass reads the outbox; a copy refused for good is retried no faster).
constexpr std::chrono::seconds kOutboxRetryInterval{5};

}  // namespace

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
  // Messages an earlier call committed but could not return are shown now,
  // without waiting for more.
  if (!unshown_.empty()) wait = std::chrono::milliseconds::zero();
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
    auto outcome = process_envelope(**next, out);
    if (!outcome) {
      // Not acked: hushd brings it again and the next call retries it (a
      // sender's name that could not be looked up now). What this call
      // already committed is returned and acked: returning only the error
      // would lose it, since its redelivery is a duplicate, never shown.
      if (out.empty()) {
        (void)ack_batch(to_ack);
        return outcome.error();
      }
      break;
    }
    // Acknowledged once the drain is over, in one request: exactly-once
    // rests on the received ids committed with each envelope, so an ack
    // lost to a crash or a closed connection only brings a redelivery that
    // is recognised and acked again.
    if (outcome->ack()) to_ack.push_back((*next)->seq());
    if (to_ack.size() >= sdk::kAckBatch && !ack_batch(to_ack)) {
      after_envelope(out);
      break;
    }
    after_envelope(out);  // decryption errors and resends: requests of their own
    HUSH_TRY_ASSIGN(c, connection());
  }
  (void)ack_batch(to_ack);  // a lost ack is harmless: redelivery is de-duplicated
  (void)retry_group_outbox();  // notices queued while receiving (§8.7)
  (void)maybe_housekeeping(keys_low);
  if (!unshown_.empty()) {  // older than what came now: first
    out.insert(out.begin(), std::make_move_iterator(unshown_.begin()), std::make_move_iterator(unshown_.end()));
    unshown_.clear();
  }
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
    for (const auto& m : unshown_) on_message(m);  // committed by an earlier call that failed after
    unshown_.clear();
    std::vector<std::uint64_t> to_ack;  // acked per sdk::kAckBatch, or as soon as nothing is waiting
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
        auto outcome = process_envelope(**next, out);
        if (!outcome) {
          // A connection lost on the way (a sender's name looked up) is
          // one more reconnect, not the end of listening: the envelope was
          // not acked, so it comes again.
          if (outcome.code() != Errc::network_failure && outcome.code() != Errc::timeout) return outcome.error();
          drop_connection();
          break;
        }
        if (outcome->ack()) to_ack.push_back((*next)->seq());
        if (to_ack.size() >= sdk::kAckBatch) (void)ack_batch(to_ack);
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
