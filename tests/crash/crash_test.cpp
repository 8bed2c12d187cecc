// hushd killed with SIGKILL under load, then restarted on the same data,
// for several cycles, against SQLite and a real PostgreSQL. Every message
// hushd acknowledged must be delivered, none stored twice, each sender's
// messages first delivered in order. HUSH_CRASH_CYCLES sets the cycles
// (default 4); the counts are printed as one "crash-test ..." line.
#include "crash_traffic.hpp"
#include "hushd_process.hpp"

#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/temporary_postgres.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

namespace hush::testing {
namespace {

constexpr int kDefaultCycles = 4;
/// Three sending accounts, two threads each, and two receiving accounts:
/// five registrations, hushd's per-address burst.
constexpr int kSenders = 3;
constexpr int kStreamsPerSender = 2;
constexpr int kReceivers = 2;
/// Each sending thread's bound: far more than a few cycles can send.
constexpr std::uint64_t kMaxMessagesPerStream = 1'000'000;
/// hushd runs this long (uniformly random) between kills.
constexpr int kMinUpMs = 300;
constexpr int kMaxUpMs = 900;
/// After the last restart: how long the senders still send, and how long
/// the receivers may take to collect every acknowledged message.
constexpr auto kFinalLoad = std::chrono::milliseconds(500);
constexpr auto kDeliveryDeadline = std::chrono::seconds(30);

int cycles() {
  const char* v = std::getenv("HUSH_CRASH_CYCLES");
  const int n = v != nullptr ? std::atoi(v) : kDefaultCycles;
  return n > 0 && n <= 10'000 ? n : kDefaultCycles;
}

class HushdCrash : public ::testing::TestWithParam<std::string> {};

TEST_P(HushdCrash, EveryAcknowledgedMessageIsDeliveredOnceAcrossKills) {
  HushdOptions options;
  if (GetParam() == "postgres") {
    auto* pg = PostgresEnvironment::server();
    ASSERT_NE(pg, nullptr);
    options.store_url = pg->create_database();
  }
  HushdProcess hushd(options);
  ASSERT_TRUE(hushd.start()) << hushd.log();
  ServerEndpoint endpoint;
  const auto publish = [&] { endpoint.up({hushd.host(), hushd.port(), hushd.cert_file()}); };

  std::vector<TestDevice> senders, receivers;
  {
    TestClient c(hushd.host(), hushd.port(), hushd.cert_file());
    DeterministicRng rng(7);
    for (int i = 0; i < kSenders + kReceivers; ++i) {
      const auto identity = crypto::KeyPair::generate(rng);
      const std::string name = (i < kSenders ? "sender" : "receiver") + std::to_string(i);
      unsigned status = 0;
      auto device = register_device(c, make_register_request(name, identity, 100 + static_cast<std::uint32_t>(i), rng, 0),
                                    &status);
      ASSERT_TRUE(device) << "registration " << i << " failed: " << status;
      (i < kSenders ? senders : receivers).push_back(*device);
    }
  }
  publish();

  Ledger ledger;
  std::atomic<bool> stop_sending{false};
  std::atomic<bool> stop_receiving{false};
  std::vector<std::thread> threads;
  for (const auto& r : receivers) {
    threads.emplace_back([&, r] { run_receiver(endpoint, ledger, r, stop_receiving); });
  }
  std::vector<std::thread> sending;
  std::uint32_t stream = 0;
  for (int s = 0; s < kSenders; ++s) {
    for (int k = 0; k < kStreamsPerSender; ++k, ++stream) {
      const TestDevice& to = receivers[stream % kReceivers];
      sending.emplace_back([&, s, to, stream] {
        run_sender(endpoint, ledger, senders[static_cast<std::size_t>(s)], to, stream, kMaxMessagesPerStream,
                   stop_sending);
      });
    }
  }

  std::mt19937 random(static_cast<unsigned>(std::random_device{}()));
  std::uniform_int_distribution<int> up_ms(kMinUpMs, kMaxUpMs);
  const int n = cycles();
  int restarts_failed = 0;
  for (int cycle = 0; cycle < n; ++cycle) {
    std::this_thread::sleep_for(std::chrono::milliseconds(up_ms(random)));
    endpoint.down();
    hushd.kill();
    if (!hushd.start()) {
      ++restarts_failed;
      ADD_FAILURE() << "hushd did not restart after cycle " << cycle << "\n" << hushd.log();
      break;
    }
    publish();
  }
  std::this_thread::sleep_for(kFinalLoad);
  stop_sending = true;
  for (auto& t : sending) t.join();
  const auto deadline = std::chrono::steady_clock::now() + kDeliveryDeadline;
  while (!ledger.all_acknowledged_delivered() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop_receiving = true;
  for (auto& t : threads) t.join();
  endpoint.down();
  if (hushd.running()) {
    EXPECT_EQ(hushd.stop(), 0) << hushd.log();
  }

  const CrashCounts c = ledger.counts();
  std::printf("%s\n", crash_report(GetParam(), n, c).c_str());
  std::fflush(stdout);
  EXPECT_EQ(restarts_failed, 0);
  EXPECT_GT(c.acknowledged, 0U);
  EXPECT_EQ(c.lost, 0U) << "acknowledged messages never delivered";
  EXPECT_EQ(c.stored_twice, 0U) << "a retried send was stored under a second seq";
  EXPECT_EQ(c.after_dedup, 0U);
  EXPECT_EQ(c.corrupt, 0U);
  EXPECT_EQ(c.order_violations, 0U);
  EXPECT_EQ(c.unexpected_status, 0U) << "last refused with status " << c.last_unexpected;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, HushdCrash, ::testing::Values(std::string("sqlite")));
INSTANTIATE_TEST_SUITE_P(Postgres, HushdCrash, ::testing::Values(std::string("postgres")));

[[maybe_unused]] ::testing::Environment* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace
}  // namespace hush::testing
