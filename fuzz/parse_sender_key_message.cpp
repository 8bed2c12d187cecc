// Fuzzes the SenderKeyMessage parser: it must never crash; whatever it
// accepts keeps its exact bytes, and checking its signature is safe.
#include <hush/signal/sender_key_messages.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/util/check.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto message = hush::signal::SenderKeyMessage::deserialize(hush::ByteView(data, size));
  if (message) {
    const auto& s = message->serialized();
    HUSH_CHECK(s.size() == size && std::equal(s.begin(), s.end(), data));
    static hush::testing::DeterministicRng rng(1);
    static const auto key = hush::crypto::KeyPair::generate(rng).public_key;
    (void)message->verify_signature(key);
  }
  return 0;
}
