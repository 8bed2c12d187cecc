// pair_connections (see pairing.hpp). Every pairing is close to a
// permutation, so each connection receives about as much as it sends and
// no node's sessions are pushed to more than another's.
#include "pairing.hpp"

#include <algorithm>
#include <numeric>
#include <random>

namespace hush::load {

std::optional<std::vector<std::size_t>> pair_connections(std::size_t count, std::size_t nodes, Pairing pairing,
                                                         std::uint64_t seed) {
  if (count < 2 || nodes == 0) return std::nullopt;
  std::vector<std::size_t> dest(count);
  switch (pairing) {
    case Pairing::same_node:
      if (count < 2 * nodes) return std::nullopt;
      // j + nodes is the next connection on j's node; past the end, its first.
      for (std::size_t j = 0; j < count; ++j) dest[j] = j + nodes < count ? j + nodes : j % nodes;
      break;
    case Pairing::cross_node:
      if (nodes < 2 || count < nodes) return std::nullopt;
      for (std::size_t j = 0; j < count; ++j) dest[j] = (j + 1) % count;
      // The wrap lands on node 0; when the last connection is there too,
      // send to connection 1 (node 1) instead.
      if (dest[count - 1] % nodes == (count - 1) % nodes) dest[count - 1] = 1;
      break;
    case Pairing::any: {
      std::vector<std::size_t> order(count);
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::mt19937_64 rng(seed);
      std::shuffle(order.begin(), order.end(), rng);
      for (std::size_t i = 0; i < count; ++i) dest[order[i]] = order[(i + 1) % count];
      break;
    }
  }
  return dest;
}

const char* pairing_name(Pairing pairing) {
  switch (pairing) {
    case Pairing::same_node: return "same-node";
    case Pairing::cross_node: return "cross-node";
    case Pairing::any: return "any";
  }
  return "?";
}

}  // namespace hush::load
