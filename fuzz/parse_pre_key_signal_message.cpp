// Fuzzes PreKeySignalMessage::deserialize (the outer message and the
// SignalMessage inside it; version 3, and version 4 with its Kyber pre-key id
// and ciphertext). It must never crash; whatever it accepts keeps
// the input bytes, and its inner message parses again on its own.
#include <hush/signal/messages.hpp>
#include <hush/util/check.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hush::signal::PreKeySignalMessage;
  const hush::ByteView input(data, size);
  auto message = PreKeySignalMessage::deserialize(input);
  if (!message) return 0;
  HUSH_CHECK(std::equal(input.begin(), input.end(), message->serialized().begin(), message->serialized().end()));
  HUSH_CHECK(message->version() == hush::signal::kCiphertextVersion ||
             message->version() == hush::signal::kPqxdhCiphertextVersion);
  // Version 4 exactly when there is a Kyber payload.
  HUSH_CHECK(message->kyber().has_value() == (message->version() == hush::signal::kPqxdhCiphertextVersion));
  auto inner = hush::signal::SignalMessage::deserialize(message->message().serialized());
  HUSH_CHECK(inner.has_value());
  HUSH_CHECK(inner->counter() == message->message().counter());
  auto again = PreKeySignalMessage::deserialize(message->serialized());
  HUSH_CHECK(again.has_value());
  HUSH_CHECK(again->base_key() == message->base_key() && again->identity_key() == message->identity_key());
  HUSH_CHECK(again->pre_key_id() == message->pre_key_id());
  HUSH_CHECK(again->signed_pre_key_id() == message->signed_pre_key_id());
  HUSH_CHECK(again->registration_id() == message->registration_id());
  HUSH_CHECK(again->kyber().has_value() == message->kyber().has_value());
  if (message->kyber()) {
    HUSH_CHECK(again->kyber()->id == message->kyber()->id);
    HUSH_CHECK(again->kyber()->ciphertext == message->kyber()->ciphertext);
  }
  return 0;
}
