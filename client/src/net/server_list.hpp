// The nodes of one Hush service, in the order a client tries them
// (issue #17): every node serves every account, so a client whose node is
// down uses the next. Written "URL[,URL...]" on the command line and kept
// in that canonical form in the store's account row (one URL is a list of
// one, so stores made before lists read unchanged).
#pragma once

#include "server_url.hpp"

#include <hush/util/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hush::client::net {

struct ServerList {
  /// More is a typo or an attack on the connect loop, not a deployment.
  static constexpr std::size_t kMaxServers = 16;

  std::vector<ServerUrl> urls;  ///< never empty once parsed; no repeats

  /// Comma-separated URLs (spaces around commas allowed), each as
  /// ServerUrl::parse takes it. invalid_argument: none, too many, or a bad one.
  static Result<ServerList> parse(std::string_view text);
  /// The canonical form: each ServerUrl::str(), joined by ",".
  [[nodiscard]] std::string str() const;
};

/// Tries `attempt` on each server of `servers`, starting at index `first`
/// and wrapping around, until one does not fail with network_failure or
/// timeout (a node that answered, even with a refusal, decides). Sets
/// `first` to the index that decided, so the next call starts there.
template <class T, class Attempt>
Result<T> try_servers(const ServerList& servers, std::size_t& first, Attempt&& attempt) {
  Result<T> last = make_error(Errc::network_failure, "no server");
  const std::size_t n = servers.urls.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (first + k) % n;
    last = attempt(servers.urls[i]);
    if (last || (last.code() != Errc::network_failure && last.code() != Errc::timeout)) {
      first = i;
      return last;
    }
  }
  return last;
}

}  // namespace hush::client::net
