// The relay measurement: every connection sends to another connection's
// account on the same worker (on the same node, the next node or any, by
// --pairing: pairing.hpp) and acknowledges what is pushed to it, so one
// message is send → stored (the response) → pushed → acked. Open loop
// (--rate) or closed loop (--max); see relay.cpp for the phases.
#pragma once

#include "accounts.hpp"
#include "options.hpp"

#include <vector>

namespace hush::load {

/// Runs the measurement and prints its report; the process exit code.
int run_relay(const Options& options, const std::vector<Account>& accounts, asio::ssl::context& tls,
              const std::vector<ConnectTarget>& targets);

}  // namespace hush::load
