#include "cluster/redis_endpoint.hpp"

#include <charconv>

namespace hush::server::cluster {

Result<RedisEndpoint> RedisEndpoint::parse(std::string_view text) {
  constexpr std::string_view kScheme = "redis://";
  if (text.substr(0, kScheme.size()) == kScheme) text.remove_prefix(kScheme.size());
  if (!text.empty() && text.back() == '/') text.remove_suffix(1);
  RedisEndpoint out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {  // [IPv6]:port
    const auto close = text.find(']');
    if (close == std::string_view::npos) return make_error(Errc::invalid_argument, "redis address: unclosed [");
    out.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return make_error(Errc::invalid_argument, "redis address: text after ]");
      port = rest.substr(1);
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      return make_error(Errc::invalid_argument, "redis address: IPv6 hosts go in brackets");
    }
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
  }
  if (out.host.empty()) return make_error(Errc::invalid_argument, "redis address: no host");
  if (out.host.find_first_of("/@?# ") != std::string::npos) {
    return make_error(Errc::invalid_argument, "redis address: only host and port are supported");
  }
  if (!port.empty() || (text.size() > 0 && text.back() == ':')) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return make_error(Errc::invalid_argument, "redis address: bad port");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

}  // namespace hush::server::cluster
