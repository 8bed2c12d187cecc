// TemporaryPostgres: initdb + pg_ctl on a free loopback port, as the
// postgres user when we are root, and cleanup at the end.
#include <hush/testing/temporary_postgres.hpp>

#include <hush/testing/free_port.hpp>

#include <libpq-fe.h>

#include <pwd.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace hush::testing {
namespace {

namespace fs = std::filesystem;

std::string find_bindir() {
  if (const char* env = std::getenv("HUSH_PG_BINDIR")) return env;
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path bin = entry.path() / "bin";
    if (fs::exists(bin / "initdb") && bin.string() > best) best = bin.string();
  }
  return best;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Forks a watchdog that stops the server and deletes its folder when this
/// process dies in any way (a crash or SIGKILL skips every destructor): it
/// blocks reading a pipe whose write end only we hold, and EOF means we are gone.
int start_watchdog(const std::string& stop_command, const std::string& dir) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    ::close(fds[1]);
    ::setsid();  // outlive a signal sent to our process group
    char byte;
    while (::read(fds[0], &byte, 1) < 0 && errno == EINTR) {
    }
    int rc = std::system(stop_command.c_str());
    (void)rc;
    std::error_code ec;
    fs::remove_all(dir, ec);
    ::_exit(0);
  }
  ::close(fds[0]);
  return fds[1];
}

/// Runs a shell command as the postgres user when we are root.
int run_as_postgres(const std::string& command) {
  std::string full = (::geteuid() == 0 ? "runuser -u postgres -- " : "") + command + " >/dev/null 2>&1";
  return std::system(full.c_str());
}

}  // namespace

std::unique_ptr<TemporaryPostgres> TemporaryPostgres::start(const Options& options, std::string& error) {
  std::unique_ptr<TemporaryPostgres> pg(new TemporaryPostgres());
  pg->bindir_ = find_bindir();
  if (pg->bindir_.empty()) {
    error = "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (install the postgresql package)";
    return nullptr;
  }
  char tmpl[] = "/tmp/hush-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    error = "mkdtemp failed";
    return nullptr;
  }
  pg->dir_ = tmpl;
  if (::geteuid() == 0) {
    // initdb and postgres refuse to run as root: hand the folder to postgres.
    passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr || ::chown(tmpl, pw->pw_uid, pw->pw_gid) != 0) {
      error = "running as root but there is no usable 'postgres' user";
      return nullptr;
    }
  }
  const std::string data = pg->dir_ + "/data";
  if (run_as_postgres(pg->bindir_ + "/initdb -D " + data + " -A trust -U postgres -E UTF8 --no-sync") != 0) {
    error = "initdb failed in " + pg->dir_;
    return nullptr;
  }
  // A port can be taken between choosing it and binding it: try a few.
  constexpr int kAttempts = 5;
  for (int attempt = 0; attempt < kAttempts && !pg->running_; ++attempt) {
    pg->port_ = free_loopback_port();
    std::string opts = "-c listen_addresses=127.0.0.1 -p " + std::to_string(pg->port_) +
                       " -c unix_socket_directories=" + pg->dir_ + " -c max_connections=200" +
                       (options.fsync ? "" : " -c fsync=off -c full_page_writes=off");
    std::string cmd = pg->bindir_ + "/pg_ctl -D " + data + " -l " + pg->dir_ + "/log -w -t 60 -o '" + opts + "' start";
    pg->running_ = run_as_postgres(cmd) == 0;
  }
  if (!pg->running_) {
    error = "pg_ctl start failed; server log:\n" + read_file(pg->dir_ + "/log");
    return nullptr;
  }
  pg->watchdog_fd_ = start_watchdog(pg->stop_command(), pg->dir_);
  return pg;
}

std::string TemporaryPostgres::stop_command() const {
  return std::string(::geteuid() == 0 ? "runuser -u postgres -- " : "") + bindir_ + "/pg_ctl -D " + dir_ +
         "/data -m immediate -w stop >/dev/null 2>&1";
}

TemporaryPostgres::~TemporaryPostgres() {
  if (running_) {
    int rc = std::system(stop_command().c_str());
    (void)rc;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);  // the watchdog finds nothing left to do
}

std::string TemporaryPostgres::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string TemporaryPostgres::create_database() {
  std::string name = "hush_test_" + std::to_string(::getpid()) + "_" + std::to_string(next_database_++);
  PGconn* conn = PQconnectdb(url().c_str());
  bool ok = PQstatus(conn) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
  }
  std::string message = PQerrorMessage(conn);
  PQfinish(conn);
  if (!ok) ADD_FAILURE() << "CREATE DATABASE failed: " << message;
  return url(name);
}

namespace {
std::mutex g_mu;
std::unique_ptr<TemporaryPostgres> g_server;
bool g_tried = false;
std::string g_error;
}  // namespace

// Started on first use, so a run filtered to SQLite tests never pays for it.
void PostgresEnvironment::SetUp() {}

void PostgresEnvironment::TearDown() {
  std::lock_guard lock(g_mu);
  g_server.reset();
}

TemporaryPostgres* PostgresEnvironment::server() {
  std::lock_guard lock(g_mu);
  if (!g_tried) {
    g_tried = true;
    g_server = TemporaryPostgres::start({}, g_error);
  }
  if (!g_server) ADD_FAILURE() << "could not start PostgreSQL for the tests: " << g_error;
  return g_server.get();
}

}  // namespace hush::testing
