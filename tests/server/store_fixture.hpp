// The conformance fixture: a fresh Store per test on the backend named by
// the test parameter (a SQLite file in a temporary folder, or a fresh
// database on the test binary's own PostgreSQL), the three services over it
// with a FakeClock and a seeded Rng, and helpers to build accounts, keys and
// sends. Every conformance TEST_P runs on both backends.
#pragma once

#include "service/account_service.hpp"
#include "service/key_service.hpp"
#include "service/message_service.hpp"
#include "storage/store.hpp"

#include <hush/crypto/x25519.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hush::server::testing {

enum class Backend { sqlite, postgres };

/// Records every notification, for checking "notified only after storing".
class RecordingListener final : public DeliveryListener {
 public:
  void on_new_mail(const DeviceAddress& device, Seq seq) noexcept override {
    std::lock_guard lock(mu_);
    events_.emplace_back(device, seq);
  }
  std::vector<std::pair<DeviceAddress, Seq>> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<DeviceAddress, Seq>> events_;
};

class StoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Closes the store and opens the same database again.
  void reopen();
  /// Rebuilds MessageService with another configuration.
  void configure_messages(MessageServiceConfig config);

  /// Registers `name` with device 1 (registration id 1000 + n).
  DeviceEnrollment register_user(const std::string& name);
  /// Adds a device to `owner`'s account through a link token.
  DeviceEnrollment link_device(const DeviceAddress& owner, RegistrationId registration_id);
  /// Uploads identity + signed pre-key for the device (identity per account).
  void upload_keys(const DeviceAddress& device, std::uint32_t spk_id = 1);
  crypto::KeyPair& identity_of(const AccountId& account);
  SignedPreKeyUpload signed_pre_key(const AccountId& account, std::uint32_t id);
  std::vector<OneTimePreKeyUpload> one_time_pre_keys(std::uint32_t first_id, std::size_t n);

  /// A send from `from` to every current device of `to` (fetched now).
  SendRequest make_send(const DeviceAddress& from, const AccountId& to, std::uint8_t message_number,
                        const std::string& text = "ciphertext");
  Result<SendReceipt> send(const SendRequest& request);

  std::string url_;
  std::string sqlite_dir_;
  FakeClock clock_;
  hush::testing::DeterministicRng rng_{42};
  RecordingListener listener_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<KeyService> keys_;
  std::unique_ptr<MessageService> messages_;
  MessageServiceConfig message_config_{};
  AbuseMetrics abuse_;  ///< counts of the message service's limits (the sender share)
  std::map<AccountId, crypto::KeyPair> identities_;
  std::uint32_t registrations_ = 0;

 private:
  void open();
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

}  // namespace hush::server::testing
