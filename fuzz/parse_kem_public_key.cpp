// Fuzzes the KEM encapsulation-key parser (length and §7.2 modulus check):
// never a crash; what it accepts is kept byte for byte and can be
// encapsulated to.
#include "kem_fuzz_common.hpp"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hush::fuzz::with_kem_variant(data, size, []<class K>(hush::ByteView body) {
    auto key = K::PublicKey::parse(body);
    if (!key) {
      HUSH_CHECK(key.code() == hush::Errc::bad_length || key.code() == hush::Errc::bad_key);
      return;
    }
    HUSH_CHECK(std::equal(key->bytes().begin(), key->bytes().end(), body.begin(), body.end()));
    typename K::Seed m;
    auto sent = K::encapsulate_from_seed(*key, m);
    HUSH_CHECK(sent.ciphertext.bytes().size() == K::kCiphertextSize);
  });
  return 0;
}
