// Constant time, checked by valgrind memcheck (the ctgrind / TIMECOP
// technique): every secret input — d, z, m, and the secret parts of a
// decapsulation key — is marked undefined, so any branch or memory index
// that depends on a secret is reported as a use of uninitialised memory.
// Values that are secret-derived but public by design (the encapsulation
// key, the ciphertext, ρ inside key generation) are marked defined again.
// Run by ctest under `valgrind --error-exitcode=1` (tests/kem/CMakeLists.txt);
// exits 1 itself if a shared secret is wrong.
#include "poly_ops.hpp"

#include <hush/crypto/ml_kem.hpp>
#include <hush/crypto/ml_kem_incremental.hpp>

#include <valgrind/memcheck.h>

#include <cstdio>
#include <cstring>

namespace {

using namespace hush::crypto;

template <class T>
void secret(const T& span) {
  (void)VALGRIND_MAKE_MEM_UNDEFINED(span.data(), span.size());
}
void public_bytes(const void* p, std::size_t n) {
  (void)VALGRIND_MAKE_MEM_DEFINED(p, n);
}

template <class K>
bool check(const char* name, std::uint8_t fill) {
  typename K::Seed d, z, m;
  std::memset(d.expose_mut().data(), fill, 32);
  std::memset(z.expose_mut().data(), fill ^ 0x5A, 32);
  std::memset(m.expose_mut().data(), fill ^ 0xA5, 32);
  secret(d.expose());
  secret(z.expose());
  secret(m.expose());

  auto pair = K::generate_from_seeds(d, z);
  public_bytes(pair.public_key.bytes().data(), K::kPublicKeySize);
  // dk = dk_PKE ‖ ek ‖ H(ek) ‖ z: ek and H(ek) are public.
  const auto dk = pair.secret_key.secret().expose();
  const std::size_t pke = K::kSecretKeySize - K::kPublicKeySize - 64;
  public_bytes(dk.data() + pke, K::kPublicKeySize + 32);
  // A stored key read back: only its secret parts undefined.
  secret(dk.first(pke));
  secret(dk.last(32));

  auto sent = K::encapsulate_from_seed(pair.public_key, m);
  public_bytes(sent.ciphertext.bytes().data(), K::kCiphertextSize);
  auto received = K::decapsulate(pair.secret_key, sent.ciphertext);

  hush::Bytes tampered(sent.ciphertext.bytes().begin(), sent.ciphertext.bytes().end());
  tampered[7] ^= 0x10;
  auto rejected = K::decapsulate(pair.secret_key, *K::Ciphertext::parse(tampered));

  // Declassify the results to compare them (the comparison is the test's, not the KEM's).
  public_bytes(received.expose().data(), 32);
  public_bytes(sent.shared_secret.expose().data(), 32);
  public_bytes(rejected.expose().data(), 32);
  const bool agree = std::memcmp(received.expose().data(), sent.shared_secret.expose().data(), 32) == 0;
  const bool differ = std::memcmp(rejected.expose().data(), sent.shared_secret.expose().data(), 32) != 0;
  if (!agree || !differ) std::fprintf(stderr, "%s: wrong shared secret\n", name);
  return agree && differ;
}

// The incremental ML-KEM-768 of SPQR: m secret, the dk's secret parts
// secret; header, vector, c1 and c2 are public (they are sent).
bool check_incremental(std::uint8_t fill) {
  using Inc = MlKem768Incremental;
  MlKem768::Seed d, z, m;
  std::memset(d.expose_mut().data(), fill ^ 0x11, 32);
  std::memset(z.expose_mut().data(), fill ^ 0x22, 32);
  std::memset(m.expose_mut().data(), fill ^ 0x33, 32);
  auto pair = MlKem768::generate_from_seeds(d, z);
  public_bytes(pair.public_key.bytes().data(), MlKem768::kPublicKeySize);
  const auto dk = pair.secret_key.secret().expose();
  const std::size_t pke = MlKem768::kSecretKeySize - MlKem768::kPublicKeySize - 64;
  public_bytes(dk.data() + pke, MlKem768::kPublicKeySize + 32);
  secret(dk.first(pke));
  secret(dk.last(32));
  secret(m.expose());

  auto header = Inc::header_of(pair.public_key);
  auto one = Inc::encapsulate1_from_seed(header, m);
  public_bytes(one.ciphertext1.bytes().data(), Inc::kCiphertext1Size);
  auto key = Inc::assemble(header, Inc::vector_of(pair.public_key));
  if (!key) return false;
  auto two = Inc::encapsulate2(one.state, *key);
  if (!two) return false;
  public_bytes(two->bytes().data(), Inc::kCiphertext2Size);
  auto received = Inc::decapsulate(pair.secret_key, one.ciphertext1, *two);
  public_bytes(received.expose().data(), 32);
  public_bytes(one.shared_secret.expose().data(), 32);
  const bool agree = std::memcmp(received.expose().data(), one.shared_secret.expose().data(), 32) == 0;
  if (!agree) std::fprintf(stderr, "ML-KEM-768 incremental: wrong shared secret\n");
  return agree;
}

bool check_all() {
  bool ok = true;
  for (std::uint8_t fill : {0x00, 0x3C}) {
    ok &= check<MlKem512>("ML-KEM-512", fill);
    ok &= check<MlKem768>("ML-KEM-768", fill);
    ok &= check<MlKem1024>("ML-KEM-1024", fill);
    ok &= check<Kyber1024>("Kyber1024", fill);
    ok &= check_incremental(fill);
  }
  return ok;
}

}  // namespace

int main() {
  bool ok = check_all();  // the best arithmetic (AVX2 where available)
  hush::crypto::detail::kem::force_portable_poly_ops(true);
  ok &= check_all();
  std::printf("%s\n", ok ? "kem constant-time check done" : "kem constant-time check: WRONG RESULTS");
  return ok ? 0 : 1;
}
