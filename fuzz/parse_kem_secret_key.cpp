// Fuzzes the KEM decapsulation-key parser (length and §7.3 hash check):
// never a crash; an accepted key yields its embedded public key (which
// parses) and decapsulates a ciphertext to that key without failing.
#include "kem_fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hush::fuzz::with_kem_variant(data, size, []<class K>(hush::ByteView body) {
    auto key = K::SecretKey::parse(body);
    if (!key) {
      HUSH_CHECK(key.code() == hush::Errc::bad_length || key.code() == hush::Errc::bad_key);
      return;
    }
    auto pk = key->public_key();
    HUSH_CHECK(K::PublicKey::parse(pk.bytes()).has_value());
    typename K::Seed m;
    auto sent = K::encapsulate_from_seed(pk, m);
    (void)K::decapsulate(*key, sent.ciphertext);
  });
  return 0;
}
