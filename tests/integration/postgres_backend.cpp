// Runs the messaging suite against a real PostgreSQL that the test binary
// starts itself (tests/server/support), one server for the whole binary.
#include "messaging_test.hpp"

#include <hush/testing/temporary_postgres.hpp>

namespace hush::testing {
namespace {
[[maybe_unused]] ::testing::Environment* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);
}  // namespace
INSTANTIATE_TEST_SUITE_P(Postgres, HushdMessaging, ::testing::Values(std::string("postgres")));
}  // namespace hush::testing
