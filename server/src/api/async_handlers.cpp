// The mailbox writes without a blocked thread: Api::handle_frame_async
// parses a send, fan-out or ack on the caller's thread (an I/O thread),
// hands it to the service's asynchronous call and answers from the
// completion, on the Store's writer thread. A 1:1 send also turns the rows
// it created into pushed envelopes for the recipients' live sessions, so
// they need not read the mailbox back. Every other request stays on
// handle_frame (blocking, run off the I/O threads by the caller).
#include "api/handlers.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <utility>

namespace hush::server::api {
namespace {

FrameResult finish(pb::ServerFrame& out, std::string_view kind) {
  Bytes bytes(out.ByteSizeLong());
  out.SerializeWithCachedSizesToArray(bytes.data());
  return FrameResult{std::move(bytes), out.response().status(), kind, {}, false};
}

/// A response frame for request `id` filled by `fill(response)`.
template <class Fill>
FrameResult respond(std::uint64_t id, std::string_view kind, Fill&& fill) {
  pb::ServerFrame out;
  auto& response = *out.mutable_response();
  response.set_id(id);
  fill(response);
  return finish(out, kind);
}

/// The envelopes of a committed 1:1 send, one per queue row it created.
std::vector<DirectPush> pushes_of(const SendDetails& details) {
  std::vector<DirectPush> out;
  out.reserve(details.queued.size());
  const NewMessage& m = details.message;
  for (const auto& [device, seq] : details.queued) {
    auto d = std::find_if(m.deliveries.begin(), m.deliveries.end(),
                          [&device = device](const Delivery& x) { return x.recipient == device; });
    HUSH_CHECK(d != m.deliveries.end() && d->body_index < m.bodies.size());  // the Store queued what we sent
    // The sync copies (our own other devices) carry their own id, as stored.
    const MessageId& id =
        m.sync_message_id && device.account == m.sender.account ? *m.sync_message_id : m.message_id;
    out.push_back(DirectPush{peer_id(device), raw(seq),
                             envelope_frame(seq, m.sender, id, m.server_time, d->type, m.bodies[d->body_index])});
  }
  return out;
}

}  // namespace

bool Api::handle_frame_async(const DeviceAddress& caller, ByteView frame, FrameDone done) {
  pb::ClientFrame request;
  if (!request.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) return false;
  const std::uint64_t id = request.id();
  using F = pb::ClientFrame;
  switch (request.request_case()) {
    case F::kSendMessage: {
      static constexpr std::string_view kind = "send_message";
      auto send = parse_send(caller, request.send_message());
      if (!send) {
        done(respond(id, kind, [&](pb::Response& r) { set_error(r, send.code()); }), {});
        return true;
      }
      const bool multi = multi_stale_answer(request.send_message());
      const bool bundles = request.send_message().bundles_on_stale();
      s_.messages.send_async(
          *send, Announce::caller,
          [this, caller, id, multi, bundles, recipient = send->recipient, done = std::move(done)](
              Result<SendReceipt> receipt, const SendDetails& details) {
            pb::ServerFrame out;
            auto& response = *out.mutable_response();
            response.set_id(id);
            answer_send(response, receipt, details.mismatches, recipient, multi);
            if (bundles && response.status() == 410) {
              // Fetching bundles blocks (it takes one-time pre-keys): not on
              // this writer thread. The caller finishes it on its pool.
              FrameResult later;
              later.kind = kind;
              later.finish_blocking = [this, caller, out = std::move(out)]() mutable {
                HandlerContext ctx{s_, caller};
                add_stale_bundles(ctx, *out.mutable_response());
                return finish(out, kind);
              };
              return done(std::move(later), {});
            }
            done(finish(out, kind), receipt ? pushes_of(details) : std::vector<DirectPush>{});
          });
      return true;
    }
    case F::kSendMulti: {
      static constexpr std::string_view kind = "send_multi";
      auto send = parse_send_multi(caller, request.send_multi());
      if (!send) {
        done(respond(id, kind, [&](pb::Response& r) { set_error(r, send.code()); }), {});
        return true;
      }
      // Up to kMaxFanOutDevices rows: the recipients' sessions are woken
      // through the DeliveryListener and read the one body from the mailbox,
      // rather than this thread copying it into thousands of frames.
      s_.messages.send_multi_async(*send, Announce::listener,
                                   [id, done = std::move(done)](Result<SendReceipt> receipt,
                                                                const SendDetails& details) {
                                     done(respond(id, kind, [&](pb::Response& r) {
                                             answer_send_multi(r, receipt, details.mismatches);
                                           }),
                                          {});
                                   });
      return true;
    }
    case F::kAck: {
      static constexpr std::string_view kind = "ack";
      auto seqs = parse_ack(request.ack());
      if (!seqs || seqs->empty()) {
        const Errc code = seqs ? Errc::not_found : seqs.code();  // seq 0 names no row
        done(respond(id, kind, [&](pb::Response& r) { set_error(r, code); }), {});
        return true;
      }
      if (request.ack().seqs_size() == 0) {  // an older client: one envelope
        s_.messages.ack_async(caller, seqs->front(), [id, done = std::move(done)](Status acked) {
          done(respond(id, kind, [&](pb::Response& r) {
            if (acked) {
              set_ok(r);
            } else {
              set_error(r, acked.code());
            }
          }),
               {});
        });
        return true;
      }
      // A batch (issue #16): one ack per row, all in the same group commit
      // as a rule; answered once the last completes, with the first error
      // other than not_found (a row already gone is acknowledged).
      struct Batch {
        std::mutex mutex;
        std::size_t left = 0;
        Errc error = Errc::ok;
        FrameDone done;
      };
      auto batch = std::make_shared<Batch>();
      batch->left = seqs->size();
      batch->done = std::move(done);
      for (Seq seq : *seqs) {
        s_.messages.ack_async(caller, seq, [id, batch](Status acked) {
          Errc error = Errc::ok;
          {
            std::lock_guard lock(batch->mutex);
            if (!acked && acked.code() != Errc::not_found && batch->error == Errc::ok) batch->error = acked.code();
            if (--batch->left > 0) return;
            error = batch->error;
          }
          batch->done(respond(id, kind, [&](pb::Response& r) {
            if (error == Errc::ok) {
              set_ok(r);
            } else {
              set_error(r, error);
            }
          }),
                      {});
        });
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace hush::server::api
