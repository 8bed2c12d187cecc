// RawDatabase over sqlite3 and libpq.
#include "raw_database.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <string>

namespace hush::server::testing {

std::unique_ptr<RawDatabase> RawDatabase::open(Backend backend, const std::string& url) {
  std::unique_ptr<RawDatabase> db(new RawDatabase);
  db->backend_ = backend;
  if (backend == Backend::sqlite) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open(url.substr(url.find(':') + 1).c_str(), &raw), SQLITE_OK);
    sqlite3_busy_timeout(raw, 5000);
    db->handle_ = raw;
  } else {
    PGconn* raw = PQconnectdb(url.c_str());
    EXPECT_EQ(PQstatus(raw), CONNECTION_OK) << PQerrorMessage(raw);
    db->handle_ = raw;
  }
  return db;
}

RawDatabase::~RawDatabase() {
  if (backend_ == Backend::sqlite) {
    sqlite3_close_v2(static_cast<sqlite3*>(handle_));
  } else {
    PQfinish(static_cast<PGconn*>(handle_));
  }
}

void RawDatabase::exec(const std::string& sql) {
  if (backend_ == Backend::sqlite) {
    char* error = nullptr;
    int rc = sqlite3_exec(static_cast<sqlite3*>(handle_), sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error != nullptr ? error : "");
    sqlite3_free(error);
  } else {
    PGresult* r = PQexec(static_cast<PGconn*>(handle_), sql.c_str());
    auto status = PQresultStatus(r);
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) << sql << ": " << PQresultErrorMessage(r);
    PQclear(r);
  }
}

std::int64_t RawDatabase::scalar(const std::string& sql) {
  if (backend_ == Backend::sqlite) {
    sqlite3_stmt* stmt = nullptr;
    auto* db = static_cast<sqlite3*>(handle_);
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
      return -1;
    }
    std::int64_t value = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    } else {
      ADD_FAILURE() << sql << ": no row (" << sqlite3_errmsg(db) << ")";
    }
    sqlite3_finalize(stmt);
    return value;
  }
  PGresult* r = PQexec(static_cast<PGconn*>(handle_), sql.c_str());
  std::int64_t value = -1;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQgetisnull(r, 0, 0) == 0) {
    value = std::stoll(PQgetvalue(r, 0, 0));
  } else {
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
  }
  PQclear(r);
  return value;
}

void RawDatabase::hold_writer() {
  exec(backend_ == Backend::sqlite ? "BEGIN IMMEDIATE" : "BEGIN; LOCK TABLE sent, queue IN ACCESS EXCLUSIVE MODE");
}

void RawDatabase::release() { exec("ROLLBACK"); }

}  // namespace hush::server::testing
