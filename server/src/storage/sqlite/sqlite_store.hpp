// Opening the SQLite backend (open_store() dispatches here for sqlite:PATH).
#pragma once

#include "storage/store.hpp"

#include <memory>
#include <string>

namespace hush::server::storage {

/// Opens (creating) the database at `path`, WAL mode, and migrates it.
/// invalid_argument: empty path. unavailable, storage_failure.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const StoreOptions& options);

}  // namespace hush::server::storage
