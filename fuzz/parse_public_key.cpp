// Fuzzes the strict public-key parser: it must never crash, and whatever it
// accepts must serialize back to exactly the input.
#include <hush/crypto/x25519.hpp>
#include <hush/util/check.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto key = hush::crypto::PublicKey::deserialize(hush::ByteView(data, size));
  if (key) {
    auto again = key->serialize();
    HUSH_CHECK(again.size() == size && std::equal(again.begin(), again.end(), data));
  }
  return 0;
}
