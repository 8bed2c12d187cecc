// What the daemon tells every client without being asked (JSON-RPC
// notifications, docs/cli.md): each received message, decryption failure and
// group warning as it arrives, and the changes it notices by comparing
// snapshots of the store: a contact's identity key changed, a group appeared
// or changed version. The SDK has no delivery or read receipts yet, so none
// are sent.
#pragma once

#include "daemon/json_rpc.hpp"

#include <hush/client/client.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hush::cli::daemon {

/// The notification line for a received message: method "message",
/// "decryptionFailure" or "groupWarning", params sdk_json's encoding.
[[nodiscard]] std::string message_notification(const client::ReceivedMessage& m);

/// Compares the contacts' and groups' state with the last look.
class StateWatcher {
 public:
  /// Takes the first snapshot (nothing to report about the state at start).
  explicit StateWatcher(client::Client& client);
  /// Notification lines for what changed since the last call: method
  /// "identityChanged" {username} for a contact whose new key now awaits
  /// trust, "groupChanged" {group info} for a new group or a new version.
  /// A store error skips this look (the next one catches up).
  [[nodiscard]] std::vector<std::string> changes();

 private:
  client::Client& client_;
  std::map<std::string, bool> identity_changed_;  ///< by username
  std::map<std::string, std::uint32_t> group_versions_;  ///< by group id
};

}  // namespace hush::cli::daemon
