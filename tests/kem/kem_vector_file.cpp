// Vector file reading for the KEM tests (kem_vector_file.hpp).
#include "kem_vector_file.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace hush::testing {

std::vector<std::string> read_kem_vector_lines(const std::string& relative_path) {
  const std::string path = std::string(HUSH_ML_KEM_VECTORS_DIR) + "/" + relative_path;
  std::vector<std::string> lines;
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files unchanged too
  if (f == nullptr) {
    ADD_FAILURE() << "cannot open " << path;
    return lines;
  }
  std::string line;
  char buf[8192];
  while (gzgets(f, buf, sizeof buf) != nullptr) {
    line += buf;
    if (line.empty() || line.back() != '\n') continue;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    lines.push_back(line);
    line.clear();
  }
  if (!line.empty()) lines.push_back(line);
  gzclose(f);
  return lines;
}

std::vector<KemVectorRecord> read_kem_vector_records(const std::string& relative_path) {
  std::vector<KemVectorRecord> records(1);
  for (const auto& line : read_kem_vector_lines(relative_path)) {
    if (line.empty()) {
      if (!records.back().empty()) records.emplace_back();
      continue;
    }
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    const std::string name = line.substr(0, eq);
    const std::string value = line.substr(eq + 3);
    if (value.starts_with("{") || records.back().count(name) != 0) continue;  // decimal dumps, repeats
    auto bytes = from_hex(value);
    if (!bytes) continue;  // "dkPKE = NTT(s) = …" style annotations
    records.back().emplace(name, std::move(*bytes));
  }
  if (records.back().empty()) records.pop_back();
  return records;
}

}  // namespace hush::testing
