// MessageService rules on a SQLite store with a FakeClock: retention by the
// clock, page limits, and notification only after a durable store.
#include "service/account_service.hpp"
#include "service/message_service.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <filesystem>

namespace hush::server {
namespace {

class CountingListener final : public DeliveryListener {
 public:
  explicit CountingListener(storage::Store*& store) : store_(store) {}
  void on_new_mail(const DeviceAddress& device, Seq seq) noexcept override {
    ++calls;
    // The row must already be readable when the listener hears of it.
    auto page = store_->pending(device, Seq{raw(seq) - 1}, 1);
    if (page && !page->empty() && (*page)[0].seq == seq) ++visible;
  }
  int calls = 0;
  int visible = 0;

 private:
  storage::Store*& store_;
};

class MessageRules : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hush-msg-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = storage::open_store("sqlite:" + dir_ + "/hush.db");
    ASSERT_TRUE(s);
    store_ = std::move(*s);
    raw_store_ = store_.get();
    accounts_ = std::make_unique<AccountService>(*store_, clock_, rng_);
    messages_ = std::make_unique<MessageService>(*store_, clock_, listener_,
                                                 MessageServiceConfig{std::chrono::hours(48), 1000});
    auto a = accounts_->register_account("alice", RegistrationId{1}, "x");
    auto b = accounts_->register_account("bob", RegistrationId{2}, "x");
    ASSERT_TRUE(a && b);
    alice_ = a->address;
    bob_ = b->address;
  }
  void TearDown() override {
    messages_.reset();
    accounts_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Status send(std::uint8_t n) {
    SendRequest req{alice_, bob_.account, {}, {OutgoingCopy{DeviceId{1}, RegistrationId{2}, 3, Bytes{n}}}};
    req.message_id[0] = n;
    DeviceMismatch mismatch;
    auto r = messages_->send(req, mismatch);
    if (!r) return r.error();
    return ok();
  }

  std::string dir_;
  FakeClock clock_;
  hush::testing::DeterministicRng rng_{9};
  std::unique_ptr<storage::Store> store_;
  storage::Store* raw_store_ = nullptr;
  CountingListener listener_{raw_store_};
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<MessageService> messages_;
  DeviceAddress alice_, bob_;
};

TEST_F(MessageRules, ListenerHearsOnlyAfterTheRowIsStored) {
  ASSERT_TRUE(send(1));
  ASSERT_TRUE(send(2));
  EXPECT_EQ(listener_.calls, 2);
  EXPECT_EQ(listener_.visible, 2);
}

TEST_F(MessageRules, RetentionFollowsTheInjectedClock) {
  ASSERT_TRUE(send(1));
  clock_.advance(std::chrono::hours(47));
  EXPECT_EQ(messages_->sweep_expired().value(), 0u);
  ASSERT_TRUE(send(2));
  clock_.advance(std::chrono::hours(1) + std::chrono::milliseconds(1));
  EXPECT_EQ(messages_->sweep_expired().value(), 1u);
  EXPECT_EQ(messages_->queue_depth(bob_).value(), 1u);
  clock_.advance(std::chrono::hours(48));
  EXPECT_EQ(messages_->sweep_expired().value(), 1u);
  EXPECT_EQ(messages_->queue_depth(bob_).value(), 0u);
}

TEST_F(MessageRules, PagesAreClampedToTheMaximum) {
  for (int i = 0; i < static_cast<int>(kMaxPendingPage) + 5; ++i) ASSERT_TRUE(send(static_cast<std::uint8_t>(i)));
  EXPECT_EQ(messages_->pending(bob_, Seq{0}, 100000)->size(), kMaxPendingPage);
  EXPECT_TRUE(messages_->pending(bob_, Seq{0}, 0)->empty());
}

}  // namespace
}  // namespace hush::server
