// ML-KEM key generation, encapsulation and decapsulation over K-PKE
// (FIPS 203 §6.1–6.3, Alg. 16–18), on validated byte strings.
#include "ml_kem_internal.hpp"

#include "ct.hpp"
#include "hashes.hpp"
#include "k_pke.hpp"

#include <cstring>
#include <memory>

namespace hush::crypto::detail::kem {

void keygen_internal(const Params& params, const std::uint8_t d[32], const std::uint8_t z[32], std::uint8_t* ek,
                     std::uint8_t* dk, Poly* at_out) noexcept {
  const std::size_t pke = params.pke_secret_size();
  const std::size_t ek_size = params.public_key_size();
  k_pke_keygen(params, d, ek, dk, at_out);
  std::memcpy(dk + pke, ek, ek_size);
  sha3_256({ByteView(ek, ek_size)}, dk + pke + ek_size);  // H(ek)
  std::memcpy(dk + pke + ek_size + 32, z, 32);
}

void ml_kem_encaps(const Params& params, const std::uint8_t* ek, const std::uint8_t h_ek[32], const Poly* at,
                   const std::uint8_t m[32], std::uint8_t* c, std::uint8_t k_out[32]) noexcept {
  // (K, r) = G(m ‖ H(ek)) (Alg. 17 step 1); c = K-PKE.Encrypt(ek, m, r).
  SecretBytes<64> kr;
  sha3_512({ByteView(m, 32), ByteView(h_ek, 32)}, kr.expose_mut().data());
  k_pke_encrypt(params, ek, at, m, kr.expose().data() + 32, c);
  std::memcpy(k_out, kr.expose().data(), 32);
}

std::uint8_t reencrypt_differs(const Params& params, const std::uint8_t* dk, const Poly* at, const std::uint8_t* c,
                               const std::uint8_t m[32], const std::uint8_t r[32]) noexcept {
  const std::size_t ct_size = params.ciphertext_size();
  // c' is as secret as m' until compared; a heap buffer (up to 1568 bytes)
  // keeps the stack small and is wiped.
  SecretBuffer c_prime(ct_size);
  k_pke_encrypt(params, dk + params.pke_secret_size(), at, m, r, c_prime.expose_mut().data());
  return ct_differ_mask(c, c_prime.expose().data(), ct_size);
}

void ml_kem_decaps(const Params& params, const std::uint8_t* dk, const Poly* at, const std::uint8_t* c,
                   std::uint8_t k_out[32]) noexcept {
  const std::size_t pke = params.pke_secret_size();
  const std::uint8_t* h = dk + pke + params.public_key_size();
  const std::uint8_t* z = h + 32;
  // m' = K-PKE.Decrypt(dk_PKE, c); (K', r') = G(m' ‖ h); K̄ = J(z ‖ c) (steps 7–9).
  SecretBytes<32> m_prime;
  k_pke_decrypt(params, dk, c, m_prime.expose_mut().data());
  HUSH_KEM_CT_INJECTED_LEAK(m_prime.expose()[0]);
  SecretBytes<64> kr;
  sha3_512({m_prime.expose(), ByteView(h, 32)}, kr.expose_mut().data());
  SecretBytes<32> k_bar;
  shake256({ByteView(z, 32), ByteView(c, params.ciphertext_size())}, k_bar.expose_mut());
  // Steps 10–12: K' unless c' ≠ c, then K̄; selected without a branch.
  const std::uint8_t differs = reencrypt_differs(params, dk, at, c, m_prime.expose().data(), kr.expose().data() + 32);
  std::memcpy(k_out, kr.expose().data(), 32);
  ct_select(k_out, k_bar.expose().data(), 32, differs);
}

}  // namespace hush::crypto::detail::kem
