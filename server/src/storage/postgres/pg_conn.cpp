// libpq calls for PgConn and PgQuery: connect and session settings, '?' to
// $n rewriting, prepare/describe, binary parameters and results, SQLSTATE
// mapping and reconnecting after a lost connection.
#include "storage/postgres/pg_conn.hpp"

#include <libpq-fe.h>

#include <cstdint>
#include <cstring>

namespace hush::server::storage {
namespace {

// Type Oids from pg_type.h (stable since forever).
constexpr unsigned kBoolOid = 16;
constexpr unsigned kInt8Oid = 20;
constexpr unsigned kInt2Oid = 21;
constexpr unsigned kInt4Oid = 23;
constexpr unsigned kByteaOid = 17;
constexpr unsigned kByteaArrayOid = 1001;
constexpr unsigned kInt8ArrayOid = 1016;

void ignore_notice(void*, const char*) {}

// Every session, at connect and after each reconnect. synchronous_commit:
// COMMIT returns only once the WAL is flushed, so an accepted message is on
// disk. plan_cache_mode: a generic plan cached while a table is empty or
// small scans it, and stays until autovacuum re-analyzes the table (at most
// once a minute) while queue and bodies churn by thousands of rows a second
// (the second-round collapse of issue #17); a custom plan costs tens of
// microseconds of planning per statement, batched statements once per batch.
constexpr const char* kSessionSettings = "SET synchronous_commit = on; SET plan_cache_mode = force_custom_plan";

Error map_result(const PGresult* r, PGconn* conn, const char* context) {
  if (PQstatus(conn) == CONNECTION_BAD) return make_error(Errc::unavailable, context);
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  if (state != nullptr) {
    if (std::strcmp(state, "23505") == 0) return make_error(Errc::conflict, context);  // unique_violation
    if (std::strcmp(state, "40P01") == 0 || std::strcmp(state, "40001") == 0 || std::strncmp(state, "08", 2) == 0)
      return make_error(Errc::unavailable, context);  // deadlock, serialization, connection
  }
  return make_error(Errc::storage_failure, context);
}

std::string to_dollar_params(const char* sql) {
  std::string out;
  int n = 0;
  for (const char* p = sql; *p != '\0'; ++p) {
    if (*p == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += *p;
    }
  }
  return out;
}

void put_be(std::string& out, std::uint64_t v, int bytes) {
  out.resize(static_cast<std::size_t>(bytes));
  for (int i = bytes - 1; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

void append_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

// The binary array header (src/backend/utils/adt/arrayfuncs.c, array_recv):
// ndim, has-nulls flag, element type, then per dimension its length and
// lower bound (1). Elements follow, each as a length and its bytes.
void start_array(std::string& out, unsigned element_oid, std::size_t n) {
  out.clear();
  append_be32(out, 1);
  append_be32(out, 0);
  append_be32(out, element_oid);
  append_be32(out, static_cast<std::uint32_t>(n));
  append_be32(out, 1);
}

}  // namespace

PgQuery::PgQuery(PgConn& conn, const Prepared& stmt)
    : conn_(&conn), stmt_(&stmt), values_(stmt.param_types.size()), nulls_(stmt.param_types.size(), true) {}

PgQuery::PgQuery(PgQuery&& o) noexcept
    : conn_(o.conn_),
      stmt_(o.stmt_),
      values_(std::move(o.values_)),
      nulls_(std::move(o.nulls_)),
      bad_bind_(o.bad_bind_),
      result_(o.result_),
      row_(o.row_),
      rows_(o.rows_) {
  o.result_ = nullptr;
}

PgQuery::~PgQuery() {
  if (result_ != nullptr) PQclear(result_);
}

PgQuery& PgQuery::bind(int index, std::int64_t value) {
  auto i = static_cast<std::size_t>(index - 1);
  if (index < 1 || i >= values_.size()) {
    bad_bind_ = true;
    return *this;
  }
  auto v = static_cast<std::uint64_t>(value);
  switch (stmt_->param_types[i]) {
    case kInt8Oid: put_be(values_[i], v, 8); break;
    case kInt4Oid:
      if (value < INT32_MIN || value > INT32_MAX) bad_bind_ = true;
      put_be(values_[i], v, 4);
      break;
    case kInt2Oid:
      if (value < INT16_MIN || value > INT16_MAX) bad_bind_ = true;
      put_be(values_[i], v, 2);
      break;
    case kBoolOid: values_[i].assign(1, value != 0 ? '\1' : '\0'); break;
    default: bad_bind_ = true;  // an integer bound where the server expects something else
  }
  nulls_[i] = false;
  return *this;
}

PgQuery& PgQuery::bind(int index, ByteView value) {
  auto i = static_cast<std::size_t>(index - 1);
  if (index < 1 || i >= values_.size()) {
    bad_bind_ = true;
    return *this;
  }
  values_[i].assign(reinterpret_cast<const char*>(value.data()), value.size());
  nulls_[i] = false;
  return *this;
}

PgQuery& PgQuery::bind_text(int index, std::string_view value) { return bind(index, as_bytes(value)); }

PgQuery& PgQuery::bind_null(int index) {
  auto i = static_cast<std::size_t>(index - 1);
  if (index < 1 || i >= values_.size()) bad_bind_ = true;
  else nulls_[i] = true;
  return *this;
}

PgQuery& PgQuery::bind_array(int index, std::span<const std::int64_t> values) {
  auto i = static_cast<std::size_t>(index - 1);
  if (index < 1 || i >= values_.size() || stmt_->param_types[i] != kInt8ArrayOid || values.empty() ||
      values.size() > static_cast<std::size_t>(INT32_MAX)) {
    bad_bind_ = true;
    return *this;
  }
  std::string& out = values_[i];
  start_array(out, kInt8Oid, values.size());
  out.reserve(out.size() + values.size() * 12);
  for (std::int64_t v : values) {
    append_be32(out, 8);
    auto u = static_cast<std::uint64_t>(v);
    append_be32(out, static_cast<std::uint32_t>(u >> 32));
    append_be32(out, static_cast<std::uint32_t>(u & 0xffffffffu));
  }
  nulls_[i] = false;
  return *this;
}

PgQuery& PgQuery::bind_array(int index, std::span<const ByteView> values) {
  auto i = static_cast<std::size_t>(index - 1);
  if (index < 1 || i >= values_.size() || stmt_->param_types[i] != kByteaArrayOid || values.empty() ||
      values.size() > static_cast<std::size_t>(INT32_MAX)) {
    bad_bind_ = true;
    return *this;
  }
  std::string& out = values_[i];
  start_array(out, kByteaOid, values.size());
  for (ByteView v : values) {
    if (v.size() > static_cast<std::size_t>(INT32_MAX)) {
      bad_bind_ = true;
      return *this;
    }
    append_be32(out, static_cast<std::uint32_t>(v.size()));
    out.append(reinterpret_cast<const char*>(v.data()), v.size());
  }
  nulls_[i] = false;
  return *this;
}

Result<bool> PgQuery::step() {
  if (result_ == nullptr) {
    if (bad_bind_) return make_error(Errc::storage_failure, "postgres bind");
    std::size_t n = values_.size();
    std::vector<const char*> ptrs(n);
    std::vector<int> lengths(n);
    std::vector<int> formats(n, 1);
    for (std::size_t i = 0; i < n; ++i) {
      ptrs[i] = nulls_[i] ? nullptr : values_[i].data();
      lengths[i] = static_cast<int>(values_[i].size());
    }
    result_ = PQexecPrepared(conn_->conn_, stmt_->name.c_str(), static_cast<int>(n), ptrs.data(), lengths.data(),
                             formats.data(), 1);
    auto status = PQresultStatus(result_);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      Error e = map_result(result_, conn_->conn_, "postgres statement");
      PQclear(result_);
      result_ = nullptr;
      bad_bind_ = true;  // never re-run a failed statement
      return e;
    }
    rows_ = PQntuples(result_);
    row_ = -1;
  }
  if (row_ + 1 >= rows_) {
    row_ = rows_;
    return false;
  }
  ++row_;
  return true;
}

Status PgQuery::run() {
  auto r = step();
  if (!r) return r.error();
  return ok();
}

std::int64_t PgQuery::int64(int column) const noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(PQgetvalue(result_, row_, column));
  int len = PQgetlength(result_, row_, column);
  std::uint64_t v = 0;
  for (int i = 0; i < len && i < 8; ++i) v = (v << 8) | p[i];
  switch (len) {  // sign-extend the narrower integer types
    case 4: return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    case 2: return static_cast<std::int16_t>(static_cast<std::uint16_t>(v));
    default: return static_cast<std::int64_t>(v);
  }
}

ByteView PgQuery::blob(int column) const noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(PQgetvalue(result_, row_, column));
  return {p, static_cast<std::size_t>(PQgetlength(result_, row_, column))};
}

std::string PgQuery::text(int column) const { return to_string(blob(column)); }

bool PgQuery::is_null(int column) const noexcept { return PQgetisnull(result_, row_, column) != 0; }

Result<std::unique_ptr<PgConn>> PgConn::open(const std::string& conninfo) {
  PGconn* raw = PQconnectdb(conninfo.c_str());
  std::unique_ptr<PgConn> conn(new PgConn(raw));
  if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) return make_error(Errc::unavailable, "postgres connect");
  PQsetNoticeProcessor(raw, ignore_notice, nullptr);
  HUSH_TRY(conn->exec(kSessionSettings));
  return conn;
}

PgConn::~PgConn() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Status PgConn::check_connection() {
  if (PQstatus(conn_) == CONNECTION_OK) return ok();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) return make_error(Errc::unavailable, "postgres reconnect");
  ++generation_;
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  return exec(kSessionSettings);
}

Result<PgQuery> PgConn::query(const char* sql) {
  HUSH_TRY(check_connection());
  PgQuery::Prepared& p = cache_[sql];
  if (p.generation != generation_) {
    if (p.name.empty()) p.name = "h" + std::to_string(next_statement_++);
    std::string text = to_dollar_params(sql);
    PGresult* r = PQprepare(conn_, p.name.c_str(), text.c_str(), 0, nullptr);
    bool ok_prepare = PQresultStatus(r) == PGRES_COMMAND_OK;
    Error e = ok_prepare ? Error{} : map_result(r, conn_, "postgres prepare");
    PQclear(r);
    if (!ok_prepare) return e;
    r = PQdescribePrepared(conn_, p.name.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      e = map_result(r, conn_, "postgres describe");
      PQclear(r);
      return e;
    }
    p.param_types.clear();
    for (int i = 0; i < PQnparams(r); ++i) p.param_types.push_back(PQparamtype(r, i));
    PQclear(r);
    p.generation = generation_;
  }
  return PgQuery(*this, p);
}

Status PgConn::exec(const char* sql) {
  HUSH_TRY(check_connection());
  PGresult* r = PQexec(conn_, sql);
  auto status = PQresultStatus(r);
  Status st = ok();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) st = map_result(r, conn_, "postgres exec");
  PQclear(r);
  return st;
}

Status PgConn::lock_schema() {
  // Any constant names the lock; this one spells "hushd" in ASCII.
  return exec("SELECT pg_advisory_xact_lock(448345343076)");
}

Status PgConn::begin() { return exec("BEGIN"); }

Status PgConn::commit() {
  PGresult* r = PQexec(conn_, "COMMIT");
  // COMMIT of a failed transaction "succeeds" as ROLLBACK: check the tag.
  bool committed = PQresultStatus(r) == PGRES_COMMAND_OK && std::strcmp(PQcmdStatus(r), "COMMIT") == 0;
  Error e = committed ? Error{} : map_result(r, conn_, "postgres commit");
  PQclear(r);
  if (committed) return ok();
  rollback();
  return e.code == Errc::conflict ? Status(make_error(Errc::storage_failure, "postgres commit")) : Status(e);
}

void PgConn::rollback() noexcept {
  if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
  PGresult* r = PQexec(conn_, "ROLLBACK");
  PQclear(r);
}

}  // namespace hush::server::storage
