#include "server_list.hpp"

namespace hush::client::net {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Result<ServerList> ServerList::parse(std::string_view text) {
  ServerList out;
  for (;;) {
    const auto comma = text.find(',');
    const std::string_view one = trim(text.substr(0, comma));
    HUSH_TRY_ASSIGN(auto url, ServerUrl::parse(one));
    bool repeated = false;
    for (const auto& u : out.urls) repeated = repeated || u.str() == url.str();
    if (!repeated) out.urls.push_back(std::move(url));
    if (out.urls.size() > kMaxServers) return make_error(Errc::invalid_argument, "too many server URLs");
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string ServerList::str() const {
  std::string out;
  for (const auto& u : urls) {
    if (!out.empty()) out += ',';
    out += u.str();
  }
  return out;
}

}  // namespace hush::client::net
