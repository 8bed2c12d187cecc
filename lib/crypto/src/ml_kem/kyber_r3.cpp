// Kyber round 3 (version 3.02, the submission's crypto_kem_enc/dec), the
// variant libsignal's PQXDH pre-keys use. It shares K-PKE and the key format
// with ML-KEM; what differs is all here, each point against FIPS 203:
//   1. Key generation hashes G(d) without the byte k (k_pke.cpp).
//   2. Encapsulation first replaces the random m by H(m) (FIPS 203 uses m).
//   3. The shared secret is KDF(K̄ ‖ H(c)) = SHAKE256(K̄ ‖ H(c), 32), binding
//      the ciphertext; FIPS 203 returns K̄ (the first half of G) directly.
//   4. Implicit rejection is KDF(z ‖ H(c)); FIPS 203 uses J(z ‖ c).
#include "ct.hpp"
#include "hashes.hpp"
#include "k_pke.hpp"
#include "ml_kem_internal.hpp"

#include <cstring>

namespace hush::crypto::detail::kem {

void kyber_r3_encaps(const Params& params, const std::uint8_t* ek, const std::uint8_t h_ek[32], const Poly* at,
                     const std::uint8_t m[32], std::uint8_t* c, std::uint8_t k_out[32]) noexcept {
  // Difference 2: m := H(m) ("don't release system RNG output").
  SecretBytes<32> hashed_m;
  sha3_256({ByteView(m, 32)}, hashed_m.expose_mut().data());
  SecretBytes<64> kr;  // (K̄, r) = G(m ‖ H(ek))
  sha3_512({hashed_m.expose(), ByteView(h_ek, 32)}, kr.expose_mut().data());
  k_pke_encrypt(params, ek, at, hashed_m.expose().data(), kr.expose().data() + 32, c);
  // Difference 3: K = KDF(K̄ ‖ H(c)).
  std::uint8_t h_c[32];
  sha3_256({ByteView(c, params.ciphertext_size())}, h_c);
  shake256({kr.expose().first(32), ByteView(h_c, 32)}, MutableByteView(k_out, 32));
}

void kyber_r3_decaps(const Params& params, const std::uint8_t* dk, const Poly* at, const std::uint8_t* c,
                     std::uint8_t k_out[32]) noexcept {
  const std::size_t pke = params.pke_secret_size();
  const std::uint8_t* h = dk + pke + params.public_key_size();
  const std::uint8_t* z = h + 32;
  SecretBytes<32> m_prime;
  k_pke_decrypt(params, dk, c, m_prime.expose_mut().data());
  SecretBytes<64> kr;
  sha3_512({m_prime.expose(), ByteView(h, 32)}, kr.expose_mut().data());
  const std::uint8_t differs = reencrypt_differs(params, dk, at, c, m_prime.expose().data(), kr.expose().data() + 32);
  // Difference 4: on failure K̄ := z, and either goes through KDF(· ‖ H(c)).
  SecretBytes<32> k_bar(kr.expose().first<32>());
  ct_select(k_bar.expose_mut().data(), z, 32, differs);
  std::uint8_t h_c[32];
  sha3_256({ByteView(c, params.ciphertext_size())}, h_c);
  shake256({k_bar.expose(), ByteView(h_c, 32)}, MutableByteView(k_out, 32));
}

}  // namespace hush::crypto::detail::kem
