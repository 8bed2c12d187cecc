// SPQR's erasure code: GF(2^16) arithmetic, systematic chunks, and
// reconstruction from any n distinct chunks under random loss, duplication
// and reordering.
#include "erasure_code.hpp"
#include "gf16.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace hush::signal::spqr::detail {
namespace {

using testing::DeterministicRng;

TEST(Gf16, KnownProducts) {
  // Computed independently (Russian-peasant multiplication reducing by 0x1100b at each step).
  EXPECT_EQ(gf16_mul(0x1234, 0xabcd), 0x4792);
  EXPECT_EQ(gf16_mul(0xffff, 0xffff), 0x0733);
  EXPECT_EQ(gf16_mul(0x8000, 2), 0x100b);
  EXPECT_EQ(gf16_mul(0, 0xbeef), 0);
  EXPECT_EQ(gf16_mul(1, 0xbeef), 0xbeef);
}

TEST(Gf16, EveryNonZeroElementHasAnInverse) {
  for (std::uint32_t a = 1; a <= 0xFFFF; ++a) {
    ASSERT_EQ(gf16_mul(static_cast<std::uint16_t>(a), gf16_inv(static_cast<std::uint16_t>(a))), 1) << a;
  }
}

TEST(Gf16, MultiplicationDistributesOverAddition) {
  DeterministicRng rng(1);
  for (int i = 0; i < 2000; ++i) {
    std::uint16_t v[3];
    rng.fill(MutableByteView(reinterpret_cast<std::uint8_t*>(v), sizeof v));
    EXPECT_EQ(gf16_mul(v[0], static_cast<std::uint16_t>(v[1] ^ v[2])),
              static_cast<std::uint16_t>(gf16_mul(v[0], v[1]) ^ gf16_mul(v[0], v[2])));
  }
}

TEST(Gf16, LogTablesAgreeWithTheBitwiseProduct) {
  const Gf16Logs& t = gf16_logs();
  for (std::uint32_t a = 1; a <= 0xFFFF; ++a) {
    ASSERT_EQ(t.exp[t.log[a]], a) << a;
    ASSERT_EQ(t.exp[t.log[a] + Gf16Logs::kOrder], a) << a;
  }
  DeterministicRng rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::uint16_t v[2];
    rng.fill(MutableByteView(reinterpret_cast<std::uint8_t*>(v), sizeof v));
    if (v[0] == 0 || v[1] == 0) continue;
    ASSERT_EQ(t.mul_exp(v[0], t.log[v[1]]), gf16_mul(v[0], v[1])) << v[0] << " " << v[1];
  }
}

Bytes random_bytes(DeterministicRng& rng, std::size_t n) {
  Bytes b(n);
  rng.fill(b);
  return b;
}

TEST(ErasureCode, FirstChunksAreTheMessageItself) {
  DeterministicRng rng(2);
  const Bytes msg = random_bytes(rng, 96);
  ChunkEncoder enc(msg);
  for (std::uint16_t i = 0; i < 3; ++i) {
    Chunk c = enc.next_chunk();
    EXPECT_EQ(c.index, i);
    EXPECT_EQ(to_hex(c.data), to_hex(ByteView(msg).subspan(32 * i, 32)));
  }
  EXPECT_EQ(enc.next_index(), 3u);
}

TEST(ErasureCode, ChunkValuesAreBigEndianPerPolynomial) {
  // spqr: value v of the message is polynomial v mod 16 at x = v div 16; a
  // constant message gives constant polynomials, so every chunk is the same.
  Bytes msg(160);
  for (std::size_t i = 0; i < msg.size(); i += 2) {
    msg[i] = static_cast<std::uint8_t>(i % 32);
    msg[i + 1] = 0xA5;
  }
  ChunkEncoder enc(msg);
  for (std::uint16_t x : {std::uint16_t{5}, std::uint16_t{6}, std::uint16_t{1000}, std::uint16_t{65535}}) {
    EXPECT_EQ(to_hex(enc.chunk_at(x).data), to_hex(ByteView(msg).first(32))) << x;
  }
}

TEST(ErasureCode, AnyEnoughDistinctChunksRebuildUnderLossAndReordering) {
  DeterministicRng rng(3);
  for (std::size_t length : {std::size_t{96}, std::size_t{160}, std::size_t{960}, std::size_t{1152}}) {
    for (int round = 0; round < 8; ++round) {
      const Bytes msg = random_bytes(rng, length);
      ChunkEncoder enc(msg);
      const std::size_t n = length / kChunkSize;
      // 3n chunks sent; each lost with probability 1/2, some duplicated, all shuffled.
      std::vector<Chunk> delivered;
      for (std::size_t i = 0; i < 3 * n; ++i) {
        Chunk c = enc.next_chunk();
        if (rng.uniform(2) == 0) continue;
        delivered.push_back(c);
        if (rng.uniform(4) == 0) delivered.push_back(c);
      }
      for (std::size_t i = delivered.size(); i > 1; --i) {
        std::swap(delivered[i - 1], delivered[rng.uniform(static_cast<std::uint32_t>(i))]);
      }
      ChunkDecoder dec(length);
      std::vector<std::uint16_t> seen;
      for (const auto& c : delivered) {
        dec.add(c);
        if (std::find(seen.begin(), seen.end(), c.index) == seen.end()) seen.push_back(c.index);
        auto out = dec.decoded();
        ASSERT_EQ(out.has_value(), seen.size() >= n) << length << " after " << seen.size();
        if (out) {
          EXPECT_EQ(to_hex(*out), to_hex(msg));
          break;
        }
      }
    }
  }
}

// Chunk x of a message, interpolated the textbook way with the bitwise
// product and inverse (the code this erasure code replaced with tables).
std::array<std::uint8_t, kChunkSize> textbook_chunk(const Bytes& msg, std::uint16_t x) {
  const std::size_t n = msg.size() / kChunkSize;
  std::array<std::uint8_t, kChunkSize> out{};
  for (std::size_t poly = 0; poly < kChunkSize / 2; ++poly) {
    std::uint16_t y = 0;
    for (std::size_t j = 0; j < n; ++j) {
      std::uint16_t num = 1, den = 1;
      for (std::size_t k = 0; k < n; ++k) {
        if (k == j) continue;
        num = gf16_mul(num, static_cast<std::uint16_t>(x ^ k));
        den = gf16_mul(den, static_cast<std::uint16_t>(j ^ k));
      }
      const std::uint8_t* p = msg.data() + kChunkSize * j + 2 * poly;
      const auto v = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
      y ^= gf16_mul(v, gf16_mul(num, gf16_inv(den)));
    }
    out[2 * poly] = static_cast<std::uint8_t>(y >> 8);
    out[2 * poly + 1] = static_cast<std::uint8_t>(y);
  }
  return out;
}

TEST(ErasureCode, LateChunksAreTheTextbookInterpolation) {
  DeterministicRng rng(8);
  for (std::size_t length : {std::size_t{96}, std::size_t{160}, std::size_t{960}, std::size_t{1152}}) {
    Bytes msg = random_bytes(rng, length);
    msg[5] = 0;  // zero values too (they have no logarithm)
    msg[6] = 0;
    ChunkEncoder enc(msg);
    const auto n = static_cast<std::uint16_t>(length / kChunkSize);
    for (std::uint16_t x : {n, static_cast<std::uint16_t>(n + 1), static_cast<std::uint16_t>(n + 7),
                            std::uint16_t{1000}, std::uint16_t{0xFFFF}}) {
      EXPECT_EQ(to_hex(enc.chunk_at(x).data), to_hex(textbook_chunk(msg, x))) << length << " at " << x;
    }
  }
}

TEST(ErasureCode, OnlyLateChunksRebuildToo) {
  DeterministicRng rng(4);
  const Bytes msg = random_bytes(rng, 1152);
  ChunkEncoder enc(msg);
  ChunkDecoder dec(1152);
  for (std::uint16_t x = 40000; x < 40036; ++x) dec.add(enc.chunk_at(x));
  ASSERT_TRUE(dec.decoded().has_value());
  EXPECT_EQ(to_hex(*dec.decoded()), to_hex(msg));
}

TEST(ErasureCode, EncoderIndexWrapsLikeTheCrate) {
  DeterministicRng rng(5);
  const Bytes msg = random_bytes(rng, 96);
  ChunkEncoder enc(msg, 0xFFFF);
  EXPECT_EQ(enc.next_chunk().index, 0xFFFF);
  EXPECT_EQ(enc.next_chunk().index, 0);  // u32 0x10000 as u16
}

TEST(ErasureCode, DecoderHoldsAtMostTwiceWhatItNeeds) {
  DeterministicRng rng(6);
  const Bytes msg = random_bytes(rng, 160);
  ChunkEncoder enc(msg);
  ChunkDecoder dec(160);
  for (std::uint16_t x = 100; x < 200; ++x) dec.add(enc.chunk_at(x));
  EXPECT_EQ(dec.chunks().size(), 5u);
  for (std::uint16_t x = 0; x < 5; ++x) dec.add(enc.chunk_at(x));
  EXPECT_EQ(dec.chunks().size(), 10u);
  EXPECT_EQ(to_hex(*dec.decoded()), to_hex(msg));
}

TEST(ErasureCode, RestoreRefusesRepeatsAndBadLengths) {
  ChunkDecoder dec(96);
  Chunk c;
  c.index = 7;
  EXPECT_EQ(ChunkDecoder::restore(96, std::array{c, c}).code(), Errc::decode_error);
  EXPECT_EQ(ChunkDecoder::restore(95, {}).code(), Errc::decode_error);
  EXPECT_EQ(ChunkDecoder::restore(0, {}).code(), Errc::decode_error);
  EXPECT_TRUE(ChunkDecoder::restore(96, std::array{c}).has_value());
}

}  // namespace
}  // namespace hush::signal::spqr::detail
