// The node KEM peer process (node_kem_peer.hpp).
#include "node_kem_peer.hpp"

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdlib>

namespace hush::testing {

NodeKemPeer::NodeKemPeer() : NodeKemPeer(HUSH_KEM_PEER_DIR "/peer.mjs") {}

NodeKemPeer::NodeKemPeer(const std::string& script) {
  int in[2];
  int out[2];
  if (pipe(in) != 0 || pipe(out) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[1]);
    close(out[0]);
    execlp("node", "node", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  to_ = in[1];
  from_ = out[0];
}

NodeKemPeer::~NodeKemPeer() {
  if (to_ >= 0) close(to_);  // EOF on stdin ends the script
  if (from_ >= 0) close(from_);
  if (pid_ > 0) {
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::string NodeKemPeer::call(const std::string& line) {
  const std::string msg = line + "\n";
  std::size_t sent = 0;
  while (sent < msg.size()) {
    const ssize_t n = write(to_, msg.data() + sent, msg.size() - sent);
    if (n <= 0) return {};
    sent += static_cast<std::size_t>(n);
  }
  for (;;) {
    const auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string answer = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return answer;
    }
    char chunk[65536];
    const ssize_t n = read(from_, chunk, sizeof chunk);
    if (n <= 0) return {};
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace hush::testing
