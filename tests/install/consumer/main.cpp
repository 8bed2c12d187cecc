// A program outside the Hush tree that uses the installed libhush: a known
// SHA-256 answer and a safety number between two fresh identities, so the
// headers, the library and its dependencies are all reached.
#include <hush/crypto/init.hpp>
#include <hush/crypto/random.hpp>
#include <hush/crypto/sha.hpp>
#include <hush/signal/fingerprint.hpp>
#include <hush/signal/identity.hpp>
#include <hush/util/bytes.hpp>

#include <cstdio>
#include <string>

int main() {
  hush::crypto::ensure_initialized();
  const std::string abc = "abc";
  const auto digest = hush::crypto::sha256(hush::ByteView(reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size()));
  if (hush::to_hex(digest) != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") return 1;
  auto alice = hush::signal::IdentityKeyPair::generate(hush::crypto::system_rng());
  auto bob = hush::signal::IdentityKeyPair::generate(hush::crypto::system_rng());
  auto fp = hush::signal::create_fingerprint("alice", alice.public_key, "bob", bob.public_key);
  if (!fp || fp->displayable.text().size() != 60) return 2;
  std::puts("libhush consumer: ok");
  return 0;
}
