// HushdProcess (see hushd_process.hpp): fork/exec with stdout on a pipe and
// stderr appended to DATA/hushd.log; the start line is parsed with a poll()
// deadline so a hushd that hangs fails the test instead of blocking it.
#include "hushd_process.hpp"

#include "test_client.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace hush::testing {
namespace {

constexpr std::chrono::seconds kStartTimeout{20};
constexpr std::chrono::seconds kStopTimeout{15};
constexpr std::string_view kListening = "hushd listening on ";
constexpr std::string_view kCertificate = "hushd tls certificate ";
constexpr std::string_view kMetrics = "hushd metrics on ";

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

/// In sanitizer builds hushd reports errors, leaks and (TSan) data races on
/// stderr; any such report fails the running test.
void expect_no_sanitizer_report(const std::string& log) {
  for (const char* marker :
       {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "WARNING: ThreadSanitizer"}) {
    EXPECT_EQ(log.find(marker), std::string::npos) << "hushd reported: " << marker << "\n" << log;
  }
}

/// Waits for `pid` up to `timeout`; the status, or nullopt if still running.
bool wait_for(pid_t pid, std::chrono::milliseconds timeout, int& status) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

const char* hushd_binary() { return HUSHD_BINARY; }

HushdProcess::HushdProcess(HushdOptions options) : options_(std::move(options)) {
  if (options_.data_dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hushd-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) data_dir_ = tmpl;
    own_dir_ = true;
  } else {
    data_dir_ = options_.data_dir;
  }
}

HushdProcess::~HushdProcess() {
  if (running()) stop();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (own_dir_ && !data_dir_.empty() && std::getenv("HUSH_KEEP_TEST_DATA") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
  }
}

bool HushdProcess::start() {
  if (running() || data_dir_.empty()) return false;
  std::vector<std::string> args = {hushd_binary(), "--data", data_dir_, "--listen", options_.listen};
  if (!options_.store_url.empty()) args.insert(args.end(), {"--store", options_.store_url});
  if (options_.plain_tcp) args.emplace_back("--plain-tcp");
  if (!options_.config_toml.empty()) {
    const std::string config = data_dir_ + "/hushd.toml";
    std::ofstream(config) << options_.config_toml;
    args.insert(args.end(), {"--config", config});
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return false;
  const std::string log_path = data_dir_ + "/hushd.log";
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(out[1], STDOUT_FILENO);
    if (log_fd >= 0) ::dup2(log_fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  pid_ = pid;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = out[0];

  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{stdout_fd_, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[512];
    const ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) break;  // hushd exited
    text.append(buf, static_cast<std::size_t>(n));
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind(kCertificate, 0) == 0) {
        std::istringstream f(line.substr(kCertificate.size()));
        std::string sha;
        f >> cert_file_ >> sha >> fingerprint_;
      }
      if (line.rfind(kMetrics, 0) == 0) {
        const std::string addr = line.substr(kMetrics.size());
        metrics_port_ = static_cast<std::uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));
      }
      if (line.rfind(kListening, 0) == 0) {
        const std::string addr = line.substr(kListening.size(), line.find(' ', kListening.size()) - kListening.size());
        const auto colon = addr.rfind(':');
        host_ = addr.substr(0, colon);
        port_ = static_cast<std::uint16_t>(std::stoi(addr.substr(colon + 1)));
        return true;
      }
    }
  }
  kill();
  return false;
}

int HushdProcess::stop() {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  if (!wait_for(pid_, kStopTimeout, status)) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
  }
  pid_ = -1;
  expect_no_sanitizer_report(log());
  return exit_code(status);
}

void HushdProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int HushdProcess::wait_exit() {
  if (!running()) return -1;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  expect_no_sanitizer_report(log());
  return exit_code(status);
}

std::string HushdProcess::metrics() const {
  if (metrics_port_ == 0) return {};
  TestClient c(host_, metrics_port_, "");
  auto res = c.http("GET", "/metrics");
  return res.status == 200 ? res.body : std::string();
}

std::string HushdProcess::log() const {
  std::ifstream in(data_dir_ + "/hushd.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace hush::testing
