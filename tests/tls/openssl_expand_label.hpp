// HKDF-Expand-Label (RFC 8446 §7.1) computed with OpenSSL's HMAC alone, for
// outputs of at most one SHA-256 block: how the record tests derive their
// peer's keys without Hush code. The key-schedule tests hold it to the RFC
// vectors too.
#pragma once

#include <hush/util/bytes.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hush::server::net::testing {

inline Bytes openssl_expand(const Bytes& secret, std::string_view label, std::size_t size) {
  Bytes info{static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size),
             static_cast<std::uint8_t>(6 + label.size())};
  for (char c : std::string_view("tls13 ")) info.push_back(static_cast<std::uint8_t>(c));
  for (char c : label) info.push_back(static_cast<std::uint8_t>(c));
  info.push_back(0);  // empty context
  info.push_back(1);  // the block counter
  std::uint8_t md[EVP_MAX_MD_SIZE];
  unsigned int md_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), info.data(), info.size(), md, &md_size);
  return Bytes(md, md + size);
}

}  // namespace hush::server::net::testing
