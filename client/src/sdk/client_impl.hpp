// The state behind Client: the store and its tables, the options, the
// connection to hushd (opened on demand, replaced after a failure) and the
// helpers the pipelines share. Private to the SDK.
#pragma once

#include "../net/connection.hpp"

#include <hush/client/client.hpp>
#include <hush/client/store/account_table.hpp>
#include <hush/client/store/directory.hpp>
#include <hush/client/store/message_history.hpp>
#include <hush/client/store/received_ids.hpp>
#include <hush/client/store/session_store.hpp>

#include <memory>
#include <optional>
#include <string>

namespace hush::client {

namespace pb = ::hush::service::v1;

/// Lower-case username (hushd compares names case-insensitively).
[[nodiscard]] std::string normalize_username(std::string_view name);

class ClientImpl {
 public:
  ClientImpl(std::unique_ptr<crypto::Rng> own_rng, std::unique_ptr<store::LocalStore> store, ClientOptions options);

  // ---- shared helpers (client.cpp)
  /// The account, cached. not_found before registration.
  Result<const store::Account*> account();
  [[nodiscard]] Status save_account(const store::Account& account);
  /// The connection, opened if needed. unauthorized, network_failure, timeout.
  Result<net::Connection*> connection();
  /// One request; the Response whatever its status. A transport failure
  /// drops the connection (the next call reconnects).
  Result<pb::Response> request(pb::ClientFrame frame);
  /// One request that must answer 200; otherwise the status's Errc.
  Result<pb::Response> request_ok(pb::ClientFrame frame);
  /// Username -> account id, from the directory or the server (and then recorded).
  Result<Bytes> account_of(std::string_view username, bool refresh = false);
  void drop_connection();
  [[nodiscard]] crypto::Rng& rng() noexcept { return rng_; }
  [[nodiscard]] std::uint64_t now_ms() const { return options_.clock(); }
  [[nodiscard]] std::filesystem::path ca_file() const;

  // ---- registration and keys (registration.cpp)
  Result<Identity> register_account(std::string_view server_url, std::string_view username,
                                    const std::filesystem::path& ca_file);
  Result<Identity> whoami();
  Result<HousekeepingReport> housekeeping();
  /// Makes the keys of a new device (identity given or fresh) and the RegisterRequest that publishes them.
  Result<pb::RegisterRequest> prepare_device(const signal::IdentityKeyPair& identity);
  /// POSTs /v1/register and saves the account. Errors as register_account.
  Result<Identity> finish_registration(const net::ServerUrl& url, const std::filesystem::path& ca_file,
                                       const pb::RegisterRequest& request, std::string username);

  // ---- messaging (messaging.cpp)
  Result<SentMessage> send_text(std::string_view username, std::string_view text);
  Result<std::vector<ReceivedMessage>> receive(std::chrono::milliseconds wait);
  Status listen(const std::function<void(const ReceivedMessage&)>& on_message, std::stop_token stop,
                const std::function<void()>& on_tick);

  // ---- contacts and safety (contacts.cpp)
  Result<std::vector<HistoryMessage>> history(std::string_view username, std::size_t limit);
  Result<std::vector<Contact>> contacts();
  Result<SafetyNumber> safety_number(std::string_view username);
  Status verify(std::string_view username);
  Status trust(std::string_view username);
  Result<std::vector<DeviceInfo>> devices();
  Status remove_device(std::uint32_t device_id);

  // ---- linking (linking.cpp)
  Result<LinkOffer> link_begin(std::string_view server_url, const std::filesystem::path& ca_file);
  Result<Identity> link_complete(const ProvisioningEnvelope& envelope);
  Result<ProvisioningEnvelope> approve_device(std::string_view code);

  store::LocalStore& store() noexcept { return *store_; }
  store::SqliteProtocolStore& protocol() noexcept { return protocol_; }
  store::Directory& directory() noexcept { return directory_; }
  store::SdkState& state() noexcept { return state_; }
  const ClientOptions& options() const noexcept { return options_; }

 private:
  // messaging.cpp internals
  struct Envelope;
  Status process_envelope(const pb::Envelope& e, std::vector<ReceivedMessage>& out, bool& ack);
  Status send_to_account(const store::Account& me, ByteView account_id, const std::string& name,
                         ByteView padded, ByteView server_message_id, SentMessage& sent);
  Status fetch_and_process_bundles(ByteView account_id, const std::string& name, std::optional<std::uint32_t> device);

  std::unique_ptr<crypto::Rng> own_rng_;
  crypto::Rng& rng_;
  std::unique_ptr<store::LocalStore> store_;
  ClientOptions options_;
  store::SqliteProtocolStore protocol_;
  store::AccountTable accounts_;
  store::MessageHistory history_;
  store::ReceivedIds received_;
  store::Directory directory_;
  store::SdkState state_;
  std::optional<store::Account> account_;
  std::unique_ptr<net::Connection> conn_;
};

}  // namespace hush::client
