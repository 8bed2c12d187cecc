// Conformance, the mailbox writer: its cached device lists follow device
// changes at once, and requests that share one group-commit batch get the
// same answers as if each had run alone (a stale send among good ones, one
// message id sent twice, one row acked twice, a device removed beside a
// send to it, a batch whose statements fail). Runs on SQLite and PostgreSQL.
#include "raw_database.hpp"
#include "store_fixture.hpp"

#include <chrono>
#include <functional>
#include <set>
#include <thread>

namespace hush::server::testing {
namespace {

using namespace std::chrono_literals;

/// Runs `first`, and while its batch waits for the database lock queues
/// `rest`, which therefore reach the writer together, as one batch.
void run_as_one_batch(Backend backend, const std::string& url, const std::function<void()>& first,
                      const std::vector<std::function<void()>>& rest) {
  auto raw = RawDatabase::open(backend, url);
  raw->hold_writer();
  std::vector<std::thread> threads;
  threads.emplace_back(first);
  std::this_thread::sleep_for(150ms);  // the writer has taken `first` and waits
  for (const auto& f : rest) threads.emplace_back(f);
  std::this_thread::sleep_for(500ms);  // all of `rest` is queued
  raw->release();
  for (auto& t : threads) t.join();
}

TEST_P(StoreConformance, ADeviceAddedBetweenTwoSendsIsSeenByTheSecond) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  SendRequest first = make_send(alice.address, bob.address.account, 1);
  ASSERT_TRUE(send(first));  // bob's devices are now cached by the writer
  auto bob2 = link_device(bob.address, RegistrationId{500});
  SendRequest second = first;
  second.message_id[0] = 2;
  DeviceMismatch mismatch;
  EXPECT_EQ(messages_->send(second, mismatch).code(), Errc::stale_devices);
  EXPECT_EQ(mismatch.missing, std::vector<DeviceId>{bob2.address.device});
  ASSERT_TRUE(send(make_send(alice.address, bob.address.account, 3)));
  EXPECT_EQ(messages_->queue_depth(bob2.address).value(), 1u);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 2u);
}

TEST_P(StoreConformance, ADeviceRemovedBetweenTwoSendsIsSeenByTheSecond) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto bob2 = link_device(bob.address, RegistrationId{500});
  SendRequest first = make_send(alice.address, bob.address.account, 1);
  ASSERT_TRUE(send(first));
  ASSERT_TRUE(accounts_->remove_device(bob.address, bob2.address.device));
  SendRequest second = first;
  second.message_id[0] = 2;
  DeviceMismatch mismatch;
  EXPECT_EQ(messages_->send(second, mismatch).code(), Errc::stale_devices);
  EXPECT_EQ(mismatch.extra, std::vector<DeviceId>{bob2.address.device});

  // A device linked in its place (a re-install: a new id, a new registration id).
  auto bob3 = link_device(bob.address, RegistrationId{501});
  SendRequest third = make_send(alice.address, bob.address.account, 3);
  third.copies.back().registration_id = RegistrationId{500};
  mismatch = {};
  EXPECT_EQ(messages_->send(third, mismatch).code(), Errc::stale_devices);
  EXPECT_EQ(mismatch.stale, std::vector<DeviceId>{bob3.address.device});
  ASSERT_TRUE(send(make_send(alice.address, bob.address.account, 4)));
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 2u);
  EXPECT_EQ(messages_->queue_depth(bob3.address).value(), 1u);
}

TEST_P(StoreConformance, ABatchMixingAStaleSendWithGoodSendsRefusesOnlyTheStaleOne) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto bob2 = link_device(bob.address, RegistrationId{500});
  auto carol = register_user("carol");
  auto dave = register_user("dave");
  auto erin = register_user("erin");
  SendRequest blocker = make_send(alice.address, bob.address.account, 1);
  SendRequest from_carol = make_send(carol.address, bob.address.account, 1);
  SendRequest from_dave = make_send(dave.address, bob.address.account, 1);
  SendRequest stale = make_send(erin.address, bob.address.account, 1);
  stale.copies.pop_back();
  Result<SendReceipt> r0 = make_error(Errc::timeout, "unset"), r1 = r0, r2 = r0, r3 = r0;
  DeviceMismatch m3;
  run_as_one_batch(GetParam(), url_, [&] { r0 = send(blocker); },
                   {[&] { r1 = send(from_carol); }, [&] { r2 = messages_->send(stale, m3); },
                    [&] { r3 = send(from_dave); }});
  EXPECT_TRUE(r0);
  EXPECT_TRUE(r1);
  EXPECT_TRUE(r3);
  EXPECT_EQ(r2.code(), Errc::stale_devices);
  EXPECT_EQ(m3.missing, std::vector<DeviceId>{bob2.address.device});
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 3u);
  EXPECT_EQ(messages_->queue_depth(bob2.address).value(), 3u);
  auto rows = messages_->pending(bob2.address);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  std::set<AccountId> senders;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    EXPECT_EQ(raw((*rows)[i].seq), i + 1) << "seqs are dense and ordered";
    senders.insert((*rows)[i].sender.account);
  }
  EXPECT_EQ(senders, (std::set<AccountId>{alice.address.account, carol.address.account, dave.address.account}));
}

TEST_P(StoreConformance, ADuplicateMessageIdInsideOneBatchIsStoredOnce) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto carol = register_user("carol");
  SendRequest blocker = make_send(alice.address, bob.address.account, 1);
  SendRequest same = make_send(carol.address, bob.address.account, 7);
  Result<SendReceipt> r0 = make_error(Errc::timeout, "unset"), r1 = r0, r2 = r0, r3 = r0;
  run_as_one_batch(GetParam(), url_, [&] { r0 = send(blocker); },
                   {[&] { r1 = send(same); }, [&] { r2 = send(same); }, [&] { r3 = send(same); }});
  ASSERT_TRUE(r0);
  ASSERT_TRUE(r1);
  ASSERT_TRUE(r2);
  ASSERT_TRUE(r3);
  EXPECT_EQ(int{!r1->duplicate} + int{!r2->duplicate} + int{!r3->duplicate}, 1) << "stored once";
  EXPECT_EQ(r1->server_time, r2->server_time);
  EXPECT_EQ(r2->server_time, r3->server_time);
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 2u);
  EXPECT_EQ(listener_.events().size(), 2u) << "one notification per stored message";
}

TEST_P(StoreConformance, AcksInsideOneBatchDeleteEachRowOnce) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto carol = register_user("carol");
  for (std::uint8_t i = 1; i <= 4; ++i) ASSERT_TRUE(send(make_send(alice.address, bob.address.account, i)));
  ASSERT_TRUE(send(make_send(alice.address, carol.address.account, 9)));
  Status a0 = make_error(Errc::timeout, "unset"), a1 = a0, a2 = a0, a3 = a0, a4 = a0;
  run_as_one_batch(GetParam(), url_, [&] { a0 = messages_->ack(bob.address, Seq{1}); },
                   {[&] { a1 = messages_->ack(bob.address, Seq{2}); }, [&] { a2 = messages_->ack(bob.address, Seq{2}); },
                    [&] { a3 = messages_->ack(bob.address, Seq{3}); },
                    [&] { a4 = messages_->ack(carol.address, Seq{4}); }});
  EXPECT_TRUE(a0);
  EXPECT_TRUE(a3);
  EXPECT_EQ(int{a1.has_value()} + int{a2.has_value()}, 1) << "a row is deleted once";
  EXPECT_EQ((a1 ? a2 : a1).code(), Errc::not_found);
  EXPECT_EQ(a4.code(), Errc::not_found) << "carol cannot name bob's row";
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);
  EXPECT_EQ(messages_->queue_depth(carol.address).value(), 1u);
  auto left = messages_->pending(bob.address);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(raw((*left)[0].seq), 4u);
  EXPECT_EQ(to_string((*left)[0].body), "ciphertext#4@1");
}

TEST_P(StoreConformance, ASendAndARemovalOfItsDeviceInOneBatchAgree) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto bob2 = link_device(bob.address, RegistrationId{500});
  auto carol = register_user("carol");
  SendRequest blocker = make_send(alice.address, bob.address.account, 1);
  SendRequest racing = make_send(carol.address, bob.address.account, 1);
  Result<SendReceipt> r0 = make_error(Errc::timeout, "unset"), r1 = r0;
  Status removed = make_error(Errc::timeout, "unset");
  DeviceMismatch mismatch;
  run_as_one_batch(GetParam(), url_, [&] { r0 = send(blocker); },
                   {[&] { r1 = messages_->send(racing, mismatch); },
                    [&] { removed = accounts_->remove_device(bob.address, bob2.address.device); }});
  ASSERT_TRUE(r0);
  ASSERT_TRUE(removed);
  if (r1) {
    EXPECT_EQ(messages_->queue_depth(bob.address).value(), 2u);
  } else {
    EXPECT_EQ(r1.code(), Errc::stale_devices);
    EXPECT_EQ(mismatch.extra, std::vector<DeviceId>{bob2.address.device});
    EXPECT_EQ(messages_->queue_depth(bob.address).value(), 1u);
  }
  EXPECT_EQ(messages_->queue_depth(bob2.address).value(), 0u);
  EXPECT_TRUE(messages_->pending(bob2.address)->empty());
  ASSERT_TRUE(send(make_send(carol.address, bob.address.account, 2)));
}

TEST_P(StoreConformance, AFailedBatchIsRetriedRequestByRequestAndLeavesNothingHalfWritten) {
  auto alice = register_user("alice");
  auto bob = register_user("bob");
  auto carol = register_user("carol");
  auto dave = register_user("dave");
  ASSERT_TRUE(send(make_send(alice.address, bob.address.account, 1)));  // body 1; the writer now counts from 1
  // A body the writer does not know about, where its batch of two will put
  // its first body: that batch's insert fails and is rolled back; each send
  // is then run alone (and takes fresh ids).
  auto raw_db = RawDatabase::open(GetParam(), url_);
  raw_db->exec(GetParam() == Backend::sqlite ? "INSERT INTO bodies (id, content) VALUES (3, x'00')"
                                             : "INSERT INTO bodies (id, content) VALUES (3, '\\x00'::bytea)");
  SendRequest blocker = make_send(alice.address, bob.address.account, 2);  // takes body 2
  SendRequest from_carol = make_send(carol.address, bob.address.account, 1);
  SendRequest from_dave = make_send(dave.address, bob.address.account, 1);
  Result<SendReceipt> r0 = make_error(Errc::timeout, "unset"), r1 = r0, r2 = r0;
  run_as_one_batch(GetParam(), url_, [&] { r0 = send(blocker); },
                   {[&] { r1 = send(from_carol); }, [&] { r2 = send(from_dave); }});
  EXPECT_TRUE(r0);
  EXPECT_TRUE(r1) << errc_name(r1.code());
  EXPECT_TRUE(r2) << errc_name(r2.code());
  EXPECT_EQ(messages_->queue_depth(bob.address).value(), 4u);
  auto rows = messages_->pending(bob.address);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 4u);
  std::map<AccountId, std::string> got;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    EXPECT_EQ(raw((*rows)[i].seq), i + 1) << "the rolled-back attempt used no seq";
    got[(*rows)[i].sender.account] += to_string((*rows)[i].body) + ";";
  }
  EXPECT_EQ(got[alice.address.account], "ciphertext#1@1;ciphertext#2@1;");
  EXPECT_EQ(got[carol.address.account], "ciphertext#1@1;");
  EXPECT_EQ(got[dave.address.account], "ciphertext#1@1;");
  auto retry = send(from_carol);
  ASSERT_TRUE(retry);
  EXPECT_TRUE(retry->duplicate) << "the retried send was recorded once";
}

}  // namespace
}  // namespace hush::server::testing
