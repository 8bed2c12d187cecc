// K-PKE key generation, encryption and decryption (FIPS 203 §5, Alg. 13–15).
// Matrix and vector products run in the NTT domain; base-case products carry
// a factor R^-1 that to_mont (key generation) or the inverse NTT removes.
#include "k_pke.hpp"

#include "ct.hpp"
#include "encoding.hpp"
#include "hashes.hpp"
#include "poly_ops.hpp"
#include "sampling.hpp"

#include <cstring>

namespace hush::crypto::detail::kem {
namespace {

void add_to(Poly& r, const Poly& a) noexcept {
  for (std::size_t i = 0; i < kN; ++i) r.c[i] = static_cast<std::int16_t>(r.c[i] + a.c[i]);
}

// Multiplies by R (R² mod q = 1353, Montgomery-reduced once).
void to_mont(Poly& p) noexcept {
  constexpr std::int16_t kR2 = 1353;
  for (auto& c : p.c) c = fqmul(c, kR2);
}

void reduce(Poly& p) noexcept {
  for (auto& c : p.c) c = barrett_reduce(c);
}

}  // namespace

void k_pke_keygen(const Params& params, const std::uint8_t d[32], std::uint8_t* ek, std::uint8_t* dk,
                  Poly* at_out) noexcept {
  const PolyOps& ops = poly_ops();
  const std::size_t k = params.k;
  // (ρ, σ) = G(d ‖ k) (Alg. 13 step 1). The domain-separating byte k is new
  // in FIPS 203 final; round 3 (and the FIPS 203 draft) hash d alone.
  SecretBytes<64> rho_sigma;
  const auto k_byte = static_cast<std::uint8_t>(k);
  if (!params.keygen_hashes_k) {
    sha3_512({ByteView(d, 32)}, rho_sigma.expose_mut().data());
  } else {
    sha3_512({ByteView(d, 32), ByteView(&k_byte, 1)}, rho_sigma.expose_mut().data());
  }
  const std::uint8_t* rho = rho_sigma.expose().data();
  const std::uint8_t* sigma = rho + 32;
  declassify(rho, 32);  // ρ is published in ek

  PolyVec a[kMaxK];
  sample_matrix(a, rho, k, false);

  Wiped<PolyVec> s;
  Wiped<PolyVec> e;
  Wiped<MulCacheVec> s_cache;
  std::uint8_t n = 0;
  for (std::size_t i = 0; i < k; ++i) sample_cbd(s.p[i], sigma, n++, params.eta1);
  for (std::size_t i = 0; i < k; ++i) sample_cbd(e.p[i], sigma, n++, params.eta1);
  for (std::size_t i = 0; i < k; ++i) {
    ops.ntt(s.p[i]);
    ops.ntt(e.p[i]);
    ops.mul_cache(s_cache.m[i], s.p[i]);
  }
  // t̂ = Â ∘ ŝ + ê (step 18).
  for (std::size_t i = 0; i < k; ++i) {
    Poly t;
    ops.base_mul_acc(t, a[i].p, s.p, s_cache.m, k);
    to_mont(t);
    add_to(t, e.p[i]);
    reduce(t);
    encode12(ek + 384 * i, t);
    encode12(dk + 384 * i, s.p[i]);
  }
  std::memcpy(ek + 384 * k, rho, 32);
  // Âᵀ for the key objects' cache (public: derived from ρ).
  if (at_out != nullptr) {
    for (std::size_t i = 0; i < k; ++i) {
      for (std::size_t j = 0; j < k; ++j) at_out[i * k + j] = a[j].p[i];
    }
  }
}

void k_pke_encrypt(const Params& params, const std::uint8_t* ek, const Poly* at, const std::uint8_t m[32],
                   const std::uint8_t r[32], std::uint8_t* c) noexcept {
  const PolyOps& ops = poly_ops();
  const std::size_t k = params.k;
  PolyVec t;
  for (std::size_t i = 0; i < k; ++i) (void)byte_decode12_checked(t.p[i], ek + 384 * i);  // checked at parse
  // Âᵀ: the key's cached copy, or sampled here (SampleNTT(ρ ‖ i ‖ j), Alg. 14 steps 4–8).
  Poly sampled[kMaxK * kMaxK];
  if (at == nullptr) {
    sample_matrix_flat(sampled, ek + 384 * k, k, true);
    at = sampled;
  }

  Wiped<PolyVec> y;
  Wiped<PolyVec> e1;
  Wiped<Poly> e2;
  std::uint8_t n = 0;
  for (std::size_t i = 0; i < k; ++i) sample_cbd(y.p[i], r, n++, params.eta1);
  for (std::size_t i = 0; i < k; ++i) sample_cbd(e1.p[i], r, n++, params.eta2);
  sample_cbd(e2, r, n, params.eta2);

  Wiped<MulCacheVec> y_cache;
  for (std::size_t i = 0; i < k; ++i) {
    ops.ntt(y.p[i]);
    ops.mul_cache(y_cache.m[i], y.p[i]);
  }
  // u = NTT⁻¹(Âᵀ ∘ ŷ) + e₁ (step 19).
  for (std::size_t i = 0; i < k; ++i) {
    Wiped<Poly> u;
    ops.base_mul_acc(u, at + i * k, y.p, y_cache.m, k);
    ops.inv_ntt(u);
    add_to(u, e1.p[i]);
    compress_encode(c + 32 * params.du * i, u, params.du);
  }
  // μ = Decompress₁(ByteDecode₁(m)); v = NTT⁻¹(t̂ᵀ ∘ ŷ) + e₂ + μ (steps 20–21).
  Wiped<Poly> mu;
  decode_decompress(mu, m, 1);
  Wiped<Poly> v;
  ops.base_mul_acc(v, t.p, y.p, y_cache.m, k);
  ops.inv_ntt(v);
  add_to(v, e2);
  add_to(v, mu);
  compress_encode(c + params.u_size(), v, params.dv);
}

void k_pke_decrypt(const Params& params, const std::uint8_t* dk, const std::uint8_t* c, std::uint8_t m[32]) noexcept {
  const PolyOps& ops = poly_ops();
  const std::size_t k = params.k;
  PolyVec u;
  Wiped<PolyVec> s;
  MulCacheVec u_cache;
  for (std::size_t i = 0; i < k; ++i) {
    decode_decompress(u.p[i], c + 32 * params.du * i, params.du);
    ops.ntt(u.p[i]);
    ops.mul_cache(u_cache.m[i], u.p[i]);
    byte_decode12_reduce(s.p[i], dk + 384 * i);
  }
  Wiped<Poly> v;
  decode_decompress(v, c + params.u_size(), params.dv);
  // w = v' − NTT⁻¹(ŝᵀ ∘ NTT(u')) (step 6); m = ByteEncode₁(Compress₁(w)).
  Wiped<Poly> w;
  ops.base_mul_acc(w, s.p, u.p, u_cache.m, k);
  ops.inv_ntt(w);
  for (std::size_t i = 0; i < kN; ++i) w.c[i] = static_cast<std::int16_t>(v.c[i] - w.c[i]);
  compress_encode(m, w, 1);
}

}  // namespace hush::crypto::detail::kem
