// The SPQR message on the wire (spqr: src/v1/chunked/states/serialize.rs,
// Message::serialize/deserialize), the bytes libsignal puts in a
// SignalMessage:
//
//   0x01 (V1) ‖ varint epoch ‖ varint key index ‖ type byte ‖ [varint chunk index ‖ 32 data bytes]
//
// Varints are protobuf-style LEB128 (7 bits a byte, low first, at most 10
// bytes). The chunk part is present for the types that carry one.
#pragma once

#include "erasure_code.hpp"

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <cstdint>

namespace hush::signal::spqr::detail {

/// The version byte of a V1 message.
inline constexpr std::uint8_t kVersionByteV1 = 1;

/// spqr: MessageType (u8 on the wire).
enum class PayloadType : std::uint8_t {
  none = 0,
  hdr = 1,         ///< a chunk of header ‖ MAC
  ek = 2,          ///< a chunk of the key vector t̂
  ek_ct1_ack = 3,  ///< a chunk of t̂, and "all of c1 received"
  ct1_ack = 4,     ///< "all of c1 received" alone
  ct1 = 5,         ///< a chunk of c1
  ct2 = 6,         ///< a chunk of c2 ‖ MAC
};

/// Whether messages of this type carry a chunk.
constexpr bool carries_chunk(PayloadType t) noexcept {
  return t == PayloadType::hdr || t == PayloadType::ek || t == PayloadType::ek_ct1_ack || t == PayloadType::ct1 ||
         t == PayloadType::ct2;
}

/// One braid message: the sender's epoch and its payload.
struct BraidMessage {
  std::uint64_t epoch = 1;
  PayloadType type = PayloadType::none;
  Chunk chunk;  ///< meaningful when carries_chunk(type)
};

/// A parsed wire message: the braid message and the chain key index.
struct WireMessage {
  BraidMessage braid;
  std::uint32_t index = 0;
};

/// The wire bytes of `msg` with the chain key index `index`.
Bytes serialize_message(const BraidMessage& msg, std::uint32_t index);

/// Parses a V1 message. Fails with decode_error on a wrong version byte,
/// epoch 0, a truncated or over-long varint, an index above 2³²−1, an
/// unknown type, a chunk index above 2¹⁶−1, missing chunk bytes, or bytes
/// after the message (the crate ignores trailing bytes; Hush refuses them).
Result<WireMessage> parse_message(ByteView bytes);

}  // namespace hush::signal::spqr::detail
