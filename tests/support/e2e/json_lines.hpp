// Reading what `hush --json` prints in the end-to-end tests: one JSON object
// a line, values without escapes. A test's view, not a JSON parser.
#pragma once

#include <string>
#include <vector>

namespace hush::testing {

/// The value of `key` in a one-line JSON object: a string without its
/// quotes, an array with its brackets, anything else as written; empty when
/// `key` is absent.
[[nodiscard]] std::string json_field(const std::string& line, const std::string& key);

/// `s` split at '\n' (no empty last line for a final '\n').
[[nodiscard]] std::vector<std::string> lines_of(const std::string& s);

}  // namespace hush::testing
