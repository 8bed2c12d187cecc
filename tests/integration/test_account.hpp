// Test identities for integration tests: real X25519 identity and pre-keys
// with XEdDSA-signed signed pre-keys (from a seeded Rng), registration over
// HTTPS, and the Authorization header hushd expects.
#pragma once

#include "test_client.hpp"

#include <hush/crypto/random.hpp>
#include <hush/crypto/x25519.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace hush::testing {

/// A registered device and what it needs to authenticate.
struct TestDevice {
  std::string account_id;  ///< 16 raw bytes
  std::uint32_t device_id = 0;
  std::string credential;  ///< 32 raw bytes
  std::uint32_t registration_id = 0;

  /// `Basic base64(account_hex.device:base64(credential))`.
  [[nodiscard]] std::string authorization() const;
};

/// A RegisterRequest for `username` with a signed pre-key and `one_time`
/// one-time pre-keys, all from `rng` and signed by `identity`.
pb::RegisterRequest make_register_request(const std::string& username, const crypto::KeyPair& identity,
                                          std::uint32_t registration_id, crypto::Rng& rng, int one_time = 5);

/// Registers over HTTPS; the device on 200, else nullopt with `status` set.
std::optional<TestDevice> register_device(TestClient& client, const pb::RegisterRequest& request,
                                          unsigned* status = nullptr);

/// The `message` of an HttpError body (empty if it does not parse).
std::string http_error_message(const std::string& body);

}  // namespace hush::testing
