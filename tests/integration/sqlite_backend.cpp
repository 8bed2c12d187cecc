// Runs the messaging suite against hushd's default store (SQLite).
#include "messaging_test.hpp"

namespace hush::testing {
INSTANTIATE_TEST_SUITE_P(Sqlite, HushdMessaging, ::testing::Values(std::string("sqlite")));
}  // namespace hush::testing
