// What `hush register` and `hush link` share before the server is asked to
// take a new device: the --ca file (made absolute, it must exist; the SDK
// keeps a copy in the home folder) and this home folder's store, opened or
// created (asking for a new passphrase, or making the --key-file). What each
// then asks the server is its own. A setup that fails is undone by
// discard_new_device(), so the next attempt needs no cleanup by hand.
#pragma once

#include "command.hpp"

#include <hush/client/client.hpp>

#include <filesystem>
#include <memory>
#include <optional>

namespace hush::cli {

/// A device being set up: the certificate to trust, its store, and what
/// this command made (undone if the device does not come to exist).
struct NewDevice {
  std::filesystem::path ca;  ///< --ca made absolute; empty: the system's trust store
  std::unique_ptr<client::Client> client;
  bool made_home = false;      ///< the home folder did not exist before
  bool made_store = false;     ///< the store file did not exist before
};

/// Reads --ca into `device.ca` and opens or creates the store into
/// `device.client`. nullopt when both are ready; else the exit code, after
/// the error was printed (not_found for a --ca that is not a file, the
/// errors of open_or_create_client).
[[nodiscard]] std::optional<int> prepare_new_device(Context& ctx, const ParsedArgs& args, NewDevice& device);

/// After a failed register or link: closes the store and removes what this
/// command made (the store and the CA copy, an empty home folder), so nothing
/// half-made or locked with a passphrase nobody chose again is left behind.
/// A store that existed before is left as it was; so is a --key-file this
/// command created (it locks nothing now, and the next attempt uses it).
void discard_new_device(Context& ctx, NewDevice& device) noexcept;

}  // namespace hush::cli
