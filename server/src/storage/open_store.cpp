// open_store(): picks the backend from the URL's scheme.
#include "storage/postgres/pg_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"

#include <string>

namespace hush::server::storage {

Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.substr(0, kSqlite.size()) == kSqlite) {
    std::string path(url.substr(kSqlite.size()));
    // Accept sqlite:///abs/path and sqlite://rel too, as URL habits go.
    if (path.rfind("//", 0) == 0) path.erase(0, 2);
    return open_sqlite_store(path, options);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    return open_postgres_store(std::string(url), options);
  return make_error(Errc::invalid_argument, "store URL must start with sqlite: or postgresql://");
}

}  // namespace hush::server::storage
