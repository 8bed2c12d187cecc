// This device's account: who we are on which server, and the credential the
// server knows us by. One row, sealed whole (table account).
#pragma once

#include <hush/client/store/local_store.hpp>
#include <hush/signal/ids.hpp>
#include <hush/util/secret.hpp>

#include <optional>
#include <string>

namespace hush::client::store {

struct Account {
  std::string username;
  std::string account_id;         ///< the server's id for the account
  signal::DeviceId device_id;
  std::string server_url;
  SecretBuffer server_credential; ///< what authenticates this device to the server

  [[nodiscard]] Account clone() const {
    return {username, account_id, device_id, server_url, server_credential.clone()};
  }
};

class AccountTable {
 public:
  explicit AccountTable(LocalStore& store) noexcept : store_(store) {}
  /// Replaces the account.
  [[nodiscard]] Status save(const Account& account);
  /// nullopt before registration. Errors: bad_mac, decode_error, storage errors.
  Result<std::optional<Account>> load();

 private:
  LocalStore& store_;
};

}  // namespace hush::client::store
