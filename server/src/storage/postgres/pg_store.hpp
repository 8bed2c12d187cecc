// Opening the PostgreSQL backend (open_store() dispatches here for
// postgresql://... and postgres://... URLs).
#pragma once

#include "storage/store.hpp"

#include <memory>
#include <string>

namespace hush::server::storage {

/// Connects pool_size + 1 times to `conninfo` (a libpq URI) and migrates.
/// unavailable: cannot connect. storage_failure.
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& conninfo, const StoreOptions& options);

}  // namespace hush::server::storage
