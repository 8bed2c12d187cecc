// Fuzzes SignalMessage::deserialize (versions 3 and 4). It must never crash; whatever it accepts
// keeps exactly the input bytes, parses again to the same fields, and fails
// the MAC check under keys that did not make it.
#include <hush/signal/messages.hpp>
#include <hush/util/check.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hush::signal::SignalMessage;
  const hush::ByteView input(data, size);
  auto message = SignalMessage::deserialize(input);
  if (!message) return 0;
  HUSH_CHECK(std::equal(input.begin(), input.end(), message->serialized().begin(), message->serialized().end()));
  HUSH_CHECK(message->version() == hush::signal::kCiphertextVersion ||
             message->version() == hush::signal::kPqxdhCiphertextVersion);
  // Only version 4 carries an SPQR part.
  HUSH_CHECK(message->pq_ratchet().empty() || message->version() == hush::signal::kPqxdhCiphertextVersion);
  auto again = SignalMessage::deserialize(message->serialized());
  HUSH_CHECK(again.has_value());
  HUSH_CHECK(again->ratchet_key() == message->ratchet_key());
  HUSH_CHECK(again->counter() == message->counter() && again->previous_counter() == message->previous_counter());
  HUSH_CHECK(std::ranges::equal(again->ciphertext(), message->ciphertext()));
  HUSH_CHECK(std::ranges::equal(again->pq_ratchet(), message->pq_ratchet()));
  // Any identity works here: the MAC cannot verify under an all-zero MAC key
  // unless someone built the input with it, which a fuzzer does not do.
  const std::array<std::uint8_t, 32> mac_key{};
  const auto& key = message->ratchet_key();
  (void)message->verify_mac(key, key, mac_key);
  return 0;
}
