// SdkFixture (see sdk_fixture.hpp).
#include "sdk_fixture.hpp"

#include <hush/util/bytes.hpp>

#include <stdexcept>

namespace hush::testing {

using client::Client;

client::KeySource test_passphrase(std::string_view phrase) {
  return client::KeySource::passphrase(SecretBuffer(as_bytes(phrase)), client::KdfCost::test_minimum);
}

void SdkFixture::TearDown() {
  clients_.clear();
  HushdFixture::TearDown();
}

Client& SdkFixture::created(const std::string& home_name) {
  auto c = Client::create(home(home_name), key_source(), options(home_name));
  if (!c) {
    ADD_FAILURE() << home_name << ": Client::create: " << errc_name(c.code());
    throw std::runtime_error("no client store for " + home_name);
  }
  return *(clients_[home_name] = std::move(*c));
}

Client& SdkFixture::registered(const std::string& name, std::string home_name) {
  if (home_name.empty()) home_name = name;
  Client& c = created(home_name);
  auto id = c.register_account(next_url(), name, ca());
  EXPECT_TRUE(id) << name << ": " << errc_name(id.code()) << " " << (id ? "" : id.error().context);
  return c;
}

Client& SdkFixture::linked(const std::string& of, const std::string& home_name, std::chrono::seconds wait) {
  Client& device = created(home_name);
  auto offer = device.link_begin(next_url(), ca());
  EXPECT_TRUE(offer) << errc_name(offer.code());
  if (!offer) return device;
  EXPECT_TRUE(at(of).approve_device(offer->code));
  auto done = device.link_complete(wait);
  EXPECT_TRUE(done) << errc_name(done.code()) << " " << (done ? "" : done.error().context);
  return device;
}

Client& SdkFixture::reopen(const std::string& home_name) { return reopen(home_name, options(home_name)); }

Client& SdkFixture::reopen(const std::string& home_name, client::ClientOptions o) {
  clients_.erase(home_name);
  auto c = Client::open(home(home_name), key_source(), std::move(o));
  if (!c) {
    ADD_FAILURE() << home_name << ": Client::open: " << errc_name(c.code());
    throw std::runtime_error("cannot reopen " + home_name);
  }
  return *(clients_[home_name] = std::move(*c));
}

std::vector<client::ReceivedMessage> SdkFixture::receive_n(Client& c, std::size_t n, std::chrono::seconds total,
                                                           std::chrono::seconds slice) {
  std::vector<client::ReceivedMessage> all;
  const auto until = std::chrono::steady_clock::now() + total;
  while (all.size() < n && std::chrono::steady_clock::now() < until) {
    auto got = c.receive(slice);
    EXPECT_TRUE(got) << errc_name(got.code()) << " " << (got ? "" : got.error().context);
    if (!got) break;
    for (auto& m : *got) all.push_back(std::move(m));
  }
  return all;
}

}  // namespace hush::testing
