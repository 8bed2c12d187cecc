// The schema migrations compiled into hushd (generated from
// server/migrations/ at build time) and the rule for applying them: in
// order, each once, all pending ones in one transaction, recorded in
// schema_version.
#pragma once

#include <span>
#include <string_view>

namespace hush::server::storage {

struct Migration {
  int version;            ///< NNNN from the file name; strictly increasing
  std::string_view name;  ///< the file name without .sql
  std::string_view sql;   ///< statements separated by ';'
};

/// Migrations for each backend, ascending by version.
std::span<const Migration> sqlite_migrations() noexcept;
std::span<const Migration> postgres_migrations() noexcept;

}  // namespace hush::server::storage
