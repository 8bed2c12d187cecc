// The erasure code's arithmetic: Lagrange interpolation over GF(2^16). The
// basis polynomials L_j(x) depend only on the evaluation points, which all 16
// polynomials share, so they are computed once per chunk and reused.
#include "erasure_code.hpp"

#include "gf16.hpp"

#include <hush/util/check.hpp>

#include <algorithm>

namespace hush::signal::spqr::detail {
namespace {

// L_j(x) = Π_{k≠j} (x − x_k) / (x_j − x_k) for distinct points xs (in
// characteristic 2, subtraction is XOR).
std::vector<std::uint16_t> lagrange_basis(const std::vector<std::uint16_t>& xs, std::uint16_t x) {
  std::vector<std::uint16_t> basis(xs.size());
  for (std::size_t j = 0; j < xs.size(); ++j) {
    std::uint16_t num = 1;
    std::uint16_t den = 1;
    for (std::size_t k = 0; k < xs.size(); ++k) {
      if (k == j) continue;
      num = gf16_mul(num, static_cast<std::uint16_t>(x ^ xs[k]));
      den = gf16_mul(den, static_cast<std::uint16_t>(xs[j] ^ xs[k]));
    }
    basis[j] = gf16_mul(num, gf16_inv(den));
  }
  return basis;
}

std::uint16_t load16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

void store16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

// The 16 values at x of the polynomials through `points` (one chunk's data
// per point, at the points' indices).
std::array<std::uint8_t, kChunkSize> evaluate(const std::vector<std::uint16_t>& xs,
                                              const std::vector<const std::uint8_t*>& ys, std::uint16_t x) {
  const auto basis = lagrange_basis(xs, x);
  std::array<std::uint8_t, kChunkSize> out{};
  for (std::size_t poly = 0; poly < kChunkSize / 2; ++poly) {
    std::uint16_t y = 0;
    for (std::size_t j = 0; j < xs.size(); ++j) y ^= gf16_mul(load16(ys[j] + 2 * poly), basis[j]);
    store16(out.data() + 2 * poly, y);
  }
  return out;
}

}  // namespace

ChunkEncoder::ChunkEncoder(Bytes message, std::uint32_t next_index)
    : message_(std::move(message)), next_index_(next_index) {
  HUSH_CHECK(!message_.empty() && message_.size() % kChunkSize == 0);
}

Chunk ChunkEncoder::next_chunk() {
  // spqr: chunk_at(self.idx as u16), then idx.wrapping_add(1).
  Chunk c = chunk_at(static_cast<std::uint16_t>(next_index_));
  ++next_index_;
  return c;
}

Chunk ChunkEncoder::chunk_at(std::uint16_t index) const {
  const std::size_t n = message_.size() / kChunkSize;
  Chunk c;
  c.index = index;
  if (static_cast<std::size_t>(index) < n) {
    std::copy_n(message_.data() + kChunkSize * index, kChunkSize, c.data.data());
    return c;
  }
  std::vector<std::uint16_t> xs(n);
  std::vector<const std::uint8_t*> ys(n);
  for (std::size_t j = 0; j < n; ++j) {
    xs[j] = static_cast<std::uint16_t>(j);
    ys[j] = message_.data() + kChunkSize * j;
  }
  c.data = evaluate(xs, ys, index);
  return c;
}

ChunkDecoder::ChunkDecoder(std::size_t length) : length_(length) {
  HUSH_CHECK(length_ != 0 && length_ % kChunkSize == 0);
}

Result<ChunkDecoder> ChunkDecoder::restore(std::size_t length, std::vector<Chunk> chunks) {
  if (length == 0 || length % kChunkSize != 0) return make_error(Errc::decode_error, "spqr decoder length");
  ChunkDecoder d(length);
  for (const auto& c : chunks) {
    const std::size_t before = d.chunks_.size();
    d.add(c);
    if (d.chunks_.size() != before + 1) return make_error(Errc::decode_error, "spqr decoder chunks");
  }
  return d;
}

void ChunkDecoder::add(const Chunk& chunk) {
  auto at = std::lower_bound(chunks_.begin(), chunks_.end(), chunk.index,
                             [](const Chunk& c, std::uint16_t i) { return c.index < i; });
  if (at != chunks_.end() && at->index == chunk.index) return;
  // spqr: keep a point if it is one of the message's own (x < n) or while
  // fewer than n are held.
  if (static_cast<std::size_t>(chunk.index) < needed() || chunks_.size() < needed()) chunks_.insert(at, chunk);
}

std::optional<Bytes> ChunkDecoder::decoded() const {
  const std::size_t n = needed();
  if (chunks_.size() < n) return std::nullopt;
  // The n lowest points define the polynomials (spqr: pts[..necessary]).
  std::vector<std::uint16_t> xs(n);
  std::vector<const std::uint8_t*> ys(n);
  for (std::size_t j = 0; j < n; ++j) {
    xs[j] = chunks_[j].index;
    ys[j] = chunks_[j].data.data();
  }
  Bytes out(length_);
  for (std::size_t x = 0; x < n; ++x) {
    auto held = std::find_if(chunks_.begin(), chunks_.end(),
                             [&](const Chunk& c) { return static_cast<std::size_t>(c.index) == x; });
    if (held != chunks_.end()) {
      std::copy_n(held->data.data(), kChunkSize, out.data() + kChunkSize * x);
    } else {
      auto data = evaluate(xs, ys, static_cast<std::uint16_t>(x));
      std::copy_n(data.data(), kChunkSize, out.data() + kChunkSize * x);
    }
  }
  return out;
}

}  // namespace hush::signal::spqr::detail
