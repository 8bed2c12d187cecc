// The messaging suite, run against each storage backend: the parameter names
// the backend ("sqlite" or "postgres"); each binary instantiates it for one.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace hush::testing {

class HushdMessaging : public ::testing::TestWithParam<std::string> {};

}  // namespace hush::testing
