// Tables the SDK adds beside schema version 1 (created if missing, so a store
// made before them opens unchanged): the directory of accounts we know by
// username (table directory; plaintext, like the history's peer names) and
// small sealed SDK state by name (table sdk_state: provisioning key, counters).
#pragma once

#include <hush/client/store/local_store.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/secret.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace hush::client::store {

/// Creates the SDK tables if they are missing. Errors: storage errors.
[[nodiscard]] Status ensure_sdk_tables(LocalStore& store);

/// Account id (16 bytes) <-> username, as the server told us.
class Directory {
 public:
  explicit Directory(LocalStore& store) noexcept : store_(store) {}
  /// Records (or updates) a mapping; a username moving to another account
  /// replaces the old row. invalid_argument for an id not 16 bytes.
  [[nodiscard]] Status put(ByteView account_id, std::string_view username);
  Result<std::optional<std::string>> username_of(ByteView account_id);
  Result<std::optional<Bytes>> account_of(std::string_view username);

 private:
  LocalStore& store_;
};

/// Small named values, sealed.
class SdkState {
 public:
  explicit SdkState(LocalStore& store) noexcept : store_(store) {}
  [[nodiscard]] Status put(std::string_view name, ByteView value);
  Result<std::optional<SecretBuffer>> get(std::string_view name);
  [[nodiscard]] Status erase(std::string_view name);

 private:
  LocalStore& store_;
};

}  // namespace hush::client::store
