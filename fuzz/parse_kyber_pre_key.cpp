// Fuzzes the Kyber pre-key parsers (issue #15): KyberPreKeyRecord::deserialize
// (our storage format) and the wire forms a bundle and a version-4 pre-key
// message carry (0x08 ‖ Kyber1024 public key, 0x08 ‖ ciphertext). Whatever
// parses serializes to bytes that parse again to the same value.
#include <hush/signal/kyber_pre_key.hpp>
#include <hush/util/check.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hush::signal;
  const hush::ByteView input(data, size);
  if (auto record = KyberPreKeyRecord::deserialize(input)) {
    hush::SecretBuffer bytes = record->serialize();
    auto again = KyberPreKeyRecord::deserialize(bytes.expose());
    HUSH_CHECK(again.has_value());
    HUSH_CHECK(again->id == record->id && again->timestamp_ms == record->timestamp_ms);
    HUSH_CHECK(again->last_resort == record->last_resort && again->signature == record->signature);
    HUSH_CHECK(hush::ct_equal(again->serialize().expose(), bytes.expose()));
  }
  if (auto key = deserialize_kyber_public_key(input)) {
    const hush::Bytes bytes = serialize_kyber_public_key(*key);
    HUSH_CHECK(std::equal(input.begin(), input.end(), bytes.begin(), bytes.end()));
  }
  if (auto ciphertext = deserialize_kyber_ciphertext(input)) {
    const hush::Bytes bytes = serialize_kyber_ciphertext(*ciphertext);
    HUSH_CHECK(std::equal(input.begin(), input.end(), bytes.begin(), bytes.end()));
  }
  return 0;
}
