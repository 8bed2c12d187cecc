// The SQLite backend: SqlStore over SqliteDb connections to one file.
#include "storage/sqlite/sqlite_store.hpp"

#include "storage/sql_store.hpp"
#include "storage/sqlite/sqlite_db.hpp"

namespace hush::server::storage {

template class SqlStore<SqliteDb>;

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const StoreOptions& options) {
  if (path.empty()) return make_error(Errc::invalid_argument, "sqlite path is empty");
  return SqlStore<SqliteDb>::open([path] { return SqliteDb::open(path); }, options);
}

}  // namespace hush::server::storage
