// hush-load: the load generator for hushd (docs/performance.md, "hushd
// relay"). Parses flags, raises its descriptor limit, loads or registers the
// accounts, and runs one measurement: relay (--max, --rate) or idle (--idle).
// It only ever connects to loopback addresses, and every run is bounded.
#include "accounts.hpp"
#include "idle.hpp"
#include "options.hpp"
#include "relay.hpp"

#include <hush/crypto/init.hpp>

#include <boost/asio/ip/address.hpp>
#include <openssl/ssl.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

/// Raises RLIMIT_NOFILE to the hard limit (an unprivileged process may not
/// go further); prints what it got, since it bounds --idle.
void raise_descriptor_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
  ::getrlimit(RLIMIT_NOFILE, &r);
  std::fprintf(stderr, "hush-load: descriptor limit %llu\n", static_cast<unsigned long long>(r.rlim_cur));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hush::load;
  Options o;
  const auto outcome = parse_options(std::vector<std::string>(argv + 1, argv + argc), o);
  if (!outcome.run) {
    std::fputs(outcome.text.c_str(), outcome.exit_code == 0 ? stdout : stderr);
    return outcome.exit_code;
  }
  hush::crypto::ensure_initialized();
  raise_descriptor_limit();

  asio::ssl::context tls(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  tls.load_verify_file(o.ca_file, ec);
  if (ec) {
    std::fprintf(stderr, "hush-load: cannot read %s: %s\n", o.ca_file.c_str(), ec.message().c_str());
    return 2;
  }
  // Idle connections then keep no TLS record buffers, as on the server.
  SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  std::vector<ConnectTarget> targets;
  for (const auto& node : o.nodes) {
    targets.push_back(ConnectTarget{asio::ip::tcp::endpoint(asio::ip::make_address(node.host), node.port), node.host});
  }

  std::vector<Account> accounts;
  if (!o.accounts_file.empty()) {
    auto loaded = load_accounts(o.accounts_file);
    if (!loaded) {
      std::fprintf(stderr, "hush-load: %s is not an accounts file\n", o.accounts_file.c_str());
      return 2;
    }
    accounts = std::move(*loaded);
  }
  if (accounts.size() < o.accounts) {
    const std::size_t missing = o.accounts - accounts.size();
    std::fprintf(stderr, "hush-load: registering %zu accounts\n", missing);
    // Every node serves every account (one database): the first registers them.
    auto fresh = register_accounts(targets.front(), tls, missing, o.open_concurrency);
    accounts.insert(accounts.end(), fresh.begin(), fresh.end());
    if (!o.accounts_file.empty() && !save_accounts(o.accounts_file, accounts)) {
      std::fprintf(stderr, "hush-load: cannot write %s\n", o.accounts_file.c_str());
    }
    if (accounts.size() < o.accounts) return 1;
  }
  accounts.resize(o.accounts);
  return o.mode == Mode::idle ? run_idle(o, accounts, tls, targets) : run_relay(o, accounts, tls, targets);
}
