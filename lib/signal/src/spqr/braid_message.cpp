// Wire codec of SPQR messages (see braid_message.hpp for the layout).
#include "braid_message.hpp"

#include <algorithm>

namespace hush::signal::spqr::detail {
namespace {

constexpr std::size_t kMaxVarintBytes = 10;

void put_varint(std::uint64_t v, Bytes& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(0x80 | (v & 0x7F)));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

// spqr: decode_varint reads at most 10 bytes and fails if the last one read
// still has its continuation bit; bits shifted past 64 are dropped as there.
Result<std::uint64_t> get_varint(ByteView in, std::size_t& at) {
  std::uint64_t v = 0;
  const std::size_t limit = std::min(kMaxVarintBytes, in.size() - std::min(at, in.size()));
  for (std::size_t i = 0; i < limit; ++i) {
    const std::uint8_t byte = in[at + i];
    v |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      at += i + 1;
      return v;
    }
  }
  return make_error(Errc::decode_error, "spqr message varint");
}

}  // namespace

Bytes serialize_message(const BraidMessage& msg, std::uint32_t index) {
  Bytes out;
  out.reserve(48);
  out.push_back(kVersionByteV1);
  put_varint(msg.epoch, out);
  put_varint(index, out);
  out.push_back(static_cast<std::uint8_t>(msg.type));
  if (carries_chunk(msg.type)) {
    put_varint(msg.chunk.index, out);
    out.insert(out.end(), msg.chunk.data.begin(), msg.chunk.data.end());
  }
  return out;
}

Result<WireMessage> parse_message(ByteView bytes) {
  if (bytes.empty() || bytes[0] != kVersionByteV1) return make_error(Errc::decode_error, "spqr message version");
  std::size_t at = 1;
  WireMessage m;
  HUSH_TRY_ASSIGN(m.braid.epoch, get_varint(bytes, at));
  if (m.braid.epoch == 0) return make_error(Errc::decode_error, "spqr message epoch 0");
  HUSH_TRY_ASSIGN(std::uint64_t index, get_varint(bytes, at));
  if (index > 0xFFFFFFFFULL) return make_error(Errc::decode_error, "spqr message index");
  m.index = static_cast<std::uint32_t>(index);
  if (at >= bytes.size()) return make_error(Errc::decode_error, "spqr message type missing");
  const std::uint8_t type = bytes[at++];
  if (type > static_cast<std::uint8_t>(PayloadType::ct2)) return make_error(Errc::decode_error, "spqr message type");
  m.braid.type = static_cast<PayloadType>(type);
  if (carries_chunk(m.braid.type)) {
    HUSH_TRY_ASSIGN(std::uint64_t chunk_index, get_varint(bytes, at));
    if (chunk_index > 0xFFFF) return make_error(Errc::decode_error, "spqr chunk index");
    if (bytes.size() - at < kChunkSize) return make_error(Errc::decode_error, "spqr chunk truncated");
    m.braid.chunk.index = static_cast<std::uint16_t>(chunk_index);
    std::copy_n(bytes.data() + at, kChunkSize, m.braid.chunk.data.data());
    at += kChunkSize;
  }
  if (at != bytes.size()) return make_error(Errc::decode_error, "spqr message trailing bytes");
  return m;
}

}  // namespace hush::signal::spqr::detail
