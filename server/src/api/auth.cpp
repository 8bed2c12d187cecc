// Authorization header parsing (see auth.hpp) and the peer id format
// "account_hex.device_id" shared with net/ through app/.
#include "api/auth.hpp"

#include "api/api.hpp"

#include <sodium.h>

#include <charconv>

namespace hush::server::api {
namespace {

/// An honest header is about 120 characters; refusing long ones early keeps
/// decoding cheap.
constexpr std::size_t kMaxAuthorizationLength = 512;
constexpr std::string_view kBasicPrefix = "Basic ";

Result<SecretBuffer> base64_decode(std::string_view text) {
  SecretBuffer out(text.size() * 3 / 4 + 3);
  std::size_t len = 0;
  if (sodium_base642bin(out.expose_mut().data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return make_error(Errc::decode_error, "base64");
  }
  out.truncate(len);
  return out;
}

Result<DeviceId> parse_device(std::string_view text) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return make_error(Errc::decode_error, "device id");
  }
  return DeviceId{value};
}

}  // namespace

Result<BasicCredentials> parse_basic_authorization(std::string_view header) {
  if (header.size() > kMaxAuthorizationLength || !header.starts_with(kBasicPrefix)) {
    return make_error(Errc::decode_error, "authorization scheme");
  }
  HUSH_TRY_ASSIGN(auto decoded, base64_decode(header.substr(kBasicPrefix.size())));
  const std::string_view userpass(reinterpret_cast<const char*>(decoded.expose().data()), decoded.size());
  const auto colon = userpass.find(':');
  if (colon == std::string_view::npos) return make_error(Errc::decode_error, "authorization user:pass");
  HUSH_TRY_ASSIGN(auto device, parse_peer_id(userpass.substr(0, colon)));
  HUSH_TRY_ASSIGN(auto credential, base64_decode(userpass.substr(colon + 1)));
  return BasicCredentials{device, std::move(credential)};
}

std::string peer_id(const DeviceAddress& device) {
  return device.account.hex() + "." + std::to_string(raw(device.device));
}

Result<DeviceAddress> parse_peer_id(std::string_view id) {
  const auto dot = id.find('.');
  if (dot == std::string_view::npos) return make_error(Errc::decode_error, "peer id");
  HUSH_TRY_ASSIGN(auto account, AccountId::from_hex(id.substr(0, dot)));
  HUSH_TRY_ASSIGN(auto device, parse_device(id.substr(dot + 1)));
  return DeviceAddress{account, device};
}

}  // namespace hush::server::api
