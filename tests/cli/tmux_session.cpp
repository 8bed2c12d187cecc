// TmuxServer: tmux driven through popen with every argument shell-quoted.
#include "tmux_session.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <thread>

namespace hush::testing {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

TmuxServer::TmuxServer() {
  static int counter = 0;
  socket_ = "hush-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

TmuxServer::~TmuxServer() { (void)run("kill-server"); }

bool TmuxServer::available() { return std::system("command -v tmux >/dev/null 2>&1") == 0; }

std::string TmuxServer::run(const std::string& args) {
  const std::string cmd = "tmux -L " + shell_quote(socket_) + " " + args + " 2>/dev/null";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

bool TmuxServer::start(const std::string& name, const std::vector<std::string>& argv, int width, int height) {
  std::string command;
  for (const auto& a : argv) command += shell_quote(a) + " ";
  // Keep the pane after the command exits so its last screen can be read.
  (void)run("new-session -d -s " + shell_quote(name) + " -x " + std::to_string(width) + " -y " +
            std::to_string(height) + " " + shell_quote(command));
  return alive(name);
}

void TmuxServer::type(const std::string& name, const std::string& text) {
  (void)run("send-keys -t " + shell_quote(name) + " -l " + shell_quote(text));
}

void TmuxServer::key(const std::string& name, const std::string& k) {
  (void)run("send-keys -t " + shell_quote(name) + " " + shell_quote(k));
}

std::string TmuxServer::screen(const std::string& name) {
  std::string s = run("capture-pane -p -t " + shell_quote(name));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool TmuxServer::wait_for(const std::string& name, const std::string& text, std::chrono::milliseconds timeout,
                          std::string* last) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string s;
  do {
    s = screen(name);
    if (s.find(text) != std::string::npos) {
      if (last != nullptr) *last = s;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  if (last != nullptr) *last = s;
  return false;
}

bool TmuxServer::alive(const std::string& name) {
  return run("has-session -t " + shell_quote(name) + " && echo yes").find("yes") != std::string::npos;
}

}  // namespace hush::testing
