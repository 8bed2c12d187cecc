// The fixture of the end-to-end suites that drive the client SDK
// (tests/client_e2e, tests/groups_e2e): HushdFixture plus SDK clients kept
// by home-folder name, registered, linked through the relay, reopened, and
// receiving until a number of messages came. Stores use the cheapest KDF.
#pragma once

#include "hushd_fixture.hpp"

#include <hush/client/client.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hush::testing {

/// `phrase` as a store passphrase with libsodium's minimum Argon2id cost.
[[nodiscard]] client::KeySource test_passphrase(std::string_view phrase);

class SdkFixture : public HushdFixture {
 protected:
  using HushdFixture::HushdFixture;

  /// Closes every client before hushd stops.
  void TearDown() override;

  /// The options the client in home `home_name` is made and opened with.
  virtual client::ClientOptions options(const std::string& /*home_name*/) { return {}; }
  /// Every store's key: `passphrase_`.
  [[nodiscard]] client::KeySource key_source() const { return test_passphrase(passphrase_); }

  /// A new store in home `home_name`, kept as clients_[home_name]. Fails the
  /// test (by throwing) when the store cannot be made.
  client::Client& created(const std::string& home_name);
  /// A new client (home `name` unless given) that registers `name`
  /// from next_url(); a registration failure is a test failure.
  client::Client& registered(const std::string& name, std::string home_name = {});
  /// A new device of `of`'s account in home `home_name`, linked through the
  /// relay (approved by clients_[of]) within `wait`.
  client::Client& linked(const std::string& of, const std::string& home_name, std::chrono::seconds wait);
  /// Closes and reopens the client of `home_name` with options(home_name), or with `o`.
  client::Client& reopen(const std::string& home_name);
  client::Client& reopen(const std::string& home_name, client::ClientOptions o);
  /// The open client of `home_name`.
  client::Client& at(const std::string& home_name) { return *clients_.at(home_name); }

  /// Receives on `c` in waits of `slice` until `n` messages came or `total` passed.
  std::vector<client::ReceivedMessage> receive_n(client::Client& c, std::size_t n,
                                                 std::chrono::seconds total = std::chrono::seconds(10),
                                                 std::chrono::seconds slice = std::chrono::seconds(2));
  static std::string text(const client::ReceivedMessage& m) { return std::string(m.text_view()); }

  std::string passphrase_ = "pw";
  std::map<std::string, std::unique_ptr<client::Client>> clients_;
};

}  // namespace hush::testing
