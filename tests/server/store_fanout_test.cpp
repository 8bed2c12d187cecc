// Conformance, group fan-out (MessageService::send_multi): one body for the
// devices of many accounts is stored once and queued for each device; each
// ack frees only its own reference and the last reference to go (ack,
// expiry, device removal) frees the body; retries are stored once; a stale
// device set of any recipient account, a full queue or bad input store
// nothing. Bodies are counted through a raw connection. SQLite and PostgreSQL.
#include "raw_database.hpp"
#include "store_fixture.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

namespace hush::server::testing {
namespace {

using namespace std::chrono_literals;

/// A fan-out from `from` of `body` to every current device of each of `to`
/// (the sending device left out), as a client with an exact view sends it.
MultiSendRequest make_multi(storage::Store& store, const DeviceAddress& from, const std::vector<AccountId>& to,
                            std::uint8_t message_number, const std::string& body = "group ciphertext") {
  MultiSendRequest req;
  req.sender = from;
  req.message_id.fill(0xF0);
  req.message_id[0] = message_number;
  req.type = 7;
  req.body = to_bytes(body);
  for (const AccountId& account : to) {
    FanOutAccount r{account, {}};
    auto devices = store.list_devices(account);
    EXPECT_TRUE(devices);
    if (!devices) continue;
    for (const DeviceRecord& d : *devices) {
      if (account == from.account && d.id == from.device) continue;
      r.devices.emplace_back(d.id, d.registration_id);
    }
    req.recipients.push_back(std::move(r));
  }
  return req;
}

class FanOut {
 public:
  FanOut(Backend backend, const std::string& url) : raw_(RawDatabase::open(backend, url)) {}
  std::int64_t bodies() { return raw_->scalar("SELECT COUNT(*) FROM bodies"); }
  std::int64_t body_bytes() { return raw_->scalar("SELECT COALESCE(SUM(LENGTH(content)), 0) FROM bodies"); }
  std::int64_t queue_rows() { return raw_->scalar("SELECT COUNT(*) FROM queue"); }

 private:
  std::unique_ptr<RawDatabase> raw_;
};

TEST_P(StoreConformance, AFanOutStoresTheBodyOnceAndQueuesItForEveryDevice) {
  auto alice = register_user("alice");
  auto alice2 = link_device(alice.address, RegistrationId{600});
  auto bob = register_user("bob");
  auto bob2 = link_device(bob.address, RegistrationId{601});
  auto carol = register_user("carol");
  FanOut db(GetParam(), url_);
  const std::string body(1000, 'g');
  MultiSendRequest req =
      make_multi(*store_, alice.address, {bob.address.account, carol.address.account, alice.address.account}, 1, body);
  std::vector<DeviceMismatch> mismatches;
  auto receipt = messages_->send_multi(req, mismatches);
  ASSERT_TRUE(receipt) << errc_name(receipt.code());
  EXPECT_FALSE(receipt->duplicate);
  EXPECT_EQ(receipt->server_time, clock_.now());
  EXPECT_TRUE(mismatches.empty());

  EXPECT_EQ(db.bodies(), 1);
  EXPECT_EQ(db.body_bytes(), 1000);
  EXPECT_EQ(db.queue_rows(), 4);
  for (const auto* device : {&bob.address, &bob2.address, &carol.address, &alice2.address}) {
    auto rows = messages_->pending(*device);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    const QueuedMessage& m = rows->front();
    EXPECT_EQ(to_string(m.body), body);
    EXPECT_EQ(m.type, 7u);
    EXPECT_EQ(m.sender, alice.address);
    EXPECT_EQ(m.message_id, req.message_id);
    EXPECT_EQ(raw(m.seq), 1u);
  }
  EXPECT_EQ(messages_->queue_depth(alice.address).value(), 0u) << "never to the sending device";
  EXPECT_EQ(listener_.events().size(), 4u);
}

TEST_P(StoreConformance, EachAckFreesOnlyItsReferenceAndTheLastFreesTheBody) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto carol = register_user("carol");
  FanOut db(GetParam(), url_);
  ASSERT_TRUE(send(make_send(alice.address, bob.address.account, 9, "one to one")));  // a body of its own
  std::vector<DeviceMismatch> mismatches;
  ASSERT_TRUE(messages_->send_multi(
      make_multi(*store_, alice.address, {bob.address.account, carol.address.account}, 1), mismatches));
  EXPECT_EQ(db.bodies(), 2);

  ASSERT_TRUE(messages_->ack(bob.address, Seq{2}));
  EXPECT_EQ(db.bodies(), 2) << "carol still references the fan-out's body";
  auto carols = messages_->pending(carol.address);
  ASSERT_TRUE(carols);
  ASSERT_EQ(carols->size(), 1u);
  EXPECT_EQ(to_string(carols->front().body), "group ciphertext");
  EXPECT_EQ(messages_->ack(bob.address, Seq{2}).code(), Errc::not_found) << "acked once";

  ASSERT_TRUE(messages_->ack(carol.address, carols->front().seq));
  EXPECT_EQ(db.bodies(), 1) << "the last reference took the body with it";
  EXPECT_EQ(db.queue_rows(), 1);
  ASSERT_TRUE(messages_->ack(bob.address, Seq{1}));
  EXPECT_EQ(db.bodies(), 0);
}

TEST_P(StoreConformance, ExpiryFreesAFanOutsBody) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto carol = register_user("carol");
  FanOut db(GetParam(), url_);
  std::vector<DeviceMismatch> mismatches;
  ASSERT_TRUE(messages_->send_multi(
      make_multi(*store_, alice.address, {bob.address.account, carol.address.account}, 1), mismatches));
  ASSERT_TRUE(messages_->ack(bob.address, Seq{1}));
  clock_.advance(kDefaultRetention / 2);
  ASSERT_TRUE(messages_->send_multi(
      make_multi(*store_, alice.address, {bob.address.account, carol.address.account}, 2, "younger"), mismatches));
  EXPECT_EQ(db.bodies(), 2);
  clock_.advance(kDefaultRetention / 2 + 1s);
  auto swept = messages_->sweep_expired();
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1u) << "carol's copy of the first fan-out";
  EXPECT_EQ(db.bodies(), 1);
  EXPECT_EQ(db.body_bytes(), 7) << "only the younger body is left";
  clock_.advance(kDefaultRetention);
  ASSERT_TRUE(messages_->sweep_expired());
  EXPECT_EQ(db.bodies(), 0);
  EXPECT_EQ(db.queue_rows(), 0);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 0u);
  EXPECT_EQ(messages_->queue_depth(carol.address).value(), 0u);
}

TEST_P(StoreConformance, RemovingTheLastReferencingDeviceFreesTheBody) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto bob2 = link_device(bob.address, RegistrationId{601});
  FanOut db(GetParam(), url_);
  std::vector<DeviceMismatch> mismatches;
  ASSERT_TRUE(messages_->send_multi(make_multi(*store_, alice.address, {bob.address.account}, 1), mismatches));
  ASSERT_TRUE(messages_->ack(bob.address, Seq{1}));
  EXPECT_EQ(db.bodies(), 1);
  ASSERT_TRUE(accounts_->remove_device(bob.address, bob2.address.device));
  EXPECT_EQ(db.bodies(), 0);
  EXPECT_EQ(db.queue_rows(), 0);

  // A removal that leaves another reference keeps the body.
  auto bob3 = link_device(bob.address, RegistrationId{602});
  ASSERT_TRUE(messages_->send_multi(make_multi(*store_, alice.address, {bob.address.account}, 2), mismatches));
  ASSERT_TRUE(accounts_->remove_device(bob.address, bob3.address.device));
  EXPECT_EQ(db.bodies(), 1);
  EXPECT_EQ(messages_->pending(bob.address)->size(), 1u);
}

TEST_P(StoreConformance, ARetriedFanOutIsStoredOnce) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto carol = register_user("carol");
  FanOut db(GetParam(), url_);
  MultiSendRequest req = make_multi(*store_, alice.address, {bob.address.account, carol.address.account}, 1);
  std::vector<DeviceMismatch> mismatches;
  auto first = messages_->send_multi(req, mismatches);
  ASSERT_TRUE(first);
  clock_.advance(5s);
  auto retry = messages_->send_multi(req, mismatches);
  ASSERT_TRUE(retry);
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->server_time, first->server_time);
  EXPECT_EQ(db.bodies(), 1);
  EXPECT_EQ(db.queue_rows(), 2);
  EXPECT_EQ(listener_.events().size(), 2u);

  // The message id is the sender's: a 1:1 send may not reuse it either.
  SendRequest one = make_send(alice.address, bob.address.account, 0);
  one.message_id = req.message_id;
  auto same_id = send(one);
  ASSERT_TRUE(same_id);
  EXPECT_TRUE(same_id->duplicate);
  EXPECT_EQ(db.queue_rows(), 2);
}

TEST_P(StoreConformance, AStaleFanOutNamesEveryStaleAccountAndStoresNothing) {
  auto alice = register_user("alice");
  auto alice2 = link_device(alice.address, RegistrationId{600});
  auto bob = register_user("bob");
  auto bob2 = link_device(bob.address, RegistrationId{601});
  auto carol = register_user("carol");
  auto dave = register_user("dave");
  auto erin = register_user("erin");
  FanOut db(GetParam(), url_);
  const std::vector<AccountId> all = {alice.address.account, bob.address.account, carol.address.account,
                                      dave.address.account, erin.address.account};
  const MultiSendRequest exact = make_multi(*store_, alice.address, all, 1);
  auto index_of = [&](const AccountId& a) {
    for (std::size_t i = 0; i < exact.recipients.size(); ++i)
      if (exact.recipients[i].account == a) return i;
    std::abort();
  };
  MultiSendRequest stale = exact;
  stale.recipients[index_of(alice.address.account)].devices.clear();          // own device 2 missing
  stale.recipients[index_of(bob.address.account)].devices.pop_back();         // bob2 missing
  stale.recipients[index_of(carol.address.account)].devices.emplace_back(DeviceId{9}, RegistrationId{1});  // extra
  stale.recipients[index_of(dave.address.account)].devices[0].second = RegistrationId{7};  // re-installed
  std::vector<DeviceMismatch> mismatches;
  EXPECT_EQ(messages_->send_multi(stale, mismatches).code(), Errc::stale_devices);
  ASSERT_EQ(mismatches.size(), 4u) << "erin's view was right";
  for (std::size_t i = 1; i < mismatches.size(); ++i) EXPECT_LT(mismatches[i - 1].account, mismatches[i].account);
  std::map<AccountId, DeviceMismatch> by_account;
  for (auto& m : mismatches) by_account[m.account] = m;
  EXPECT_EQ(by_account[alice.address.account].missing, std::vector<DeviceId>{alice2.address.device});
  EXPECT_EQ(by_account[bob.address.account].missing, std::vector<DeviceId>{bob2.address.device});
  EXPECT_EQ(by_account[carol.address.account].extra, std::vector<DeviceId>{DeviceId{9}});
  EXPECT_EQ(by_account[dave.address.account].stale, std::vector<DeviceId>{DeviceId{1}});
  EXPECT_FALSE(by_account.contains(erin.address.account));
  EXPECT_EQ(db.bodies(), 0);
  EXPECT_EQ(db.queue_rows(), 0);
  EXPECT_TRUE(listener_.events().empty());

  // Naming the sending device itself is an extra device of one's own account.
  MultiSendRequest to_self = exact;
  to_self.recipients[index_of(alice.address.account)].devices.emplace_back(alice.address.device,
                                                                           RegistrationId{1001});
  EXPECT_EQ(messages_->send_multi(to_self, mismatches).code(), Errc::stale_devices);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].extra, std::vector<DeviceId>{alice.address.device});

  ASSERT_TRUE(messages_->send_multi(exact, mismatches)) << "the refusals did not poison the retry key";
  EXPECT_TRUE(mismatches.empty());
  EXPECT_EQ(db.bodies(), 1);
  EXPECT_EQ(db.queue_rows(), 6);
}

TEST_P(StoreConformance, TheSenderMayNameItsOwnAccountWithNoOtherDevice) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  MultiSendRequest req = make_multi(*store_, alice.address, {alice.address.account, bob.address.account}, 1);
  ASSERT_TRUE(req.recipients[0].devices.empty());
  std::vector<DeviceMismatch> mismatches;
  ASSERT_TRUE(messages_->send_multi(req, mismatches));
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);

  // Once it has another device, the empty claim is stale.
  auto alice2 = link_device(alice.address, RegistrationId{600});
  req.message_id[0] = 2;
  EXPECT_EQ(messages_->send_multi(req, mismatches).code(), Errc::stale_devices);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].account, alice.address.account);
  EXPECT_EQ(mismatches[0].missing, std::vector<DeviceId>{alice2.address.device});
}

TEST_P(StoreConformance, BadFanOutsAreRefusedWithoutChangingAnything) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto carol = register_user("carol");
  FanOut db(GetParam(), url_);
  const MultiSendRequest good = make_multi(*store_, alice.address, {bob.address.account, carol.address.account}, 1);
  std::vector<DeviceMismatch> mismatches;
  auto refused = [&](MultiSendRequest r) { return messages_->send_multi(r, mismatches).code(); };

  MultiSendRequest r = good;
  r.recipients.clear();
  EXPECT_EQ(refused(r), Errc::invalid_argument) << "no recipient";
  r = good;
  for (auto& to : r.recipients) to.devices.clear();
  EXPECT_EQ(refused(r), Errc::invalid_argument) << "no device";
  r = good;
  r.recipients.push_back(r.recipients[0]);
  EXPECT_EQ(refused(r), Errc::invalid_argument) << "an account twice";
  r = good;
  r.recipients[0].devices.push_back(r.recipients[0].devices[0]);
  EXPECT_EQ(refused(r), Errc::invalid_argument) << "a device twice";
  r = good;
  r.type = 0;
  EXPECT_EQ(refused(r), Errc::invalid_argument) << "type 0";
  r = good;
  r.body.clear();
  EXPECT_EQ(refused(r), Errc::bad_length) << "empty body";
  r = good;
  r.body.assign(kMaxBodySize + 1, 0x55);
  EXPECT_EQ(refused(r), Errc::bad_length) << "oversized body";
  r = good;
  r.recipients[0].devices.clear();
  for (std::uint32_t i = 1; i <= kMaxFanOutDevices; ++i) r.recipients[0].devices.emplace_back(DeviceId{i}, RegistrationId{1});
  EXPECT_EQ(refused(r), Errc::invalid_argument) << "more than kMaxFanOutDevices";
  r = good;
  r.recipients[1].account.bytes.fill(0x11);
  EXPECT_EQ(refused(r), Errc::not_found) << "no such account";
  EXPECT_TRUE(mismatches.empty());

  EXPECT_EQ(db.bodies(), 0);
  EXPECT_EQ(db.queue_rows(), 0);
  EXPECT_TRUE(listener_.events().empty());
  ASSERT_TRUE(messages_->send_multi(good, mismatches)) << "the refusals did not poison the retry key";
  EXPECT_EQ(db.queue_rows(), 2);
}

TEST_P(StoreConformance, AFullRecipientQueueRefusesTheWholeFanOut) {
  MessageServiceConfig config;
  config.queue_cap = 2;
  configure_messages(config);
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto carol = register_user("carol");
  FanOut db(GetParam(), url_);
  ASSERT_TRUE(send(make_send(alice.address, carol.address.account, 1)));
  ASSERT_TRUE(send(make_send(alice.address, carol.address.account, 2)));
  std::vector<DeviceMismatch> mismatches;
  MultiSendRequest req = make_multi(*store_, alice.address, {bob.address.account, carol.address.account}, 3);
  EXPECT_EQ(messages_->send_multi(req, mismatches).code(), Errc::quota_exceeded);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 0u) << "all or nothing";
  EXPECT_EQ(db.bodies(), 2);
  ASSERT_TRUE(messages_->ack(carol.address, Seq{1}));
  ASSERT_TRUE(messages_->send_multi(req, mismatches));
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);
  EXPECT_EQ(messages_->queue_depth(carol.address).value(), 2u);
}

TEST_P(StoreConformance, AFanOutToHundredsOfDevicesIsOneBodyAndARetryAfterReopenIsADuplicate) {
  // 50 accounts at the device cap (six each): 300 queue rows, one body.
  constexpr std::size_t kAccounts = 50;
  auto alice = register_user("alice");
  std::vector<AccountId> to;
  for (std::size_t i = 0; i < kAccounts; ++i) {
    auto user = register_user("member" + std::to_string(i));
    for (std::uint32_t d = 0; d < 5; ++d) link_device(user.address, RegistrationId{100 + d});
    to.push_back(user.address.account);
  }
  FanOut db(GetParam(), url_);
  MultiSendRequest req = make_multi(*store_, alice.address, to, 1, std::string(4096, 'b'));
  std::vector<DeviceMismatch> mismatches;
  ASSERT_TRUE(messages_->send_multi(req, mismatches));
  EXPECT_EQ(db.bodies(), 1);
  EXPECT_EQ(db.body_bytes(), 4096);
  EXPECT_EQ(db.queue_rows(), static_cast<std::int64_t>(kAccounts * 6));
  reopen();
  auto again = messages_->send_multi(req, mismatches);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(db.queue_rows(), static_cast<std::int64_t>(kAccounts * 6));
}

/// Holds the database so that several fan-outs reach the writer as one batch.
void run_as_one_batch(Backend backend, const std::string& url, const std::vector<std::function<void()>>& sends) {
  auto raw = RawDatabase::open(backend, url);
  raw->hold_writer();
  std::vector<std::thread> threads;
  threads.emplace_back(sends.front());
  std::this_thread::sleep_for(150ms);  // the writer has taken the first and waits
  for (std::size_t i = 1; i < sends.size(); ++i) threads.emplace_back(sends[i]);
  std::this_thread::sleep_for(500ms);  // the rest are queued
  raw->release();
  for (auto& t : threads) t.join();
}

TEST_P(StoreConformance, FanOutsSharingABatchAnswerAsIfAlone) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto bob2 = link_device(bob.address, RegistrationId{601});
  auto carol = register_user("carol");
  FanOut db(GetParam(), url_);
  const std::vector<AccountId> to = {bob.address.account, carol.address.account};
  MultiSendRequest first = make_multi(*store_, alice.address, to, 1, "first");
  MultiSendRequest second = make_multi(*store_, alice.address, to, 2, "second");
  MultiSendRequest stale = make_multi(*store_, alice.address, to, 3, "stale");
  stale.recipients[0].devices.pop_back();
  SendRequest one = make_send(carol.address, bob.address.account, 1, "one to one");
  Result<SendReceipt> r1 = make_error(Errc::timeout, "unset"), r2 = r1, r3 = r1, r4 = r1, r5 = r1;
  std::vector<DeviceMismatch> m1, m2, m3, m4;
  run_as_one_batch(GetParam(), url_,
                   {[&] { r1 = messages_->send_multi(first, m1); }, [&] { r2 = messages_->send_multi(second, m2); },
                    [&] { r3 = messages_->send_multi(stale, m3); }, [&] { r4 = messages_->send_multi(second, m4); },
                    [&] { r5 = send(one); }});
  ASSERT_TRUE(r1);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r3.code(), Errc::stale_devices);
  ASSERT_EQ(m3.size(), 1u);
  EXPECT_EQ(m3[0].missing, std::vector<DeviceId>{bob2.address.device});
  ASSERT_TRUE(r4);
  EXPECT_TRUE(r4->duplicate != r2->duplicate) << "one of the two copies of `second` is the retry";
  ASSERT_TRUE(r5);
  EXPECT_EQ(db.bodies(), 4) << "first, second, and the 1:1 send's two ciphertexts";
  EXPECT_EQ(db.queue_rows(), 8);
  auto rows = messages_->pending(bob2.address);
  ASSERT_TRUE(rows);
  std::multiset<std::string> bodies;
  for (const auto& m : *rows) bodies.insert(to_string(m.body));
  EXPECT_EQ(bodies, (std::multiset<std::string>{"first", "second", "one to one#1@2"}));
}

}  // namespace
}  // namespace hush::server::testing
