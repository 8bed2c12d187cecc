// Internal to api/: parsing the WebSocket upgrade's Authorization header,
// `Basic base64(account_hex.device_id:credential_base64)`. The credential
// is a secret: it lives only in a SecretBuffer and is never logged.
#pragma once

#include "storage/types.hpp"

#include <hush/util/secret.hpp>

#include <string_view>

namespace hush::server::api {

struct BasicCredentials {
  DeviceAddress device;
  SecretBuffer credential;
};

/// Parses the header value. decode_error for anything malformed.
Result<BasicCredentials> parse_basic_authorization(std::string_view header);

}  // namespace hush::server::api
