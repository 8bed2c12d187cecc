// A short tour of libhush's crypto layer: two parties agree on a key with
// X25519, sign with XEdDSA, derive keys with HKDF and exchange a message
// sealed with AES-256-CBC + HMAC-SHA256 (the shape of a Signal message).
#include <hush/crypto/aes_cbc.hpp>
#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/hmac.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/crypto/xeddsa.hpp>

#include <fmt/core.h>

#include <cstdlib>

using namespace hush;
using namespace hush::crypto;

int main() {
  Rng& rng = system_rng();
  auto alice = KeyPair::generate(rng);
  auto bob = KeyPair::generate(rng);
  fmt::print("alice public key  {}\n", to_hex(alice.public_key.serialize()));
  fmt::print("bob public key    {}\n", to_hex(bob.public_key.serialize()));

  auto signature = xeddsa_sign(alice.private_key, bob.public_key.serialize(), rng);
  bool signature_ok = xeddsa_verify(alice.public_key, bob.public_key.serialize(), signature);
  fmt::print("XEdDSA signature by alice over bob's key: {}\n", signature_ok ? "verifies" : "FAILS");

  auto k_alice = x25519(alice.private_key, bob.public_key);
  auto k_bob = x25519(bob.private_key, alice.public_key);
  if (!k_alice || !k_bob) return EXIT_FAILURE;
  bool agree = ct_equal(*k_alice, *k_bob);
  fmt::print("X25519 shared secrets agree (compared in constant time): {}\n", agree ? "yes" : "NO");

  // 80 bytes: cipher key, MAC key, IV, as Signal's message keys are laid out.
  auto keys = hkdf_sha256(k_alice->expose(), {}, as_bytes("HushDemo"), 80);
  if (!keys) return EXIT_FAILURE;
  auto k = keys->expose();
  AesKeyView cipher_key(k.data(), 32);
  ByteView mac_key = k.subspan(32, 32);
  AesIvView iv(k.data() + 64, 16);

  auto ciphertext = aes256_cbc_encrypt(cipher_key, iv, as_bytes("meet me by the old oak at noon"));
  auto mac = hmac_sha256(mac_key, ciphertext);
  fmt::print("ciphertext        {}\n", to_hex(ciphertext));

  // Bob derives the same keys, checks the MAC in constant time, then decrypts.
  auto keys_b = hkdf_sha256(k_bob->expose(), {}, as_bytes("HushDemo"), 80);
  if (!keys_b) return EXIT_FAILURE;
  auto kb = keys_b->expose();
  if (!ct_equal(hmac_sha256(kb.subspan(32, 32), ciphertext), mac)) return EXIT_FAILURE;
  auto plain = aes256_cbc_decrypt(AesKeyView(kb.data(), 32), AesIvView(kb.data() + 64, 16), ciphertext);
  if (!plain) return EXIT_FAILURE;
  fmt::print("bob reads         \"{}\"\n", to_string(plain->expose()));

  Bytes tampered = ciphertext;
  tampered[0] ^= 1;
  bool refused = !ct_equal(hmac_sha256(kb.subspan(32, 32), tampered), mac);
  fmt::print("a tampered ciphertext is refused: {}\n", refused ? "yes" : "NO");
  return (signature_ok && agree && refused) ? EXIT_SUCCESS : EXIT_FAILURE;
}
