// Fuzzes KEM ciphertext parsing and decapsulation of arbitrary ciphertexts
// under a fixed key: never a crash, a typed error only for a wrong length,
// and the same secret twice (implicit rejection is deterministic).
#include "kem_fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hush::fuzz::with_kem_variant(data, size, []<class K>(hush::ByteView body) {
    auto ct = K::Ciphertext::parse(body);
    if (!ct) {
      HUSH_CHECK(ct.code() == hush::Errc::bad_length && body.size() != K::kCiphertextSize);
      return;
    }
    const auto& pair = hush::fuzz::fixed_kem_key_pair<K>();
    auto a = K::decapsulate(pair.secret_key, *ct);
    auto b = K::decapsulate(pair.secret_key, *ct);
    HUSH_CHECK(ct_equal(a, b));
  });
  return 0;
}
