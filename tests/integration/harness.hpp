// The per-backend harness of the process-level suites: one hushd on SQLite
// or on a fresh database of the binary's own PostgreSQL, registered
// parties with real keys, and the frames the suites send. The suites are
// parameterized by backend name ("sqlite" or "postgres").
#pragma once

#include "hushd_process.hpp"
#include "test_account.hpp"
#include "test_client.hpp"

#include <hush/crypto/x25519.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hush::testing {

/// The per-backend suites; each binary instantiates them for its backend
/// (sqlite_backend.cpp, postgres_backend.cpp).
class HushdMessaging : public ::testing::TestWithParam<std::string> {};
class HushdAuthorization : public ::testing::TestWithParam<std::string> {};
class HushdDevices : public ::testing::TestWithParam<std::string> {};
class HushdProvisioning : public ::testing::TestWithParam<std::string> {};
class HushdFanOut : public ::testing::TestWithParam<std::string> {};
class HushdPipelining : public ::testing::TestWithParam<std::string> {};
class HushdKyberKeys : public ::testing::TestWithParam<std::string> {};

/// An account's identity and one registered device of it.
struct Party {
  crypto::KeyPair identity;
  TestDevice device;
};

class Harness {
 public:
  /// `config_toml` is hushd's config file (empty: none).
  explicit Harness(const std::string& backend, std::string config_toml = {});
  bool start() { return hushd_.start(); }
  HushdProcess& hushd() { return hushd_; }
  std::unique_ptr<TestClient> client();
  /// Registers `name` with `one_time` one-time pre-keys (ids 100...), from
  /// `source_address` when set (hushd lets one address register 5 at once).
  std::optional<Party> register_user(const std::string& name, std::uint64_t seed, int one_time = 5,
                                     const std::string& source_address = {});
  /// One integer from a query on hushd's database, read beside the running
  /// server (SQLite: the file opened read-only; PostgreSQL: its own
  /// connection). -1 and a test failure when the query fails.
  std::int64_t database_scalar(const std::string& sql);
  /// A connected WebSocket for `device`, or null.
  std::unique_ptr<TestClient> online(const TestDevice& device);
  std::unique_ptr<TestClient> online(const Party& p) { return online(p.device); }
  /// Links a new device to the account `owner` (connected as `owner_ws`)
  /// belongs to, bringing `identity` (the account's, unless testing a
  /// refusal). The device, or nullopt with `status` set.
  std::optional<TestDevice> link_device(TestClient& owner_ws, const crypto::KeyPair& identity, std::uint64_t seed,
                                        unsigned* status = nullptr);

 private:
  HushdProcess hushd_;
};

/// A send of `body` to device `device` of `to` (registration id as
/// registered, plus `registration_delta`).
pb::ClientFrame send_frame(const TestDevice& to, const std::string& message_id, const std::string& body,
                           std::uint32_t device = 1, std::int64_t registration_delta = 0);
/// A 16-byte message id ending in `tag`.
std::string message_id(char tag);
pb::ClientFrame ack_frame(std::uint64_t seq);
/// A send_multi of `body` (type 7) to device 1 of each of `to`, with the
/// registration ids as registered.
pb::ClientFrame send_multi_frame(const std::vector<const TestDevice*>& to, const std::string& message_id,
                                 const std::string& body);
pb::ClientFrame pre_key_count_frame();

}  // namespace hush::testing
