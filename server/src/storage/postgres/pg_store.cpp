// The PostgreSQL backend: SqlStore over a pool of PgConn connections.
#include "storage/postgres/pg_store.hpp"

#include "storage/postgres/pg_conn.hpp"
#include "storage/sql_store.hpp"

namespace hush::server::storage {

template class SqlStore<PgConn>;

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& conninfo, const StoreOptions& options) {
  return SqlStore<PgConn>::open([conninfo] { return PgConn::open(conninfo); }, options);
}

}  // namespace hush::server::storage
