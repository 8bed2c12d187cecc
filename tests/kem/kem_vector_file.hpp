// Reads the C2SP CCTV ML-KEM vector files (tests/vectors/ml-kem): records of
// "name = hex" lines separated by blank lines, plain or gzip-compressed.
#pragma once

#include <hush/util/bytes.hpp>

#include <map>
#include <string>
#include <vector>

namespace hush::testing {

/// One record: the first value of each name (files repeat some names).
using KemVectorRecord = std::map<std::string, Bytes>;

/// The records of a vector file under tests/vectors/ml-kem/ (relative path);
/// fails the calling test (ADD_FAILURE) when the file cannot be read.
std::vector<KemVectorRecord> read_kem_vector_records(const std::string& relative_path);

/// The lines of a file under tests/vectors/ml-kem/ (.gz read through zlib).
std::vector<std::string> read_kem_vector_lines(const std::string& relative_path);

}  // namespace hush::testing
