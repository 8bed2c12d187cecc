// Registration and the accounts file (see accounts.hpp). Registration uses
// source addresses from a random point of 127.64.0.0/10, five per address
// (hushd's per-address burst), one HTTPS request per connection.
#include "accounts.hpp"

#include "service.pb.h"

#include <hush/crypto/random.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/service/registration_proof.hpp>
#include <hush/util/bytes.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace hush::load {
namespace {

namespace http = beast::http;
namespace pb = ::hush::service::v1;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
/// hushd lets one client address register five accounts at once.
constexpr std::uint32_t kRegistrationsPerAddress = 5;
constexpr std::chrono::seconds kRequestTimeout{20};

std::string base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

/// A registration and the identity key that must sign its proof of possession.
struct Signed {
  pb::RegisterRequest request;
  crypto::KeyPair identity;
};

Signed make_request(const std::string& username, std::uint32_t registration_id) {
  auto& rng = crypto::system_rng();
  auto identity = crypto::KeyPair::generate(rng);
  const auto spk = crypto::KeyPair::generate(rng);
  const Bytes spk_public = spk.public_key.serialize();
  const auto signature = crypto::xeddsa_sign(identity.private_key, spk_public, rng);
  pb::RegisterRequest req;
  req.set_username(username);
  req.set_identity_key(to_string(identity.public_key.serialize()));
  req.set_registration_id(registration_id);
  auto* s = req.mutable_signed_pre_key();
  s->set_id(1);
  s->set_public_key(to_string(spk_public));
  s->set_signature(to_string(signature));
  return Signed{std::move(req), std::move(identity)};
}

/// Sets the challenge and the proof of possession (docs/server/api.md).
void sign(Signed& r, const std::string& challenge) {
  auto& req = r.request;
  const Bytes message = service::registration_proof_message(
      service::RegistrationKind::new_account, as_bytes(challenge), req.username(), req.registration_id(),
      as_bytes(req.identity_key()), req.signed_pre_key().id(), as_bytes(req.signed_pre_key().public_key()));
  req.set_challenge(challenge);
  req.set_proof(to_string(crypto::xeddsa_sign(r.identity.private_key, message, crypto::system_rng())));
}

struct Registrar {
  Registrar(const ConnectTarget& t, asio::ssl::context& c) : target(t), tls(c) {}
  const ConnectTarget& target;
  asio::ssl::context& tls;
  asio::io_context ioc{1};
  std::uint32_t base_address = 0;  ///< host-order IPv4 in 127.64.0.0/10
  std::string run_tag;
  std::size_t count = 0;
  std::size_t next = 0;
  std::vector<Account> done;
  std::map<std::string, int> errors;

  asio::awaitable<void> worker() {
    while (next < count) {
      const std::size_t i = next++;
      auto account = co_await register_one(i);
      if (account) done.push_back(std::move(*account));
    }
  }

  asio::awaitable<std::optional<Account>> register_one(std::size_t i) {
    // One address per /24: hushd counts registrations per /24 prefix.
    const auto source =
        asio::ip::address_v4(base_address + static_cast<std::uint32_t>(i) / kRegistrationsPerAddress * 256);
    const std::uint32_t registration_id = 1 + static_cast<std::uint32_t>(i % 16000);
    auto req = make_request("ld" + run_tag + "_" + std::to_string(i), registration_id);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
    auto& tcp = beast::get_lowest_layer(stream);
    boost::system::error_code ec;
    tcp.socket().open(target.server.protocol(), ec);
    if (!ec) tcp.socket().bind(asio::ip::tcp::endpoint(source, 0), ec);
    if (ec) {
      ++errors["bind: " + ec.message()];
      co_return std::nullopt;
    }
    tcp.expires_after(kRequestTimeout);
    stream.set_verify_mode(asio::ssl::verify_peer);
    stream.set_verify_callback(asio::ssl::host_name_verification(target.host_name));
    if (auto [e] = co_await tcp.async_connect(target.server, kAsTuple); e) {
      ++errors["connect: " + e.message()];
      co_return std::nullopt;
    }
    if (auto [e] = co_await stream.async_handshake(asio::ssl::stream_base::client, kAsTuple); e) {
      ++errors["tls: " + e.message()];
      co_return std::nullopt;
    }
    beast::flat_buffer buffer;
    {
      // The challenge first, on the same connection (keep-alive).
      http::request<http::string_body> ask{http::verb::post, "/v1/register/challenge", 11};
      ask.set(http::field::host, target.host_name);
      ask.prepare_payload();
      if (auto [e, n] = co_await http::async_write(stream, ask, kAsTuple); e) {
        ++errors["write: " + e.message()];
        co_return std::nullopt;
      }
      http::response<http::string_body> answer;
      pb::RegisterChallenge challenge;
      if (auto [e, n] = co_await http::async_read(stream, buffer, answer, kAsTuple); e) {
        ++errors["read: " + e.message()];
        co_return std::nullopt;
      }
      if (answer.result_int() != 200 || !challenge.ParseFromString(answer.body())) {
        ++errors["challenge status " + std::to_string(answer.result_int())];
        co_return std::nullopt;
      }
      sign(req, challenge.challenge());
    }
    http::request<http::string_body> request{http::verb::post, "/v1/register", 11};
    request.set(http::field::host, target.host_name);
    request.set(http::field::content_type, "application/x-protobuf");
    request.body() = req.request.SerializeAsString();
    request.prepare_payload();
    if (auto [e, n] = co_await http::async_write(stream, request, kAsTuple); e) {
      ++errors["write: " + e.message()];
      co_return std::nullopt;
    }
    http::response<http::string_body> response;
    if (auto [e, n] = co_await http::async_read(stream, buffer, response, kAsTuple); e) {
      ++errors["read: " + e.message()];
      co_return std::nullopt;
    }
    if (response.result_int() != 200) {
      ++errors["status " + std::to_string(response.result_int())];
      co_return std::nullopt;
    }
    pb::RegisterResponse body;
    if (!body.ParseFromString(response.body())) {
      ++errors["bad RegisterResponse"];
      co_return std::nullopt;
    }
    co_return Account{body.account_id(), body.device_id(), body.credential(), registration_id};
  }
};

}  // namespace

std::string Account::authorization() const {
  const std::string user = to_hex(as_bytes(account_id)) + "." + std::to_string(device_id);
  return "Basic " + base64(user + ":" + base64(credential));
}

std::optional<std::vector<Account>> load_accounts(const std::string& path) {
  std::ifstream in(path);
  std::vector<Account> out;
  if (!in) return out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream f(line);
    std::string account_hex, credential_hex;
    Account a;
    if (!(f >> account_hex >> a.device_id >> credential_hex >> a.registration_id)) return std::nullopt;
    auto account = from_hex(account_hex);
    auto credential = from_hex(credential_hex);
    if (!account || !credential) return std::nullopt;
    a.account_id = to_string(*account);
    a.credential = to_string(*credential);
    out.push_back(std::move(a));
  }
  return out;
}

bool save_accounts(const std::string& path, const std::vector<Account>& accounts) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    ::chmod(tmp.c_str(), 0600);
    for (const auto& a : accounts) {
      out << to_hex(as_bytes(a.account_id)) << ' ' << a.device_id << ' ' << to_hex(as_bytes(a.credential)) << ' '
          << a.registration_id << '\n';
    }
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

std::vector<Account> register_accounts(const ConnectTarget& target, asio::ssl::context& tls, std::size_t count,
                                       std::size_t concurrency) {
  Registrar r(target, tls);
  std::uint8_t random[8];
  crypto::system_rng().fill(MutableByteView(random, sizeof random));
  r.run_tag = to_hex(ByteView(random, 5));
  // 127.64.0.0/10 has 4M addresses; start at a random point so a later run
  // against the same hushd meets fresh rate-limit buckets (each account
  // group of five uses its own /24, so 3M + count / 5 * 256 stays inside).
  const std::uint32_t offset = (static_cast<std::uint32_t>(random[5]) << 16 | static_cast<std::uint32_t>(random[6]) << 8 |
                                static_cast<std::uint32_t>(random[7])) % (3U << 20);
  r.base_address = (127U << 24) | (64U << 16) | offset;
  r.count = count;
  for (std::size_t i = 0; i < std::min(concurrency, count); ++i) asio::co_spawn(r.ioc, r.worker(), asio::detached);
  r.ioc.run();
  for (const auto& [what, n] : r.errors) std::fprintf(stderr, "hush-load: registration failed %d× (%s)\n", n, what.c_str());
  return std::move(r.done);
}

}  // namespace hush::load
