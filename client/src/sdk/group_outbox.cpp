// The durable outbox of group changes (docs/protocol.md §8.3, "Delivery"). A
// change is applied here and, in the same store transaction, queued once per
// recipient account (members first, newcomers last). Queued copies are sent
// in queue order now and retried before later work until the server accepted
// each; every retry reuses the copy's server message id, so hushd's
// idempotency and the receivers' received ids keep delivery exactly-once.
#include "client_impl.hpp"
#include "legacy_frame.hpp"
#include "pairwise_plaintext.hpp"
#include "group_outbox.hpp"

#include "../store/record_codec.hpp"

#include <hush/crypto/sha.hpp>

#include <algorithm>
#include <set>

namespace hush::client {

namespace sdk {

SecretBuffer encode_pending_group_change(const PendingGroupChange& p) {
  return store::RecordWriter()
      .u8(kPendingGroupChangeFormat)
      .bytes(p.group_id)
      .u32(p.version)
      .u8(p.joining ? 1 : 0)
      .bytes(p.frame.expose())
      .finish();
}

Result<PendingGroupChange> decode_pending_group_change(ByteView payload) {
  store::RecordReader r(payload);
  HUSH_TRY_ASSIGN(auto format, r.u8());
  if (format != kPendingGroupChangeFormat) return make_error(Errc::unsupported_version, "queued group change format");
  PendingGroupChange p;
  HUSH_TRY_ASSIGN(auto group, r.bytes(content::kGroupIdSize));
  if (group.size() != content::kGroupIdSize) return make_error(Errc::decode_error, "queued group id");
  p.group_id.assign(group.begin(), group.end());
  HUSH_TRY_ASSIGN(p.version, r.u32());
  HUSH_TRY_ASSIGN(auto joining, r.u8());
  if (joining > 1) return make_error(Errc::decode_error, "queued joining flag");
  p.joining = joining == 1;
  HUSH_TRY_ASSIGN(auto frame, r.bytes(kMaxPendingFrameSize));
  p.frame = SecretBuffer(frame);
  HUSH_TRY(r.done());
  return p;
}

Bytes change_message_id(const MessageId& id, ByteView account) {
  Bytes in = to_bytes(std::string_view("hush group change"));
  in.insert(in.end(), id.bytes.begin(), id.bytes.end());
  in.insert(in.end(), account.begin(), account.end());
  auto digest = crypto::sha256(in);
  return Bytes(digest.begin(), digest.begin() + MessageId::kSize);
}

}  // namespace sdk

namespace {

/// Most queued deliveries read in one pass. A group of kMaxGroupMembers
/// accounts queues that many per change; the rest waits for the next pass.
constexpr std::size_t kMaxOutboxPass = 4096;

/// Failures after which the rest of the pass would fail alike (no server, or
/// it refuses us): the pass stops and everything stays queued.
bool ends_pass(Errc code) {
  switch (code) {
    case Errc::network_failure:
    case Errc::timeout:
    case Errc::unavailable:
    case Errc::unauthorized:
    case Errc::rate_limited:
    case Errc::storage_failure:
      return true;
    default:
      return false;
  }
}

bool contains(const std::vector<std::string>& v, std::string_view name) {
  return std::find(v.begin(), v.end(), name) != v.end();
}

}  // namespace

Status ClientImpl::enqueue_group_change(const store::Account& me, const content::GroupChange& change,
                                        const std::vector<std::string>& recipients,
                                        const std::vector<std::string>& joining) {
  const MessageId id = MessageId::generate(rng_);
  const std::uint64_t ts = now_ms();
  // Members before newcomers: a newcomer answers with its own Sender Key, which
  // the others can only accept once they have the change that adds it. The
  // queue's order is the send order, on every retry too.
  std::vector<std::string> order;
  for (const auto& r : recipients) {
    if (!contains(joining, r)) order.push_back(r);
  }
  for (const auto& r : joining) order.push_back(r);
  for (const auto& name : order) {
    content::GroupChange copy = change;
    const bool newcomer = contains(joining, name);
    if (!newcomer) copy.history.clear();
    HUSH_TRY_ASSIGN(auto padded,
                    sdk::pairwise_plaintext(me.username, "", content::Content{id, ts, std::move(copy)}));
    sdk::PendingGroupChange p{change.group_id, change.version, newcomer, std::move(padded)};
    auto payload = sdk::encode_pending_group_change(p);
    HUSH_TRY(outbox_.enqueue(name, id, payload.expose()));
  }
  return ok();
}

Status ClientImpl::deliver_group_outbox() {
  auto acc = account();
  if (!acc) return acc.code() == Errc::not_found ? ok() : acc.error();  // nothing is queued before registration
  const store::Account me = (*acc)->clone();
  auto mine = from_hex(me.account_id);
  if (!mine) return make_error(Errc::decode_error, "own account id");
  HUSH_TRY_ASSIGN(auto queue, outbox_.pending(kMaxOutboxPass));
  // A recipient whose older copy is still queued gets nothing newer in this
  // pass (its changes arrive in version order), and a change with a member
  // copy still queued is not yet sent to its newcomers.
  std::set<std::string> blocked_recipients;
  std::set<std::string> blocked_changes;
  bool synced_own = false;
  std::size_t accepted = 0;
  Status first = ok();
  for (const auto& e : queue) {
    auto decoded = sdk::decode_pending_group_change(e.payload.expose());
    if (!decoded) {  // not a group change of this build's format: left alone, blocks nothing
      if (options_.on_log) options_.on_log("event=outbox_entry_unreadable error=" + std::string(errc_name(decoded.code())));
      continue;
    }
    const sdk::PendingGroupChange& p = *decoded;
    const std::string change = to_hex(e.id.view());
    if (blocked_recipients.contains(e.recipient) || (p.joining && blocked_changes.contains(change))) {
      if (!p.joining) blocked_changes.insert(change);
      blocked_recipients.insert(e.recipient);
      continue;
    }
    Status st = [&]() -> Status {
      Bytes account;
      if (e.recipient == me.username) {
        if (!synced_own) HUSH_TRY(sync_own_devices(me));
        synced_own = true;
        account = *mine;
      } else {
        HUSH_TRY_ASSIGN(account, account_of(e.recipient));
      }
      // A change queued before content version 2 goes out in today's form.
      HUSH_TRY_ASSIGN(auto plain, sdk::current_plaintext(p.frame.expose()));
      SentMessage ignored;
      return send_to_account(me, account, e.recipient, plain.expose(), sdk::change_message_id(e.id, account), ignored);
    }();
    if (st) {
      if (options_.group_test.outbox_stop_after != 0 && ++accepted >= options_.group_test.outbox_stop_after) {
        // Test hook: the server accepted this copy, but we stop before it
        // leaves the queue, as a crash or a lost answer would.
        return make_error(Errc::network_failure, "test: stopped after an accepted delivery");
      }
      HUSH_TRY(outbox_.remove(e.seq));
      continue;
    }
    if (options_.on_log) {
      options_.on_log("event=group_change_send_failed version=" + std::to_string(p.version) +
                      " error=" + std::string(errc_name(st.code())));
    }
    (void)outbox_.note_attempt(e.seq);
    if (first) first = st;
    if (ends_pass(st.code())) return first;
    blocked_recipients.insert(e.recipient);
    if (!p.joining) blocked_changes.insert(change);
  }
  return first;
}

Status ClientImpl::retry_group_outbox() {
  last_outbox_pass_ = std::chrono::steady_clock::now();
  Status st = deliver_group_outbox();
  if (!st && options_.on_log) {
    options_.on_log("event=group_outbox_retry_failed error=" + std::string(errc_name(st.code())));
  }
  return st;
}

Status ClientImpl::add_delivery_state(GroupInfo& info, ByteView group_id) {
  HUSH_TRY_ASSIGN(auto queue, outbox_.pending(kMaxOutboxPass));
  std::set<std::uint32_t> versions;
  std::set<std::string> waiting;
  for (const auto& e : queue) {
    auto p = sdk::decode_pending_group_change(e.payload.expose());
    if (!p || !std::equal(p->group_id.begin(), p->group_id.end(), group_id.begin(), group_id.end())) continue;
    if (p->version == 0) continue;  // a notice (§8.7), not one of our changes
    versions.insert(p->version);
    waiting.insert(e.recipient);
  }
  info.pending_changes = static_cast<std::uint32_t>(versions.size());
  info.awaiting_delivery.assign(waiting.begin(), waiting.end());
  return ok();
}

}  // namespace hush::client
