// How the store's table classes reach the connection of a LocalStore, and
// the helpers they share to seal and open cells. Private to the store.
#pragma once

#include "record_codec.hpp"
#include "sqlite_db.hpp"

#include <hush/client/store/local_store.hpp>

namespace hush::client::store {

class StoreAccess {
 public:
  static SqliteDb& db(LocalStore& s) noexcept { return *s.db_; }
};

}  // namespace hush::client::store
