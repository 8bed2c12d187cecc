// The store's tables (schema version kStoreSchemaVersion). Which columns are
// sealed and which are plaintext lookups is listed in
// docs/adr/0003-client-store-encryption.md; keep the two in step.
#pragma once

#include "sqlite_db.hpp"

namespace hush::client::store {

/// Creates every table of a new store (inside the caller's transaction).
[[nodiscard]] Status create_schema(SqliteDb& db);

}  // namespace hush::client::store
