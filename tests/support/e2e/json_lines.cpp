// json_field and lines_of (see json_lines.hpp).
#include "json_lines.hpp"

namespace hush::testing {

std::string json_field(const std::string& line, const std::string& key) {
  const std::string k = "\"" + key + "\":";
  auto at = line.find(k);
  if (at == std::string::npos) return {};
  at += k.size();
  if (line[at] == '"') return line.substr(at + 1, line.find('"', at + 1) - at - 1);
  if (line[at] == '[') return line.substr(at, line.find(']', at) - at + 1);
  return line.substr(at, line.find_first_of(",}", at) - at);
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < s.size()) {
    auto nl = s.find('\n', from);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(from, nl - from));
    from = nl + 1;
  }
  return out;
}

}  // namespace hush::testing
