// Bringing a store of an older schema version up to kStoreSchemaVersion,
// inside LocalStore::open once the data key is unwrapped. Private to the store.
#pragma once

#include "store_header.hpp"

#include <hush/client/store/local_store.hpp>

namespace hush::client::store {

/// Migrates `store`, whose header (as read before the data key was
/// unwrapped) is `header`, to kStoreSchemaVersion in one exclusive
/// transaction (BEGIN IMMEDIATE): every sealed value is opened under its old
/// associated data and sealed again under the new one, tables change as the
/// new schema says, and the data key is wrapped again under `kek` with the
/// new version in the header. On any failure everything is rolled back and
/// the file is exactly as it was. Errors: bad_mac (a stored value failed
/// authentication), conflict (the header changed under us), decode_error,
/// storage errors.
[[nodiscard]] Status migrate_store(LocalStore& store, const StoreHeader& header, const crypto::Argon2idKey& kek);

}  // namespace hush::client::store
