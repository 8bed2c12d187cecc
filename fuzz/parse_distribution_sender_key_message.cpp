// Fuzzes the SenderKeyMessage parser in today's libsignal format (with a
// distribution id): it must never crash; whatever it accepts keeps its exact
// bytes and a 16-byte distribution id, and checking its signature is safe.
// The same bytes go through the key_id parser too: neither may crash on the
// other's messages.
#include <hush/signal/sender_key_messages.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/util/check.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hush::signal::SenderKeyFormat;
  using hush::signal::SenderKeyMessage;
  const hush::ByteView input(data, size);
  auto message = SenderKeyMessage::deserialize(input, SenderKeyFormat::distribution_id);
  if (message) {
    const auto& s = message->serialized();
    HUSH_CHECK(s.size() == size && std::equal(s.begin(), s.end(), data));
    HUSH_CHECK(message->format() == SenderKeyFormat::distribution_id && message->distribution_id().has_value());
    static hush::testing::DeterministicRng rng(1);
    static const auto key = hush::crypto::KeyPair::generate(rng).public_key;
    (void)message->verify_signature(key);
  }
  auto legacy = SenderKeyMessage::deserialize(input, SenderKeyFormat::key_id);
  HUSH_CHECK(!legacy || !legacy->distribution_id().has_value());
  return 0;
}
