// Runs the per-backend suites (harness.hpp) against a real PostgreSQL that the test binary
// starts itself (tests/server/support), one server for the whole binary.
#include "harness.hpp"

#include <hush/testing/temporary_postgres.hpp>

namespace hush::testing {
namespace {
[[maybe_unused]] ::testing::Environment* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);
}  // namespace
INSTANTIATE_TEST_SUITE_P(Postgres, HushdMessaging, ::testing::Values(std::string("postgres")));
INSTANTIATE_TEST_SUITE_P(Postgres, HushdAuthorization, ::testing::Values(std::string("postgres")));
INSTANTIATE_TEST_SUITE_P(Postgres, HushdDevices, ::testing::Values(std::string("postgres")));
INSTANTIATE_TEST_SUITE_P(Postgres, HushdProvisioning, ::testing::Values(std::string("postgres")));
INSTANTIATE_TEST_SUITE_P(Postgres, HushdFanOut, ::testing::Values(std::string("postgres")));
INSTANTIATE_TEST_SUITE_P(Postgres, HushdPipelining, ::testing::Values(std::string("postgres")));
INSTANTIATE_TEST_SUITE_P(Postgres, HushdKyberKeys, ::testing::Values(std::string("postgres")));
}  // namespace hush::testing
