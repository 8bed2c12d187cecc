// Service IDs as libsignal parses them (rust/core address.rs: exactly the
// 36-character hyphenated UUID, either case, optionally after "PNI:") and
// their fixed-width binary form, for the addresses field of pre-key messages.
#include <hush/signal/bound_addresses.hpp>
#include <hush/signal/distribution_id.hpp>

#include <algorithm>
#include <limits>
#include <string_view>

namespace hush::signal {

namespace {

constexpr std::string_view kPniPrefix = "PNI:";
constexpr std::uint8_t kAciKind = 0;
constexpr std::uint8_t kPniKind = 1;

// kind ‖ UUID, written at `out`; false if `name` is not a Service ID.
bool put_service_id(std::string_view name, std::uint8_t* out) {
  std::uint8_t kind = kAciKind;
  if (name.substr(0, kPniPrefix.size()) == kPniPrefix) {
    kind = kPniKind;
    name.remove_prefix(kPniPrefix.size());
  }
  // A distribution id is a UUID: its parser is exactly the hyphenated form.
  auto uuid = DistributionId::parse(name);
  if (!uuid) return false;
  out[0] = kind;
  std::copy(uuid->bytes().begin(), uuid->bytes().end(), out + 1);
  return true;
}

}  // namespace

std::optional<BoundAddresses> bound_addresses(const ProtocolAddress& sender, const ProtocolAddress& recipient) {
  constexpr std::uint32_t kMaxDevice = std::numeric_limits<std::uint8_t>::max();
  if (sender.device.value > kMaxDevice || recipient.device.value > kMaxDevice) return std::nullopt;
  BoundAddresses out{};
  if (!put_service_id(sender.name, out.data())) return std::nullopt;
  out[17] = static_cast<std::uint8_t>(sender.device.value);
  if (!put_service_id(recipient.name, out.data() + 18)) return std::nullopt;
  out[35] = static_cast<std::uint8_t>(recipient.device.value);
  return out;
}

}  // namespace hush::signal
