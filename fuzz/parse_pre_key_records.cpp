// Fuzzes the pre-key parsers libhush has: PreKeyRecord::deserialize and
// SignedPreKeyRecord::deserialize (a PreKeyBundle has no wire form in libhush;
// applications fill it from keys parsed with PublicKey::deserialize, fuzzed by
// parse_public_key). Whatever parses serializes to bytes that parse again to
// the same record, and the same bytes once more.
#include <hush/signal/pre_key.hpp>
#include <hush/util/check.hpp>

#include <cstddef>
#include <cstdint>

namespace {
template <class Record>
void round_trip(hush::ByteView input) {
  auto record = Record::deserialize(input);
  if (!record) return;
  hush::SecretBuffer bytes = record->serialize();
  auto again = Record::deserialize(bytes.expose());
  HUSH_CHECK(again.has_value());
  HUSH_CHECK(again->id == record->id);
  HUSH_CHECK(again->key_pair.public_key == record->key_pair.public_key);
  HUSH_CHECK(hush::ct_equal(again->serialize().expose(), bytes.expose()));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const hush::ByteView input(data, size);
  round_trip<hush::signal::PreKeyRecord>(input);
  round_trip<hush::signal::SignedPreKeyRecord>(input);
  return 0;
}
