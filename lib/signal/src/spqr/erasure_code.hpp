// SPQR's erasure code (spqr: src/encoding/polynomial.rs): a message of 2·m
// bytes is read as m big-endian 16-bit values; value v goes to polynomial
// v mod 16 as its point at x = v div 16. Chunk x carries the 16 polynomials'
// values at x (32 bytes), so chunks 0 … n−1 are the message itself and every
// later chunk is a fresh evaluation: any n distinct chunks give it back.
// Hush encodes only messages whose length is a multiple of 32 (every SPQR
// message is), so all 16 polynomials have the same n points.
#pragma once

#include "frozen_bytes.hpp"

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace hush::signal::spqr::detail {

/// Bytes of data in one chunk (16 values of 16 bits).
inline constexpr std::size_t kChunkSize = 32;
/// The most chunks a message is cut into: the braid's largest payload is the
/// key vector t̂, 1152 bytes. The interpolation's working arrays have this
/// size, on the stack: the sender evaluates a chunk with most messages.
inline constexpr std::size_t kMaxChunks = 36;

/// One piece of an encoded message: its evaluation point and 32 bytes.
struct Chunk {
  std::uint16_t index = 0;
  std::array<std::uint8_t, kChunkSize> data{};
  friend bool operator==(const Chunk&, const Chunk&) = default;
};

/// Cuts a message into chunks, endlessly: chunk i for i < n is the message's
/// bytes 32i … 32i+31, later ones are evaluations of the interpolating
/// polynomials (spqr: PolyEncoder).
class ChunkEncoder {
 public:
  /// `message.size()` must be a positive multiple of kChunkSize, at most
  /// kMaxChunks chunks (checked).
  explicit ChunkEncoder(FrozenBytes message, std::uint32_t next_index = 0);
  /// An encoder of a copy of `message`.
  explicit ChunkEncoder(ByteView message, std::uint32_t next_index = 0)
      : ChunkEncoder(FrozenBytes::owned(message), next_index) {}

  /// The next chunk; the index wraps at 2^16 as the crate's (u32 → u16).
  Chunk next_chunk();
  /// The chunk with evaluation point `index`.
  [[nodiscard]] Chunk chunk_at(std::uint16_t index) const;

  [[nodiscard]] ByteView message() const noexcept { return message_.view(); }
  [[nodiscard]] std::uint32_t next_index() const noexcept { return next_index_; }
  friend bool operator==(const ChunkEncoder& a, const ChunkEncoder& b) {
    return std::ranges::equal(a.message(), b.message()) && a.next_index_ == b.next_index_;
  }

 private:
  /// Never changed once made: copies of an encoder share it.
  FrozenBytes message_;
  std::uint32_t next_index_ = 0;
};

/// Collects chunks until any n distinct ones rebuild the message (spqr:
/// PolyDecoder). Keeps every chunk of index < n and others while fewer than n
/// are held, so it holds at most 2n chunks.
class ChunkDecoder {
 public:
  /// `length` must be a positive multiple of kChunkSize, at most kMaxChunks
  /// chunks (checked).
  explicit ChunkDecoder(std::size_t length);
  /// A decoder with these chunks (from a record). Fails with decode_error on
  /// a bad length, a repeated index or more chunks than add() would keep.
  static Result<ChunkDecoder> restore(std::size_t length, std::span<const Chunk> chunks);

  /// Adds a chunk; a second chunk with an index already held is ignored.
  void add(const Chunk& chunk) { (void)keep(chunk); }
  /// add(), telling whether the chunk was kept: false when its index is held
  /// already or the decoder keeps no more (every chunk of a record must be kept).
  [[nodiscard]] bool keep(const Chunk& chunk);
  /// The message once enough chunks are here.
  [[nodiscard]] std::optional<Bytes> decoded() const;

  [[nodiscard]] std::size_t length() const noexcept { return length_; }
  /// Chunks held, by increasing index.
  [[nodiscard]] const std::vector<Chunk>& chunks() const noexcept { return chunks_; }
  friend bool operator==(const ChunkDecoder&, const ChunkDecoder&) = default;

 private:
  [[nodiscard]] std::size_t needed() const noexcept { return length_ / kChunkSize; }
  /// The most chunks add() keeps (see the class comment).
  [[nodiscard]] std::size_t capacity_needed() const noexcept { return 2 * needed(); }
  std::size_t length_ = 0;
  /// Room for capacity_needed() chunks is made with the first one, so adding
  /// a chunk (once per received message) never reallocates.
  std::vector<Chunk> chunks_;
};

}  // namespace hush::signal::spqr::detail
