// pair_connections: who each of a worker's connections sends to when its
// connections are spread over nodes (connection j on node j % nodes). The
// checks are the promises of pairing.hpp: nobody sends to itself, the node
// rule of each pairing holds, and every connection receives about as much as
// it sends.
#include "pairing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace hush::load {
namespace {

/// How many connections send to each one.
std::vector<std::size_t> receivers(const std::vector<std::size_t>& dest) {
  std::vector<std::size_t> in(dest.size(), 0);
  for (auto d : dest) ++in.at(d);
  return in;
}

TEST(PairConnections, SameNodeStaysOnTheNodeAndIsAPermutation) {
  for (std::size_t nodes = 1; nodes <= 3; ++nodes) {
    for (std::size_t count = 2 * nodes; count <= 20; ++count) {
      const auto dest = pair_connections(count, nodes, Pairing::same_node, 1);
      ASSERT_TRUE(dest) << count << " over " << nodes;
      for (std::size_t j = 0; j < count; ++j) {
        EXPECT_NE((*dest)[j], j);
        EXPECT_EQ((*dest)[j] % nodes, j % nodes) << "connection " << j << " of " << count;
      }
      const auto in = receivers(*dest);
      EXPECT_TRUE(std::all_of(in.begin(), in.end(), [](std::size_t n) { return n == 1; }));
    }
  }
}

TEST(PairConnections, OneNodeSameNodeIsTheNextConnection) {
  const auto dest = pair_connections(4, 1, Pairing::same_node, 1);
  ASSERT_TRUE(dest);
  EXPECT_EQ(*dest, (std::vector<std::size_t>{1, 2, 3, 0}));
}

TEST(PairConnections, CrossNodeAlwaysLeavesTheNode) {
  for (std::size_t nodes = 2; nodes <= 4; ++nodes) {
    for (std::size_t count = nodes; count <= 21; ++count) {
      const auto dest = pair_connections(count, nodes, Pairing::cross_node, 1);
      ASSERT_TRUE(dest) << count << " over " << nodes;
      for (std::size_t j = 0; j < count; ++j) {
        EXPECT_NE((*dest)[j] % nodes, j % nodes) << "connection " << j << " of " << count << " over " << nodes;
      }
      const auto in = receivers(*dest);
      EXPECT_LE(*std::max_element(in.begin(), in.end()), 2u);
    }
  }
}

TEST(PairConnections, AnyIsOneCycleThroughAllAndCrossesSometimes) {
  const std::size_t count = 60;
  const auto dest = pair_connections(count, 3, Pairing::any, 42);
  ASSERT_TRUE(dest);
  std::size_t at = 0;
  std::size_t crossing = 0;
  for (std::size_t step = 0; step < count; ++step) {
    if ((*dest)[at] % 3 != at % 3) ++crossing;
    at = (*dest)[at];
    if (step + 1 < count) {
      EXPECT_NE(at, 0u) << "a cycle shorter than " << count;
    }
  }
  EXPECT_EQ(at, 0u);
  EXPECT_GT(crossing, 0u);
  EXPECT_LT(crossing, count);
  EXPECT_EQ(pair_connections(count, 3, Pairing::any, 42), dest) << "the seed decides";
}

TEST(PairConnections, ImpossiblePairingsAreRefused) {
  EXPECT_FALSE(pair_connections(1, 1, Pairing::same_node, 1));
  EXPECT_FALSE(pair_connections(5, 3, Pairing::same_node, 1)) << "a node with one connection";
  EXPECT_FALSE(pair_connections(8, 1, Pairing::cross_node, 1));
  EXPECT_FALSE(pair_connections(2, 3, Pairing::cross_node, 1));
  EXPECT_FALSE(pair_connections(1, 1, Pairing::any, 1));
  EXPECT_FALSE(pair_connections(4, 0, Pairing::any, 1));
}

TEST(PairConnections, NamesAreTheFlagValues) {
  EXPECT_STREQ(pairing_name(Pairing::same_node), "same-node");
  EXPECT_STREQ(pairing_name(Pairing::cross_node), "cross-node");
  EXPECT_STREQ(pairing_name(Pairing::any), "any");
}

}  // namespace
}  // namespace hush::load
