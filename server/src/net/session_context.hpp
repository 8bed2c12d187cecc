// Internal to net/: what every connection shares (application, pools,
// registries, metrics, limits, TLS context), the `offload` helper that runs a
// blocking call on the service pool and resumes on the caller's strand, and
// the entry points of the HTTP and WebSocket session code.
#pragma once

#include "net/application.hpp"
#include "net/connection_counter.hpp"
#include "net/limits.hpp"
#include "net/metrics.hpp"
#include "net/provisioning_registry.hpp"
#include "net/registry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <string>
#include <type_traits>

namespace hush::server::net {

namespace asio = boost::asio;

inline constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

struct SessionContext {
  Application& app;
  asio::thread_pool& pool;
  Registry& registry;
  ProvisioningRegistry& provisioning;
  Metrics& metrics;
  const Limits& limits;
  asio::ssl::context* tls;  ///< null: plain TCP (loopback only)
  std::atomic<bool>& stopping;
  ConnectionCounter& per_account;  ///< WebSocket sessions per account
  /// A cross-node bus delivers wake-ups (Server::set_wake_bus_up): the
  /// mailbox poll slows down to a safety net.
  std::atomic<bool>& wake_bus_up;
};

/// Runs `fn()` on the service pool and resumes the awaiting coroutine on its
/// own executor (strand) with the result; an exception thrown by `fn` is
/// rethrown in the coroutine. The result type must be default-constructible.
/// `fn` is taken by reference and must be a named local of the awaiting
/// coroutine: g++ 12 mishandles non-trivial temporaries (a lambda capturing
/// a string) that live across a co_await, so none may appear in one.
template <class F>
auto offload(SessionContext& ctx, F& fn) {
  using R = std::invoke_result_t<F&>;
  return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, R)>(
      [&ctx, fp = &fn](auto handler) {
        auto work = asio::make_work_guard(asio::get_associated_executor(handler));
        asio::post(ctx.pool, [&ctx, fp, handler = std::move(handler), work = std::move(work)]() mutable {
          std::exception_ptr error;
          R result{};
          const auto started = std::chrono::steady_clock::now();
          try {
            result = (*fp)();
          } catch (...) {
            error = std::current_exception();
          }
          ctx.metrics.observe_service_call(std::chrono::steady_clock::now() - started);
          auto target = work.get_executor();
          asio::dispatch(target, [handler = std::move(handler), error, result = std::move(result)]() mutable {
            std::move(handler)(error, std::move(result));
          });
        });
      },
      asio::use_awaitable);
}

/// A wake-up flag for coroutines on one strand: wait() suspends until
/// notify(). Callers re-check their condition after waking (no lost wake-ups
/// as long as the condition is checked on the same strand before waiting).
class StrandSignal {
 public:
  explicit StrandSignal(const asio::any_io_executor& ex) : timer_(ex, asio::steady_timer::time_point::max()) {}
  asio::awaitable<void> wait() { co_await timer_.async_wait(kAsTuple); }
  /// wait(), but for at most `limit`: true when the time ran out (no notify()).
  asio::awaitable<bool> wait_for(std::chrono::milliseconds limit) {
    timer_.expires_after(limit);
    auto [ec] = co_await timer_.async_wait(kAsTuple);
    timer_.expires_at(asio::steady_timer::time_point::max());
    co_return !ec;
  }
  void notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

/// Serves one accepted TCP connection: TLS handshake (unless plain), HTTP
/// requests, and the WebSocket upgrade. Never throws for network conditions.
/// `address_slot` is the connection's place under the per-address cap; it is
/// held until the connection (or the session it upgrades to) ends.
asio::awaitable<void> run_connection(asio::ip::tcp::socket socket, SessionContext& ctx,
                                     ConnectionCounter::Slot address_slot);

/// Serves one connection of the metrics listener (plain HTTP, normally on
/// loopback): one `GET /metrics`, then close. Anything else is `404`.
asio::awaitable<void> run_metrics_connection(asio::ip::tcp::socket socket, SessionContext& ctx);

}  // namespace hush::server::net
