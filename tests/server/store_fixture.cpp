// StoreConformance set-up and helpers, and the registration of the
// PostgreSQL environment for this test binary.
#include "store_fixture.hpp"

#include <hush/crypto/xeddsa.hpp>
#include <hush/testing/temporary_postgres.hpp>

#include <filesystem>

namespace hush::server::testing {
namespace {

// One PostgreSQL for the whole binary, stopped after the last test.
[[maybe_unused]] auto* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new hush::testing::PostgresEnvironment);

}  // namespace

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "SQLite" : "PostgreSQL";
}

void StoreConformance::SetUp() {
  if (GetParam() == Backend::sqlite) {
    char tmpl[] = "/tmp/hush-store-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    sqlite_dir_ = tmpl;
    url_ = "sqlite:" + sqlite_dir_ + "/hush.db";
  } else {
    auto* pg = hush::testing::PostgresEnvironment::server();
    ASSERT_NE(pg, nullptr) << "PostgreSQL must run for these tests";
    url_ = pg->create_database();
  }
  open();
}

void StoreConformance::TearDown() {
  messages_.reset();
  keys_.reset();
  accounts_.reset();
  store_.reset();
  if (!sqlite_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(sqlite_dir_, ec);
  }
}

void StoreConformance::open() {
  auto store = storage::open_store(url_);
  ASSERT_TRUE(store) << errc_name(store.code()) << " " << store.error().context;
  store_ = std::move(*store);
  AccountServiceConfig config;
  config.registration_limit.burst = 1e9;  // rate limiting has its own tests
  config.registration_global.burst = 1e9;
  accounts_ = std::make_unique<AccountService>(*store_, clock_, rng_, config);
  keys_ = std::make_unique<KeyService>(*store_);
  messages_ = std::make_unique<MessageService>(*store_, clock_, listener_, message_config_, &abuse_);
}

void StoreConformance::reopen() {
  messages_.reset();
  keys_.reset();
  accounts_.reset();
  store_.reset();
  open();
}

void StoreConformance::configure_messages(MessageServiceConfig config) {
  message_config_ = config;
  messages_ = std::make_unique<MessageService>(*store_, clock_, listener_, message_config_, &abuse_);
}

DeviceEnrollment StoreConformance::register_user(const std::string& name) {
  auto r = accounts_->register_account(name, RegistrationId{1000 + ++registrations_}, "127.0.0.1");
  EXPECT_TRUE(r) << errc_name(r.code());
  if (!r) std::abort();  // every caller needs the account
  return std::move(*r);
}

DeviceEnrollment StoreConformance::link_device(const DeviceAddress& owner, RegistrationId registration_id) {
  auto grant = accounts_->create_link_token(owner);
  EXPECT_TRUE(grant);
  if (!grant) std::abort();
  auto r = accounts_->link_device(grant->token.expose(), registration_id, "192.0.2.1");
  EXPECT_TRUE(r) << errc_name(r.code());
  if (!r) std::abort();
  return std::move(*r);
}

crypto::KeyPair& StoreConformance::identity_of(const AccountId& account) {
  auto it = identities_.find(account);
  if (it == identities_.end()) it = identities_.emplace(account, crypto::KeyPair::generate(rng_)).first;
  return it->second;
}

SignedPreKeyUpload StoreConformance::signed_pre_key(const AccountId& account, std::uint32_t id) {
  auto spk = crypto::KeyPair::generate(rng_);
  SignedPreKeyUpload up;
  up.id = id;
  up.public_key = spk.public_key.serialize();
  auto sig = crypto::xeddsa_sign(identity_of(account).private_key, up.public_key, rng_);
  up.signature.assign(sig.begin(), sig.end());
  return up;
}

std::vector<OneTimePreKeyUpload> StoreConformance::one_time_pre_keys(std::uint32_t first_id, std::size_t n) {
  std::vector<OneTimePreKeyUpload> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back({first_id + static_cast<std::uint32_t>(i), crypto::KeyPair::generate(rng_).public_key.serialize()});
  return out;
}

void StoreConformance::upload_keys(const DeviceAddress& device, std::uint32_t spk_id) {
  auto st = keys_->set_keys(device, identity_of(device.account).public_key.serialize(),
                            signed_pre_key(device.account, spk_id));
  ASSERT_TRUE(st) << errc_name(st.code());
}

SendRequest StoreConformance::make_send(const DeviceAddress& from, const AccountId& to, std::uint8_t message_number,
                                        const std::string& text) {
  SendRequest req;
  req.sender = from;
  req.recipient = to;
  req.message_id.fill(0);
  req.message_id[0] = message_number;
  req.message_id[1] = static_cast<std::uint8_t>(raw(from.device));
  auto devices = store_->list_devices(to);
  EXPECT_TRUE(devices);
  if (!devices) return req;
  for (const DeviceRecord& d : *devices) {
    if (to == from.account && d.id == from.device) continue;
    req.copies.push_back(OutgoingCopy{d.id, d.registration_id, 1,
                                      to_bytes(text + "#" + std::to_string(message_number) + "@" +
                                               std::to_string(raw(d.id)))});
  }
  return req;
}

Result<SendReceipt> StoreConformance::send(const SendRequest& request) {
  DeviceMismatch mismatch;
  return messages_->send(request, mismatch);
}

}  // namespace hush::server::testing

namespace hush::server::testing {

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::Values(Backend::sqlite, Backend::postgres),
                         backend_name);

}  // namespace hush::server::testing
