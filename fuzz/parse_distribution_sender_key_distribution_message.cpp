// Fuzzes the SenderKeyDistributionMessage parser in today's libsignal format
// (with a distribution id): it must never crash, and a message it accepts
// must be stored under (sender, its distribution id) and load back intact.
#include <hush/signal/group_session_builder.hpp>
#include <hush/signal/in_memory_stores.hpp>
#include <hush/signal/sender_key_record.hpp>
#include <hush/util/check.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hush::signal;
  auto message =
      SenderKeyDistributionMessage::deserialize(hush::ByteView(data, size), SenderKeyFormat::distribution_id);
  if (message) {
    HUSH_CHECK(message->distribution_id().has_value());
    InMemorySenderKeyStore store;
    GroupSessionBuilder builder(store);
    const ProtocolAddress sender{"sender", DeviceId{1}};
    HUSH_CHECK(builder.process(sender, *message).has_value());
    // The key_id overload refuses it: a message names its key one way only.
    HUSH_CHECK(builder.process("group", sender, *message).code() == hush::Errc::invalid_argument);
    auto loaded = store.load_sender_key(sender_key_name(*message->distribution_id(), sender));
    HUSH_CHECK(loaded.has_value() && loaded->has_value());
    const SenderKeyState* state = (*loaded)->current_state();
    HUSH_CHECK(state != nullptr && state->chain_id() == message->chain_id());
    HUSH_CHECK(state->chain_key().iteration() == message->iteration());
    HUSH_CHECK(state->signing_public() == message->signing_key());
  }
  return 0;
}
