// A fleet of WebSocket connections spread over a few worker threads, each
// with its own single-threaded io_context (a connection lives on one thread
// only, so nothing per connection is shared). Connection i goes to worker
// i % threads, uses account i % accounts and source 127.0.0.(1 + i % sources),
// and connects to node (i / threads) % nodes: every worker holds connections
// on every node, so a worker can pair its own connections across nodes.
#pragma once

#include "accounts.hpp"
#include "options.hpp"
#include "ws_connection.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace hush::load {

/// The node (index into the targets) of the connection with global index
/// `global`, for `threads` workers and `nodes` nodes.
[[nodiscard]] inline std::size_t node_of(std::size_t global, std::size_t threads, std::size_t nodes) {
  return (global / threads) % nodes;
}

struct Worker {
  unsigned index = 0;
  asio::io_context ioc{1};
  /// This worker's connections, in the order of their global index.
  std::vector<std::shared_ptr<WsConnection>> connections;
  std::map<std::string, int> open_errors;
  std::thread thread;
};

class Fleet {
 public:
  /// `targets`: the nodes, at least one.
  Fleet(const Options& options, const std::vector<Account>& accounts, asio::ssl::context& tls,
        std::vector<ConnectTarget> targets);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  /// Opens `count` connections (open_concurrency handshakes in flight in
  /// all); each that opens starts reading into `listener(worker)`. Returns
  /// how many opened; failures are printed by kind. Progress every 5 s.
  std::size_t open(std::size_t count, const std::function<ConnectionListener&(unsigned)>& listener);
  /// Runs `fn` on worker `w`'s thread.
  void post(unsigned w, std::function<void()> fn);
  /// Closes every connection and joins the threads.
  void stop();

  [[nodiscard]] std::vector<std::unique_ptr<Worker>>& workers() { return workers_; }
  /// The global index of worker `w`'s j-th connection.
  [[nodiscard]] std::size_t global_index(unsigned w, std::size_t j) const { return w + j * workers_.size(); }

 private:
  asio::awaitable<void> open_some(Worker& worker, ConnectionListener& listener, std::size_t mine,
                                  std::shared_ptr<std::size_t> next);

  const Options& options_;
  const std::vector<Account>& accounts_;
  asio::ssl::context& tls_;
  std::vector<ConnectTarget> targets_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::atomic<std::size_t> opened_{0};
  std::atomic<std::size_t> finished_{0};
};

}  // namespace hush::load
