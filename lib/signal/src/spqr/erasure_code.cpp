// The erasure code's arithmetic: Lagrange interpolation over GF(2^16). The
// basis polynomials L_j(x) depend only on the evaluation points, which all 16
// polynomials share, so they are computed once per chunk (through the
// logarithm tables, gf16.hpp) and reused for the 16 values.
#include "erasure_code.hpp"

#include "gf16.hpp"

#include <hush/util/check.hpp>

#include <algorithm>
#include <bit>

namespace hush::signal::spqr::detail {
namespace {

// The Lagrange basis L_j(x) = Π_{k≠j} (x − x_k) / (x_j − x_k) over distinct
// points xs (in characteristic 2, subtraction is XOR), kept as logarithms:
// the products become sums of table entries, reduced modulo the group order.
// The denominators depend on the points only, so a decoder computes them
// once for all the values it rebuilds.
class LagrangeBasis {
 public:
  /// The points xs (at most kMaxChunks), copied.
  explicit LagrangeBasis(std::span<const std::uint16_t> xs) : t_(gf16_logs()), n_(xs.size()) {
    HUSH_CHECK(n_ <= kMaxChunks);
    std::copy(xs.begin(), xs.end(), xs_.begin());
    for (std::size_t j = 0; j < n_; ++j) {
      std::uint32_t sum = 0;  // at most 36 logarithms below 2^16: no overflow
      for (std::size_t k = 0; k < n_; ++k) {
        if (k != j) sum += t_.log[xs_[j] ^ xs_[k]];
      }
      den_[j] = sum % Gf16Logs::kOrder;
    }
  }

  [[nodiscard]] std::size_t size() const noexcept { return n_; }

  // log L_j(x) for every j < size(); x must not be one of the points.
  [[nodiscard]] std::array<std::uint32_t, kMaxChunks> logs_at(std::uint16_t x) const {
    std::uint32_t all = 0;
    for (std::size_t k = 0; k < n_; ++k) all += t_.log[x ^ xs_[k]];
    std::array<std::uint32_t, kMaxChunks> out;  // the first size() are set
    for (std::size_t j = 0; j < n_; ++j) {
      const std::uint32_t num = (all - t_.log[x ^ xs_[j]]) % Gf16Logs::kOrder;
      out[j] = (num + Gf16Logs::kOrder - den_[j]) % Gf16Logs::kOrder;
    }
    return out;
  }

 private:
  const Gf16Logs& t_;
  std::size_t n_;
  std::array<std::uint16_t, kMaxChunks> xs_;
  std::array<std::uint32_t, kMaxChunks> den_;
};

std::uint16_t load16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

void store16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

// c · v for one c and many v: a table per nibble of v (c times each 4-bit
// polynomial at that position), 128 bytes in all, so the 16 products of a
// chunk cost lookups in L1 rather than in the 384 KiB logarithm tables.
class ConstantProduct {
 public:
  explicit ConstantProduct(std::uint16_t c) noexcept {
    std::uint16_t p = c;  // c · x^i for i = 4k … 4k + 3
    for (auto& table : t_) {
      std::array<std::uint16_t, 4> bit{};
      for (auto& b : bit) {
        b = p;
        p = static_cast<std::uint16_t>((p << 1) ^ ((p & 0x8000U) ? (kGf16Poly & 0xFFFFU) : 0U));
      }
      table[0] = 0;
      for (unsigned nib = 1; nib < 16; ++nib) {
        // The table entry without nib's lowest bit, plus that bit's product.
        table[nib] = static_cast<std::uint16_t>(table[nib & (nib - 1)] ^ bit[std::countr_zero(nib)]);
      }
    }
  }
  [[nodiscard]] std::uint16_t operator()(std::uint16_t v) const noexcept {
    return static_cast<std::uint16_t>(t_[0][v & 15U] ^ t_[1][(v >> 4) & 15U] ^ t_[2][(v >> 8) & 15U] ^ t_[3][v >> 12]);
  }

 private:
  std::array<std::array<std::uint16_t, 16>, 4> t_;
};

// The 16 values at x of the polynomials through the basis' points (one
// chunk's data per point, in the same order); x is not one of the points.
std::array<std::uint8_t, kChunkSize> evaluate(const LagrangeBasis& basis, const std::uint8_t* const* ys,
                                              std::uint16_t x) {
  const Gf16Logs& t = gf16_logs();
  const auto logs = basis.logs_at(x);
  std::array<std::uint16_t, kChunkSize / 2> y{};
  for (std::size_t j = 0; j < basis.size(); ++j) {
    const ConstantProduct times_l(t.exp[logs[j]]);  // L_j(x)
    for (std::size_t poly = 0; poly < y.size(); ++poly) y[poly] ^= times_l(load16(ys[j] + 2 * poly));
  }
  std::array<std::uint8_t, kChunkSize> out{};
  for (std::size_t poly = 0; poly < y.size(); ++poly) store16(out.data() + 2 * poly, y[poly]);
  return out;
}

}  // namespace

ChunkEncoder::ChunkEncoder(FrozenBytes message, std::uint32_t next_index)
    : message_(std::move(message)), next_index_(next_index) {
  HUSH_CHECK(message_ && message_.size() % kChunkSize == 0 && message_.size() <= kMaxChunks * kChunkSize);
}

Chunk ChunkEncoder::next_chunk() {
  // spqr: chunk_at(self.idx as u16), then idx.wrapping_add(1).
  Chunk c = chunk_at(static_cast<std::uint16_t>(next_index_));
  ++next_index_;
  return c;
}

Chunk ChunkEncoder::chunk_at(std::uint16_t index) const {
  const ByteView message = message_.view();
  const std::size_t n = message.size() / kChunkSize;
  Chunk c;
  c.index = index;
  if (static_cast<std::size_t>(index) < n) {
    std::copy_n(message.data() + kChunkSize * index, kChunkSize, c.data.data());
    return c;
  }
  std::array<std::uint16_t, kMaxChunks> xs;
  std::array<const std::uint8_t*, kMaxChunks> ys;
  for (std::size_t j = 0; j < n; ++j) {
    xs[j] = static_cast<std::uint16_t>(j);
    ys[j] = message.data() + kChunkSize * j;
  }
  c.data = evaluate(LagrangeBasis(std::span(xs).first(n)), ys.data(), index);
  return c;
}

ChunkDecoder::ChunkDecoder(std::size_t length) : length_(length) {
  HUSH_CHECK(length_ != 0 && length_ % kChunkSize == 0 && length_ <= kMaxChunks * kChunkSize);
}

Result<ChunkDecoder> ChunkDecoder::restore(std::size_t length, std::span<const Chunk> chunks) {
  if (length == 0 || length % kChunkSize != 0 || length > kMaxChunks * kChunkSize) {
    return make_error(Errc::decode_error, "spqr decoder length");
  }
  ChunkDecoder d(length);
  for (const auto& c : chunks) {
    if (!d.keep(c)) return make_error(Errc::decode_error, "spqr decoder chunks");
  }
  return d;
}

bool ChunkDecoder::keep(const Chunk& chunk) {
  auto at = std::lower_bound(chunks_.begin(), chunks_.end(), chunk.index,
                             [](const Chunk& c, std::uint16_t i) { return c.index < i; });
  if (at != chunks_.end() && at->index == chunk.index) return false;
  // spqr: keep a point if it is one of the message's own (x < n) or while
  // fewer than n are held.
  if (static_cast<std::size_t>(chunk.index) >= needed() && chunks_.size() >= needed()) return false;
  if (chunks_.capacity() < capacity_needed()) {
    const auto offset = at - chunks_.begin();
    chunks_.reserve(capacity_needed());
    at = chunks_.begin() + offset;
  }
  chunks_.insert(at, chunk);
  return true;
}

std::optional<Bytes> ChunkDecoder::decoded() const {
  const std::size_t n = needed();
  if (chunks_.size() < n) return std::nullopt;
  // The n lowest points define the polynomials (spqr: pts[..necessary]).
  std::array<std::uint16_t, kMaxChunks> xs;
  std::array<const std::uint8_t*, kMaxChunks> ys;
  for (std::size_t j = 0; j < n; ++j) {
    xs[j] = chunks_[j].index;
    ys[j] = chunks_[j].data.data();
  }
  const LagrangeBasis basis{std::span(xs).first(n)};
  Bytes out(length_);
  for (std::size_t x = 0; x < n; ++x) {
    auto held = std::find_if(chunks_.begin(), chunks_.end(),
                             [&](const Chunk& c) { return static_cast<std::size_t>(c.index) == x; });
    if (held != chunks_.end()) {
      std::copy_n(held->data.data(), kChunkSize, out.data() + kChunkSize * x);
    } else {
      auto data = evaluate(basis, ys.data(), static_cast<std::uint16_t>(x));  // x is not held, so not a point
      std::copy_n(data.data(), kChunkSize, out.data() + kChunkSize * x);
    }
  }
  return out;
}

}  // namespace hush::signal::spqr::detail
