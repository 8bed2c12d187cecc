// Who each relay connection of one worker sends to (--pairing). A worker's
// j-th connection is on node j % nodes (fleet.hpp), so the pairing is a
// function of the connection count, the node count and a seed alone, and a
// worker's pushes still all arrive on that worker's own connections.
#pragma once

#include "options.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace hush::load {

/// The destination (a local connection index) of each of a worker's `count`
/// connections over `nodes` nodes: same_node, the next connection on the
/// same node; cross_node, the next connection, which is on the next node;
/// any, one random cycle through all of them (seeded by `seed`), so about
/// (nodes - 1) / nodes of the messages cross. No connection sends to
/// itself. nullopt when the pairing cannot be made: same_node needs two
/// connections per node (count >= 2 * nodes), cross_node two nodes, all of
/// them two connections.
std::optional<std::vector<std::size_t>> pair_connections(std::size_t count, std::size_t nodes, Pairing pairing,
                                                         std::uint64_t seed);

/// The pairing's name on the command line and in reports ("same-node").
const char* pairing_name(Pairing pairing);

}  // namespace hush::load
