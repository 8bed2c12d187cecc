// A running `node tests/peers/kem-node/peer.mjs` (or another script there):
// independent implementations from npm, one request line and one answer line
// at a time.
#pragma once

#include <sys/types.h>
#include <string>

namespace hush::testing {

class NodeKemPeer {
 public:
  /// Runs peer.mjs.
  NodeKemPeer();
  /// Runs another script of the same folder with the same line protocol
  /// (tests/interop_pq runs signal-peer.mjs).
  explicit NodeKemPeer(const std::string& script);
  ~NodeKemPeer();
  NodeKemPeer(const NodeKemPeer&) = delete;
  NodeKemPeer& operator=(const NodeKemPeer&) = delete;

  [[nodiscard]] bool running() const { return pid_ > 0; }
  /// Sends one command line; returns the answer line (empty if the peer died).
  std::string call(const std::string& line);

 private:
  pid_t pid_ = -1;
  int to_ = -1;
  int from_ = -1;
  std::string buffer_;
};

}  // namespace hush::testing
