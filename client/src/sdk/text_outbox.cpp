// Texts queued while the server cannot be reached (issue #16): `hush chat`
// keeps a line typed while hushd is down in the store's outbox, the table
// the group changes queue in (group_outbox.cpp), under a payload format of
// its own that the group pass leaves alone. Each text gets its message id
// when queued and keeps it through every retry, so a send whose answer was
// lost is de-duplicated by hushd and by the recipient: exactly once.
#include "client_impl.hpp"

#include "../store/record_codec.hpp"

#include <hush/client/content/content.hpp>

namespace hush::client {

namespace {

/// The payload format of a queued text: distinct from
/// sdk::kPendingGroupChangeFormat (1), so each pass reads only its own rows.
constexpr std::uint8_t kQueuedTextFormat = 0x54;  // 'T'
/// Rows one pass reads: the outbox is small (changes and lines typed offline).
constexpr std::size_t kMaxQueuedPass = 4096;

SecretBuffer encode_queued_text(std::uint64_t queued_ms, std::string_view text) {
  return store::RecordWriter().u8(kQueuedTextFormat).u64(queued_ms).string(text).finish();
}

/// The text in a row's payload; nullopt when the row is not a queued text
/// (a group change), decode_error when it is one but damaged.
Result<std::optional<std::pair<std::uint64_t, SecretBuffer>>> decode_queued_text(ByteView payload) {
  using Decoded = std::optional<std::pair<std::uint64_t, SecretBuffer>>;
  if (payload.empty() || payload[0] != kQueuedTextFormat) return Decoded();
  store::RecordReader r(payload);
  HUSH_TRY(r.u8());
  HUSH_TRY_ASSIGN(std::uint64_t queued_ms, r.u64());
  HUSH_TRY_ASSIGN(ByteView text, r.bytes(content::kMaxTextSize));
  SecretBuffer kept(text);
  HUSH_TRY(r.done());
  return Decoded(std::in_place, queued_ms, std::move(kept));
}

/// The server could not be reached or asked us to wait: the text stays
/// queued and the pass ends (later texts keep their order behind it).
bool waits_for_server(Errc code) {
  return code == Errc::network_failure || code == Errc::timeout || code == Errc::unavailable ||
         code == Errc::rate_limited || code == Errc::quota_exceeded || code == Errc::storage_failure;
}

}  // namespace

Result<QueuedText> ClientImpl::queue_text(std::string_view username, std::string_view text) {
  HUSH_TRY(account());
  const std::string name = normalize_username(username);
  if (name.empty()) return make_error(Errc::invalid_argument, "username");
  if (text.size() > content::kMaxTextSize) return make_error(Errc::invalid_argument, "text too long");
  QueuedText q;
  q.id = MessageId::generate(rng_);
  q.recipient = name;
  q.queued_ms = now_ms();
  q.text = SecretBuffer(as_bytes(text));
  auto payload = encode_queued_text(q.queued_ms, text);
  Status queued = store_->transaction([&]() -> Status {
    HUSH_TRY(outbox_.enqueue(name, q.id, payload.expose()));
    return ok();
  });
  HUSH_TRY(queued);
  return q;
}

Result<std::vector<QueuedText>> ClientImpl::queued_texts() {
  HUSH_TRY_ASSIGN(auto rows, outbox_.pending(kMaxQueuedPass));
  std::vector<QueuedText> out;
  for (auto& row : rows) {
    auto decoded = decode_queued_text(row.payload.expose());
    if (!decoded || !*decoded) continue;  // a group change, or a damaged row send_queued() reports
    out.push_back(QueuedText{row.id, row.recipient, (*decoded)->first, std::move((*decoded)->second)});
  }
  return out;
}

Result<std::vector<QueuedTextOutcome>> ClientImpl::send_queued() {
  HUSH_TRY_ASSIGN(auto rows, outbox_.pending(kMaxQueuedPass));
  std::vector<QueuedTextOutcome> out;
  for (auto& row : rows) {
    auto decoded = decode_queued_text(row.payload.expose());
    if (decoded && !*decoded) continue;  // not a text
    QueuedTextOutcome o;
    o.text.id = row.id;
    o.text.recipient = row.recipient;
    if (!decoded) {  // damaged: it can never be sent; said once, then gone
      o.error = decoded.code();
      HUSH_TRY(outbox_.remove(row.seq));
      out.push_back(std::move(o));
      continue;
    }
    o.text.queued_ms = (*decoded)->first;
    o.text.text = std::move((*decoded)->second);
    auto sent = send_text_as(o.text.recipient, o.text.text_view(), o.text.id, o.text.queued_ms);
    if (!sent && waits_for_server(sent.code())) {
      (void)outbox_.note_attempt(row.seq);
      if (options_.on_log) options_.on_log("event=queued_text_waits error=" + std::string(errc_name(sent.code())));
      break;
    }
    // Sent, or refused for good (untrusted identity, no such user...): it
    // leaves the queue either way and the caller shows which.
    HUSH_TRY(outbox_.remove(row.seq));
    if (sent) {
      o.sent = std::move(*sent);
    } else {
      o.error = sent.code();
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace hush::client
