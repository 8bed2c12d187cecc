// SampleNTT and SamplePolyCBD (sampling.hpp).
#include "sampling.hpp"

#include "hashes.hpp"

#include <hush/util/secret.hpp>

#include <cstring>
#include <vector>

namespace hush::crypto::detail::kem {
namespace {

// Three SHAKE128 blocks give 336 candidates, 273 accepted on average: enough
// for 256 about 99.3% of the time. The rest ask again for a longer prefix
// (SHAKE output is prefix-stable) and carry on where they stopped.
constexpr std::size_t kFirstSqueeze = 3 * 168;

// Consumes candidates from buf[pos..len) into out[count..); returns the new
// count. Branch-free compaction (every candidate is stored, the count moves
// only when it is accepted): the input is public, but a rejection branch
// taken about one time in five mispredicts often and costs more than the
// arithmetic. `out` has room for two candidates past kN.
std::size_t reject(std::int16_t* out, std::size_t count, const std::uint8_t* buf, std::size_t& pos,
                   std::size_t len) noexcept {
  while (count < kN && pos + 3 <= len) {
    const auto d1 = static_cast<std::uint16_t>(buf[pos] | ((buf[pos + 1] & 0x0F) << 8));
    const auto d2 = static_cast<std::uint16_t>((buf[pos + 1] >> 4) | (buf[pos + 2] << 4));
    pos += 3;
    out[count] = static_cast<std::int16_t>(d1);
    count += d1 < kQ;
    out[count] = static_cast<std::int16_t>(d2);
    count += d2 < kQ;
  }
  return count;
}

}  // namespace

void sample_ntt(Poly& p, const std::uint8_t seed34[34]) noexcept {
  std::uint8_t buf[kFirstSqueeze];
  shake128({ByteView(seed34, 34)}, buf);
  std::int16_t out[kN + 2];
  std::size_t pos = 0;
  std::size_t count = reject(out, 0, buf, pos, sizeof buf);
  std::size_t len = sizeof buf;
  while (count < kN) {
    len *= 2;
    std::vector<std::uint8_t> more(len);
    shake128({ByteView(seed34, 34)}, more);
    count = reject(out, count, more.data(), pos, len);
  }
  // A last pair may overshoot kN by one: Alg. 7 keeps the first 256.
  std::memcpy(p.c, out, sizeof p.c);
}

void sample_matrix(PolyVec* rows, const std::uint8_t rho[32], std::size_t k, bool transposed) noexcept {
  std::uint8_t seed[34];
  std::memcpy(seed, rho, 32);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      seed[32] = static_cast<std::uint8_t>(transposed ? i : j);
      seed[33] = static_cast<std::uint8_t>(transposed ? j : i);
      sample_ntt(rows[i].p[j], seed);
    }
  }
}

void sample_matrix_flat(Poly* m, const std::uint8_t rho[32], std::size_t k, bool transposed) noexcept {
  std::uint8_t seed[34];
  std::memcpy(seed, rho, 32);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      seed[32] = static_cast<std::uint8_t>(transposed ? i : j);
      seed[33] = static_cast<std::uint8_t>(transposed ? j : i);
      sample_ntt(m[i * k + j], seed);
    }
  }
}

void sample_cbd(Poly& p, const std::uint8_t sigma[32], std::uint8_t n, unsigned eta) noexcept {
  SecretBytes<3 * 64> buf;  // 64·η bytes of PRF output, wiped
  auto out = buf.expose_mut().first(64 * eta);
  shake256({ByteView(sigma, 32), ByteView(&n, 1)}, out);
  const std::uint8_t* b = out.data();
  if (eta == 2) {
    // Per byte pair of bits: x = b₀ + b₁, y = b₂ + b₃ (Alg. 8, η = 2).
    for (std::size_t i = 0; i < kN / 8; ++i) {
      const std::uint32_t t = static_cast<std::uint32_t>(b[4 * i]) | (static_cast<std::uint32_t>(b[4 * i + 1]) << 8) |
                              (static_cast<std::uint32_t>(b[4 * i + 2]) << 16) |
                              (static_cast<std::uint32_t>(b[4 * i + 3]) << 24);
      const std::uint32_t s = (t & 0x55555555u) + ((t >> 1) & 0x55555555u);
      for (std::size_t j = 0; j < 8; ++j) {
        const auto x = static_cast<std::int16_t>((s >> (4 * j)) & 3);
        const auto y = static_cast<std::int16_t>((s >> (4 * j + 2)) & 3);
        p.c[8 * i + j] = static_cast<std::int16_t>(x - y);
      }
    }
  } else {
    for (std::size_t i = 0; i < kN / 4; ++i) {
      const std::uint32_t t = static_cast<std::uint32_t>(b[3 * i]) | (static_cast<std::uint32_t>(b[3 * i + 1]) << 8) |
                              (static_cast<std::uint32_t>(b[3 * i + 2]) << 16);
      const std::uint32_t s = (t & 0x00249249u) + ((t >> 1) & 0x00249249u) + ((t >> 2) & 0x00249249u);
      for (std::size_t j = 0; j < 4; ++j) {
        const auto x = static_cast<std::int16_t>((s >> (6 * j)) & 7);
        const auto y = static_cast<std::int16_t>((s >> (6 * j + 3)) & 7);
        p.c[4 * i + j] = static_cast<std::int16_t>(x - y);
      }
    }
  }
}

}  // namespace hush::crypto::detail::kem
