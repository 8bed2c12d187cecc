// The inbox (issue #16 item 3): what becomes of one envelope hushd pushed.
// Its stages, in order:
//   classify      the envelope's shape alone: malformed, pairwise, group or
//                 unsupported (pure, below);
//   name          an account the directory does not know is named by its
//                 frame's claim, checked with hushd, before any transaction
//                 (ClientImpl::name_unknown_sender);
//   decrypt       inside the envelope's one store transaction, after the
//                 de-duplication check;
//   authenticate  the frame's claims against the envelope (the directory is
//                 authoritative; a sent copy only from our own account);
//   apply         group changes and keys, decryption errors, the history;
//   record        the received id, so a redelivery is recognised.
// and the answer is an InboxOutcome the receive loops act on (ack or not).
// Code: inbox.cpp; the loops that feed it: receive_loop.cpp.
#pragma once

#include "service.pb.h"

#include <hush/signal/ids.hpp>
#include <hush/signal/messages.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/errc.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace hush::client::sdk {

/// An envelope's fields and what kind it is, from its shape alone: nothing
/// in it is trusted yet. Views point into the envelope.
struct ClassifiedEnvelope {
  enum class Kind {
    malformed,    ///< no usable sender account, device or message id: nothing in it can be used
    pairwise,     ///< a whisper or pre-key message of the Double Ratchet
    group,        ///< a Sender Key message (docs/protocol.md §8.5)
    unsupported,  ///< a type this build does not read
  };
  Kind kind = Kind::malformed;
  ByteView account_id;        ///< 16 bytes unless malformed
  signal::DeviceId device{0};
  ByteView message_id;        ///< the sender's envelope id, 1..kMaxReceivedIdSize bytes unless malformed
  ByteView body;
  signal::MessageType type = signal::MessageType::whisper;  ///< pairwise only
  std::string address;        ///< the sender account's protocol address name (empty when malformed)
  std::string dedup_sender;   ///< the received-ids key of the sending device (empty when malformed)
  std::uint64_t server_timestamp_ms = 0;
};

/// Classifies `e` (which must outlive the result).
[[nodiscard]] ClassifiedEnvelope classify(const service::v1::Envelope& e);

/// What became of one envelope.
struct InboxOutcome {
  enum class Fate {
    accepted,   ///< read and recorded (maybe nothing to show: a receipt, a control message)
    duplicate,  ///< recorded before (a redelivery): nothing shown
    dropped,    ///< can never be read: recorded, and shown as undecryptable
    deferred,   ///< may be read later (an untrusted identity key, a local error): kept on the server
    held,       ///< a group message waiting for a change (§8.7): kept on the server
  };
  Fate fate = Fate::deferred;
  Errc reason = Errc::ok;  ///< why, for dropped and deferred

  /// Whether hushd may forget the envelope: the de-duplication record makes
  /// a redelivery harmless, so only what is kept for later goes unacked.
  [[nodiscard]] bool ack() const noexcept {
    return fate == Fate::accepted || fate == Fate::duplicate || fate == Fate::dropped;
  }
};

/// Envelopes acknowledged by one AckRequest at most (hushd takes up to
/// 1,000): a drain of its first pages, or a listener under a burst, still
/// acks as it goes, so a crash redelivers at most this many (de-duplicated).
inline constexpr std::size_t kAckBatch = 100;

/// Whether a failed decryption can never succeed later for these bytes, so
/// the envelope is dropped (recorded, acknowledged, shown) rather than kept.
[[nodiscard]] bool permanently_undecryptable(Errc code) noexcept;

}  // namespace hush::client::sdk
