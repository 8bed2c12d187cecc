// Fuzzes SessionRecord::deserialize, the parser of everything a session store
// holds. It must never crash; a record it accepts serializes to bytes that
// parse again, and serializing that copy gives the same bytes.
#include <hush/signal/session_record.hpp>
#include <hush/util/check.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hush::signal::SessionRecord;
  auto record = SessionRecord::deserialize(hush::ByteView(data, size));
  if (!record) return 0;
  hush::SecretBuffer bytes = record->serialize();
  auto again = SessionRecord::deserialize(bytes.expose());
  HUSH_CHECK(again.has_value());
  HUSH_CHECK(again->has_current_state() == record->has_current_state());
  HUSH_CHECK(again->previous_states().size() == record->previous_states().size());
  HUSH_CHECK(hush::ct_equal(again->serialize().expose(), bytes.expose()));
  // A clone serializes the same (clone() copies every secret explicitly).
  HUSH_CHECK(hush::ct_equal(record->clone().serialize().expose(), bytes.expose()));
  return 0;
}
