// Fleet (see fleet.hpp): the worker threads and the bounded-concurrency
// opening of connections.
#include "fleet.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <cstdio>

namespace hush::load {

Fleet::Fleet(const Options& options, const std::vector<Account>& accounts, asio::ssl::context& tls,
             std::vector<ConnectTarget> targets)
    : options_(options), accounts_(accounts), tls_(tls), targets_(std::move(targets)) {
  for (unsigned w = 0; w < options.threads; ++w) {
    auto worker = std::make_unique<Worker>();
    worker->index = w;
    guards_.push_back(asio::make_work_guard(worker->ioc));
    Worker* raw = worker.get();
    worker->thread = std::thread([raw] { raw->ioc.run(); });
    workers_.push_back(std::move(worker));
  }
}

Fleet::~Fleet() { stop(); }

std::size_t Fleet::open(std::size_t count, const std::function<ConnectionListener&(unsigned)>& listener) {
  const auto threads = static_cast<unsigned>(workers_.size());
  std::atomic<unsigned> workers_done{0};
  for (unsigned w = 0; w < threads; ++w) {
    Worker& worker = *workers_[w];
    ConnectionListener& l = listener(w);
    const std::size_t mine = count / threads + (w < count % threads ? 1 : 0);
    const std::size_t openers = std::max<std::size_t>(1, options_.open_concurrency / threads);
    auto next = std::make_shared<std::size_t>(0);
    auto live_openers = std::make_shared<std::size_t>(std::min(openers, std::max<std::size_t>(mine, 1)));
    post(w, [this, &worker, &l, mine, next, live_openers, &workers_done] {
      if (mine == 0) {
        workers_done.fetch_add(1);
        workers_done.notify_all();
        return;
      }
      worker.connections.resize(mine);
      const std::size_t spawn = *live_openers;
      for (std::size_t k = 0; k < spawn; ++k) {
        asio::co_spawn(worker.ioc, open_some(worker, l, mine, next), [live_openers, &workers_done](std::exception_ptr) {
          if (--*live_openers == 0) {
            workers_done.fetch_add(1);
            workers_done.notify_all();
          }
        });
      }
    });
  }
  auto last = std::chrono::steady_clock::now();
  for (unsigned seen = workers_done.load(); seen < threads; seen = workers_done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (std::chrono::steady_clock::now() - last > std::chrono::seconds(5)) {
      last = std::chrono::steady_clock::now();
      std::fprintf(stderr, "hush-load: %zu/%zu connections open (%zu attempted)\n", opened_.load(), count,
                   finished_.load());
    }
  }
  for (auto& w : workers_) {
    for (const auto& [what, n] : w->open_errors) {
      std::fprintf(stderr, "hush-load: %d connections failed to open: %s\n", n, what.c_str());
    }
  }
  return opened_.load();
}

asio::awaitable<void> Fleet::open_some(Worker& worker, ConnectionListener& listener, std::size_t mine,
                                       std::shared_ptr<std::size_t> next) {
  const auto threads = workers_.size();
  while (*next < mine) {
    const std::size_t j = (*next)++;
    const std::size_t g = worker.index + j * threads;
    std::string authorization = accounts_[g % accounts_.size()].authorization();
    const auto source = asio::ip::address_v4((127U << 24) | (1U + static_cast<std::uint32_t>(g % options_.sources)));
    auto c = std::make_shared<WsConnection>(worker.ioc, tls_, g);
    const ConnectTarget& target = targets_[node_of(g, threads, targets_.size())];
    const bool ok = co_await c->open(target, source, std::move(authorization));
    if (ok) {
      c->start_reading(listener);
      opened_.fetch_add(1, std::memory_order_relaxed);
    } else {
      ++worker.open_errors[c->error()];
    }
    finished_.fetch_add(1, std::memory_order_relaxed);
    worker.connections[j] = std::move(c);
  }
}

void Fleet::post(unsigned w, std::function<void()> fn) { asio::post(workers_[w]->ioc, std::move(fn)); }

void Fleet::stop() {
  for (unsigned w = 0; w < workers_.size(); ++w) {
    if (!workers_[w]->thread.joinable()) continue;
    post(w, [worker = workers_[w].get()] {
      for (auto& c : worker->connections) {
        if (c) c->close();
      }
      worker->ioc.stop();
    });
  }
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  guards_.clear();
}

}  // namespace hush::load
