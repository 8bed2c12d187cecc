// What `hush register` and `hush link` share before the server is asked to
// take a new device: the --ca file (made absolute, it must exist) and this
// home folder's store, opened or created (asking for a new passphrase, or
// making the --key-file). What each then asks the server is its own.
#pragma once

#include "command.hpp"

#include <hush/client/client.hpp>

#include <filesystem>
#include <memory>
#include <optional>

namespace hush::cli {

/// A device being set up: the certificate to trust and its store.
struct NewDevice {
  std::filesystem::path ca;  ///< --ca made absolute; empty: the system's trust store
  std::unique_ptr<client::Client> client;
};

/// Reads --ca into `device.ca` and opens or creates the store into
/// `device.client`. nullopt when both are ready; else the exit code, after
/// the error was printed (not_found for a --ca that is not a file, the
/// errors of open_or_create_client).
[[nodiscard]] std::optional<int> prepare_new_device(Context& ctx, const ParsedArgs& args, NewDevice& device);

}  // namespace hush::cli
