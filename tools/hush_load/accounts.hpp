// The accounts hush-load drives: registered over HTTPS (real identity keys
// and an XEdDSA-signed pre-key, so hushd's checks run as for a phone), each
// from its own 127.x source address in groups of five to stay within the
// per-address registration limit, and saved to a file so later runs against
// the same database reuse them. The file holds credentials: mode 0600, test use only.
#pragma once

#include "ws_connection.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hush::load {

struct Account {
  std::string account_id;  ///< 16 raw bytes
  std::uint32_t device_id = 0;
  std::string credential;  ///< 32 raw bytes
  std::uint32_t registration_id = 0;

  /// `Basic base64(account_hex.device:base64(credential))`, as hushd expects.
  [[nodiscard]] std::string authorization() const;
};

/// Reads a saved set; an empty vector when the file is missing, nullopt when malformed.
std::optional<std::vector<Account>> load_accounts(const std::string& path);
/// Writes `accounts` (mode 0600). False on failure.
bool save_accounts(const std::string& path, const std::vector<Account>& accounts);

/// Registers `count` new accounts with `concurrency` requests in flight;
/// returns those that succeeded (errors are printed, one line per kind).
std::vector<Account> register_accounts(const ConnectTarget& target, asio::ssl::context& tls, std::size_t count,
                                       std::size_t concurrency);

}  // namespace hush::load
