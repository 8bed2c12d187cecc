// The transaction guard around the SDK's transport (transport_guard.hpp).
#include "transport_guard.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace hush::client {

namespace pb = ::hush::service::v1;

namespace {

/// Shared by the factory and its transports.
struct Rule {
  const store::LocalStore& store;

  /// Returns when no transaction is open; aborts otherwise.
  void check(const char* call) const noexcept {
    if (!store.in_transaction()) return;
    std::fprintf(stderr, "hush: network call '%s' inside a client store transaction (a bug: issue #16's rule)\n",
                 call);
    std::abort();
  }
};

class GuardedTransport final : public net::Transport {
 public:
  GuardedTransport(std::unique_ptr<net::Transport> inner, std::shared_ptr<const Rule> rule)
      : inner_(std::move(inner)), rule_(std::move(rule)) {}

  Status connect(std::chrono::milliseconds timeout) override {
    rule_->check("connect");
    return inner_->connect(timeout);
  }
  bool is_open() const noexcept override { return inner_->is_open(); }
  bool still_open() override { return inner_->still_open(); }  // never waits: it only reads what arrived
  Result<pb::Response> call(pb::ClientFrame frame, std::chrono::milliseconds timeout) override {
    rule_->check("call");
    return inner_->call(std::move(frame), timeout);
  }
  Result<std::optional<pb::Envelope>> next_envelope(std::chrono::milliseconds timeout, Wait wait) override {
    rule_->check("next_envelope");
    return inner_->next_envelope(timeout, wait);
  }
  bool drained() const noexcept override { return inner_->drained(); }
  std::chrono::steady_clock::time_point connect_started() const noexcept override {
    return inner_->connect_started();
  }
  bool take_pre_keys_low() noexcept override { return inner_->take_pre_keys_low(); }
  void close() override { inner_->close(); }  // bounded, and a broken connection must go whatever happens

 private:
  std::unique_ptr<net::Transport> inner_;
  std::shared_ptr<const Rule> rule_;
};

class GuardedProvisioning final : public net::ProvisioningSocket {
 public:
  GuardedProvisioning(std::unique_ptr<net::ProvisioningSocket> inner, std::shared_ptr<const Rule> rule)
      : inner_(std::move(inner)), rule_(std::move(rule)) {}

  Result<net::ProvisioningAddress> open(std::chrono::milliseconds timeout) override {
    rule_->check("provisioning open");
    return inner_->open(timeout);
  }
  Result<std::optional<Bytes>> wait_message(std::chrono::milliseconds timeout) override {
    rule_->check("provisioning wait");
    return inner_->wait_message(timeout);
  }
  void close() override { inner_->close(); }

 private:
  std::unique_ptr<net::ProvisioningSocket> inner_;
  std::shared_ptr<const Rule> rule_;
};

class GuardedFactory final : public net::TransportFactory {
 public:
  GuardedFactory(std::shared_ptr<net::TransportFactory> inner, std::shared_ptr<const Rule> rule)
      : inner_(std::move(inner)), rule_(std::move(rule)) {}

  std::unique_ptr<net::Transport> open(const net::ServerUrl& url, const std::filesystem::path& ca_file,
                                       std::string authorization) override {
    return std::make_unique<GuardedTransport>(inner_->open(url, ca_file, std::move(authorization)), rule_);
  }
  std::unique_ptr<net::ProvisioningSocket> open_provisioning(const net::ServerUrl& url,
                                                             const std::filesystem::path& ca_file) override {
    return std::make_unique<GuardedProvisioning>(inner_->open_provisioning(url, ca_file), rule_);
  }
  Result<net::HttpAnswer> post(const net::ServerUrl& url, const std::filesystem::path& ca_file,
                               const std::string& target, const std::string& body,
                               std::chrono::milliseconds timeout) override {
    rule_->check("post");
    return inner_->post(url, ca_file, target, body, timeout);
  }

 private:
  std::shared_ptr<net::TransportFactory> inner_;
  std::shared_ptr<const Rule> rule_;
};

}  // namespace

std::shared_ptr<net::TransportFactory> guarded_transport(std::shared_ptr<net::TransportFactory> inner,
                                                         const store::LocalStore& store) {
  auto rule = std::make_shared<const Rule>(Rule{store});
  return std::make_shared<GuardedFactory>(std::move(inner), std::move(rule));
}

}  // namespace hush::client
