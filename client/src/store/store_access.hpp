// How the store's table classes reach the connection of a LocalStore, and
// the helpers they share to seal and open cells. Private to the store.
#pragma once

#include "record_codec.hpp"
#include "sqlite_db.hpp"

#include <hush/client/store/local_store.hpp>

namespace hush::client::store {

/// Associated data of one cell: a label, the schema version, the column and
/// the row key (docs/adr/0003-client-store-encryption.md, "Cells").
[[nodiscard]] Bytes cell_ad(std::uint32_t schema_version, std::string_view column, ByteView row_key);

class StoreAccess {
 public:
  static SqliteDb& db(LocalStore& s) noexcept { return *s.db_; }
  static const crypto::AeadKey& data_key(const LocalStore& s) noexcept { return s.data_key_; }
};

}  // namespace hush::client::store
