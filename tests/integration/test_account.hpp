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
/// one-time pre-keys, all from `rng` and signed by `identity`. The identity
/// is remembered (by its public key, for this test process) so that
/// register_device can sign the proof of possession when it posts.
pb::RegisterRequest make_register_request(const std::string& username, const crypto::KeyPair& identity,
                                          std::uint32_t registration_id, crypto::Rng& rng, int one_time = 5);

/// A Kyber pre-key as Hush's client uploads it (PQXDH, issue #15): a fresh
/// Kyber1024 key from `rng` in libsignal's form (0x08 ‖ 1568 bytes) and
/// `identity`'s XEdDSA signature over those 1569 bytes.
pb::KyberPreKey make_kyber_pre_key(const crypto::KeyPair& identity, std::uint32_t id, crypto::Rng& rng);

/// Adds a last-resort Kyber pre-key (id `last_resort_id`) and `one_time`
/// one-time ones (ids first_id...) to a registration.
void add_kyber_pre_keys(pb::RegisterRequest& request, const crypto::KeyPair& identity, crypto::Rng& rng,
                        int one_time, std::uint32_t first_id = 1, std::uint32_t last_resort_id = 900);

/// A fresh challenge from `POST /v1/register/challenge` (empty on failure).
std::string fetch_challenge(TestClient& client);

/// Sets `request`'s challenge and its proof: `signer`'s XEdDSA signature
/// over the proof message of the request as it stands (so set the link
/// token or username first).
void sign_registration(pb::RegisterRequest& request, const std::string& challenge, const crypto::PrivateKey& signer);

/// Registers over HTTPS; the device on 200, else nullopt with `status` set.
/// Unless the request already carries a proof, fetches a challenge and signs
/// it with the identity make_register_request remembered.
std::optional<TestDevice> register_device(TestClient& client, const pb::RegisterRequest& request,
                                          unsigned* status = nullptr);

/// The `message` of an HttpError body (empty if it does not parse).
std::string http_error_message(const std::string& body);

}  // namespace hush::testing
