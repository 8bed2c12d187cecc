// CliProcess: fork/exec with pipes for stdin and stdout and stderr in a
// temporary file; poll() deadlines so a hung command fails its test.
#include "cli_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace hush::testing {

const char* hush_cli_binary() { return HUSH_CLI_BINARY; }

CliProcess::CliProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  char tmpl[] = "/tmp/hush-cli-err-XXXXXX";
  const int err_fd = ::mkstemp(tmpl);
  err_file_ = tmpl;
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return;
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  vars.erase("HUSH_PASSPHRASE");
  vars.erase("HUSH_HOME");
  for (const auto& [k, v] : env) vars[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);
  std::vector<std::string> argv_strings = {hush_cli_binary()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());

  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::setsid();  // no controlling terminal: stdin is a pipe, never a prompt
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err_fd);
  in_ = in[1];
  out_ = out[0];
}

CliProcess::~CliProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (in_ >= 0) ::close(in_);
  if (out_ >= 0) ::close(out_);
  std::error_code ec;
  std::filesystem::remove(err_file_, ec);
}

void CliProcess::write(const std::string& text) {
  if (in_ < 0) return;
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(in_, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void CliProcess::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

bool CliProcess::fill(std::chrono::steady_clock::time_point deadline) {
  if (out_ < 0) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  pollfd p{out_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count()))) <= 0) return false;
  char buf[4096];
  const ssize_t n = ::read(out_, buf, sizeof buf);
  if (n <= 0) {
    ::close(out_);
    out_ = -1;
    return false;
  }
  buffer_.append(buf, static_cast<std::size_t>(n));
  all_out_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::string> CliProcess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

void CliProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

CliResult CliProcess::wait(std::chrono::milliseconds timeout) {
  CliResult r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  close_stdin();
  while (out_ >= 0 && std::chrono::steady_clock::now() < deadline) (void)fill(deadline);
  int status = 0;
  bool exited = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!exited) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  r.code = exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = all_out_;
  std::ifstream in(err_file_);
  std::stringstream s;
  s << in.rdbuf();
  r.err = s.str();
  return r;
}

CliResult run_hush(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                   const std::string& input, std::chrono::milliseconds timeout) {
  CliProcess p(args, env);
  p.write(input);
  return p.wait(timeout);
}

}  // namespace hush::testing
