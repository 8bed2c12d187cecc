// Fuzzes the stored sender key record parser (a record is untrusted input):
// it must never crash, and what it accepts must re-serialize to a record that
// parses to the very same bytes again.
#include <hush/signal/sender_key_record.hpp>
#include <hush/util/check.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto record = hush::signal::SenderKeyRecord::deserialize(hush::ByteView(data, size));
  if (record) {
    auto once = record->serialize();
    auto again = hush::signal::SenderKeyRecord::deserialize(once.expose());
    HUSH_CHECK(again.has_value());
    HUSH_CHECK(hush::ct_equal(again->serialize().expose(), once.expose()));
  }
  return 0;
}
