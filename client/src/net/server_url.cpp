// ServerUrl parsing: small and strict, because the URL decides whether TLS
// is used at all.
#include "server_url.hpp"

#include <charconv>

namespace hush::client::net {

namespace {

bool is_loopback(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.substr(0, 4) == "127.";
}

}  // namespace

Result<ServerUrl> ServerUrl::parse(std::string_view url) {
  ServerUrl out;
  constexpr std::string_view kHttps = "https://";
  constexpr std::string_view kHttp = "http://";
  if (url.substr(0, kHttps.size()) == kHttps) {
    url.remove_prefix(kHttps.size());
  } else if (url.substr(0, kHttp.size()) == kHttp) {
    url.remove_prefix(kHttp.size());
    out.tls = false;
  } else {
    return make_error(Errc::invalid_argument, "server URL scheme (https:// or http:// for loopback)");
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  if (url.empty() || url.find('/') != std::string_view::npos) return make_error(Errc::invalid_argument, "server URL host");
  std::string_view host = url;
  std::string_view port;
  if (url.front() == '[') {  // [v6]:port
    auto close = url.find(']');
    if (close == std::string_view::npos) return make_error(Errc::invalid_argument, "server URL host");
    host = url.substr(1, close - 1);
    if (close + 1 < url.size()) {
      if (url[close + 1] != ':') return make_error(Errc::invalid_argument, "server URL port");
      port = url.substr(close + 2);
    }
  } else if (auto colon = url.rfind(':'); colon != std::string_view::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
  }
  if (host.empty()) return make_error(Errc::invalid_argument, "server URL host");
  if (!port.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      return make_error(Errc::invalid_argument, "server URL port");
    }
    out.port = static_cast<std::uint16_t>(value);
  } else if (!out.tls) {
    return make_error(Errc::invalid_argument, "server URL port");
  }
  if (!out.tls && !is_loopback(host)) return make_error(Errc::invalid_argument, "plain http only to loopback");
  out.host = std::string(host);
  return out;
}

std::string ServerUrl::str() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "https://" : "http://") + h + ":" + std::to_string(port);
}

}  // namespace hush::client::net
