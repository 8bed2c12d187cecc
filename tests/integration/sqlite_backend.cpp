// Runs the per-backend suites (harness.hpp) against hushd's default store (SQLite).
#include "harness.hpp"

namespace hush::testing {
INSTANTIATE_TEST_SUITE_P(Sqlite, HushdMessaging, ::testing::Values(std::string("sqlite")));
INSTANTIATE_TEST_SUITE_P(Sqlite, HushdAuthorization, ::testing::Values(std::string("sqlite")));
INSTANTIATE_TEST_SUITE_P(Sqlite, HushdDevices, ::testing::Values(std::string("sqlite")));
INSTANTIATE_TEST_SUITE_P(Sqlite, HushdProvisioning, ::testing::Values(std::string("sqlite")));
INSTANTIATE_TEST_SUITE_P(Sqlite, HushdFanOut, ::testing::Values(std::string("sqlite")));
INSTANTIATE_TEST_SUITE_P(Sqlite, HushdPipelining, ::testing::Values(std::string("sqlite")));
INSTANTIATE_TEST_SUITE_P(Sqlite, HushdKyberKeys, ::testing::Values(std::string("sqlite")));
}  // namespace hush::testing
