// The idle-connection measurement: open N authenticated TLS WebSockets that
// then only answer pings, and report hushd's resident memory per connection.
#pragma once

#include "accounts.hpp"
#include "options.hpp"

#include <vector>

namespace hush::load {

/// Runs the measurement and prints its report; the process exit code.
int run_idle(const Options& options, const std::vector<Account>& accounts, asio::ssl::context& tls,
             const std::vector<ConnectTarget>& targets);

}  // namespace hush::load
