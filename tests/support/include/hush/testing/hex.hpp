// Test helper: hex literals to bytes, aborting on malformed test data.
#pragma once

#include <hush/util/bytes.hpp>

#include <string_view>

namespace hush::testing {

/// Parses hex (spaces allowed, for readability of long vectors).
Bytes hex(std::string_view text);

}  // namespace hush::testing
