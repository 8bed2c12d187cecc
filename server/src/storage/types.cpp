// AccountId parsing and printing (the only behaviour in storage/types.hpp).
#include "storage/types.hpp"

#include <algorithm>

namespace hush::server {

Result<AccountId> AccountId::from_bytes(ByteView b) {
  if (b.size() != kSize) return make_error(Errc::bad_length, "account id");
  AccountId id;
  std::copy(b.begin(), b.end(), id.bytes.begin());
  return id;
}

Result<AccountId> AccountId::from_hex(std::string_view hex) {
  if (hex.size() != 2 * kSize) return make_error(Errc::decode_error, "account id hex");
  auto bytes = hush::from_hex(hex);
  if (!bytes) return make_error(Errc::decode_error, "account id hex");
  return from_bytes(*bytes);
}

std::string AccountId::hex() const { return to_hex(bytes); }

}  // namespace hush::server
