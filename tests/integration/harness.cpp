// Harness (see harness.hpp).
#include "harness.hpp"

#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/temporary_postgres.hpp>

#include <libpq-fe.h>
#include <sqlite3.h>

namespace hush::testing {
namespace {

std::int64_t sqlite_scalar(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "open " << path << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return value;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    value = sqlite3_column_int64(stmt, 0);
  } else {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

std::int64_t postgres_scalar(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::int64_t value = -1;
  if (PQstatus(conn) != CONNECTION_OK) {
    ADD_FAILURE() << "connect: " << PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQgetisnull(r, 0, 0) == 0) {
      value = std::stoll(PQgetvalue(r, 0, 0));
    } else {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  PQfinish(conn);
  return value;
}

HushdOptions options_for(const std::string& backend, std::string config_toml) {
  HushdOptions o;
  o.config_toml = std::move(config_toml);
  if (backend == "postgres") {
    auto* pg = PostgresEnvironment::server();
    if (pg != nullptr) o.store_url = pg->create_database();
  }
  return o;
}

}  // namespace

Harness::Harness(const std::string& backend, std::string config_toml)
    : hushd_(options_for(backend, std::move(config_toml))) {}

std::unique_ptr<TestClient> Harness::client() {
  return std::make_unique<TestClient>(hushd_.host(), hushd_.port(), hushd_.cert_file());
}

std::optional<Party> Harness::register_user(const std::string& name, std::uint64_t seed, int one_time,
                                           const std::string& source_address) {
  DeterministicRng rng(seed);
  auto identity = crypto::KeyPair::generate(rng);
  auto c = client();
  if (!source_address.empty()) c->set_source_address(source_address);
  auto device = register_device(
      *c, make_register_request(name, identity, 2000 + static_cast<std::uint32_t>(seed), rng, one_time));
  if (!device) return std::nullopt;
  return Party{std::move(identity), *device};
}

std::int64_t Harness::database_scalar(const std::string& sql) {
  if (hushd_.store_url().empty()) return sqlite_scalar(hushd_.data_dir() + "/hush.db", sql);
  return postgres_scalar(hushd_.store_url(), sql);
}

std::unique_ptr<TestClient> Harness::online(const TestDevice& device) {
  auto c = client();
  if (!c->connect(device.authorization())) return nullptr;
  return c;
}

std::optional<TestDevice> Harness::link_device(TestClient& owner_ws, const crypto::KeyPair& identity,
                                               std::uint64_t seed, unsigned* status) {
  if (status != nullptr) *status = 0;
  pb::ClientFrame f;
  f.mutable_create_link_token();
  auto token = owner_ws.call(f);
  if (!token || token->status() != 200) return std::nullopt;
  DeterministicRng rng(seed);
  auto request = make_register_request("", identity, 3000 + static_cast<std::uint32_t>(seed), rng);
  request.set_link_token(token->link_token().token());
  auto c = client();
  return register_device(*c, request, status);
}

pb::ClientFrame send_frame(const TestDevice& to, const std::string& message_id, const std::string& body,
                           std::uint32_t device, std::int64_t registration_delta) {
  pb::ClientFrame f;
  auto* s = f.mutable_send_message();
  s->set_destination(to.account_id);
  s->set_message_id(message_id);
  auto* m = s->add_messages();
  m->set_device_id(device);
  m->set_registration_id(static_cast<std::uint32_t>(to.registration_id + registration_delta));
  m->set_type(3);
  m->set_ciphertext(body);
  return f;
}

pb::ClientFrame send_multi_frame(const std::vector<const TestDevice*>& to, const std::string& message_id,
                                 const std::string& body) {
  pb::ClientFrame f;
  auto* s = f.mutable_send_multi();
  s->set_message_id(message_id);
  s->set_type(7);
  s->set_body(body);
  for (const TestDevice* d : to) {
    auto* r = s->add_recipients();
    r->set_account(d->account_id);
    auto* device = r->add_devices();
    device->set_device_id(d->device_id);
    device->set_registration_id(d->registration_id);
  }
  return f;
}

std::string message_id(char tag) {
  return std::string(15, 'm') + tag;
}

pb::ClientFrame ack_frame(std::uint64_t seq) {
  pb::ClientFrame f;
  f.mutable_ack()->set_seq(seq);
  return f;
}

pb::ClientFrame pre_key_count_frame() {
  pb::ClientFrame f;
  f.mutable_pre_key_count();
  return f;
}

}  // namespace hush::testing
