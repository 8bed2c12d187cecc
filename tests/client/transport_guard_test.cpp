// The rule of issue #16 item 3, no network call inside a client store
// transaction, as the guard every ClientImpl transport passes enforces it:
// a call inside LocalStore::transaction aborts (in every build type), the same
// call outside goes through. The pipeline tests (inbox_test.cpp) run every
// request through it too, so each of them proves the rule for its path.
#include "fake_hushd.hpp"
#include "sdk/transport_guard.hpp"
#include "store_fixture.hpp"

#include <gtest/gtest.h>

namespace hush::client {
namespace {

using testing::FakeHushd;
using namespace std::chrono_literals;

class TransportGuard : public ::testing::Test {
 protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    store = fixture::create_store(tmp.home(), "pw");
    guarded = guarded_transport(hushd, *store);
  }
  std::shared_ptr<FakeHushd> hushd = FakeHushd::make();
  fixture::TempHome tmp;
  std::unique_ptr<store::LocalStore> store;
  std::shared_ptr<net::TransportFactory> guarded;
};

TEST_F(TransportGuard, AbortsOnANetworkCallInsideAStoreTransaction) {
  auto url = net::ServerUrl::parse(FakeHushd::kUrl);
  ASSERT_TRUE(url);
  EXPECT_DEATH(
      {
        (void)store->transaction([&]() -> Status {
          (void)guarded->post(*url, {}, "/v1/register/challenge", {}, 1s);
          return ok();
        });
      },
      "inside a client store transaction");
  auto session = guarded->open(*url, {}, "Basic bm9ib2R5");
  EXPECT_DEATH(
      {
        (void)store->transaction([&]() -> Status {
          (void)session->connect(1s);
          return ok();
        });
      },
      "inside a client store transaction");
  auto provisioning = guarded->open_provisioning(*url, {});
  EXPECT_DEATH(
      {
        (void)store->transaction([&]() -> Status {
          (void)provisioning->open(1s);
          return ok();
        });
      },
      "inside a client store transaction");
}

TEST_F(TransportGuard, LetsTheSameCallsThroughOutsideATransaction) {
  auto url = net::ServerUrl::parse(FakeHushd::kUrl);
  ASSERT_TRUE(url);
  auto answer = guarded->post(*url, {}, "/v1/register/challenge", {}, 1s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200u);
  auto session = guarded->open(*url, {}, "Basic bm9ib2R5");
  auto connected = session->connect(1s);
  EXPECT_EQ(connected.code(), Errc::unauthorized);  // reached the fake, which knows no such device
  EXPECT_EQ(hushd->requests("connect"), 1u);
  // The fake links no device: its provisioning socket refuses, once reached.
  EXPECT_EQ(guarded->open_provisioning(*url, {})->open(1s).code(), Errc::unavailable);
  EXPECT_EQ(hushd->requests("register_challenge"), 1u);
}

}  // namespace
}  // namespace hush::client
