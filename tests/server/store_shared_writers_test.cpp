// Several hushd nodes on one PostgreSQL (issue #17): three Store instances
// (each with its own pool and group-commit writer, as three hushd processes
// have) race on the same accounts from several threads, and the invariants
// are checked in the database afterwards: no lost message, no seq handed out
// twice, no device registered twice, queue caps and queue_depth held, every
// ack taking its row once. PostgreSQL only: a SQLite file has one hushd
// (docs/server/storage.md, "Several nodes").
#include "raw_database.hpp"
#include "store_fixture.hpp"

#include <hush/testing/temporary_postgres.hpp>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace hush::server::testing {
namespace {

using storage::Store;

constexpr int kNodes = 3;
constexpr std::int64_t kNow = 1'700'000'000'000;

/// One recipient device as a sender names it.
struct Target {
  DeviceAddress device;
  RegistrationId registration_id{};
};

/// A send as a test thread remembers it once the Store accepted it.
struct Accepted {
  DeviceAddress sender;
  MessageId id{};
  std::vector<std::pair<DeviceAddress, Seq>> queued;
};

class SharedPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* pg = hush::testing::PostgresEnvironment::server();
    ASSERT_NE(pg, nullptr) << "PostgreSQL must run for these tests";
    url_ = pg->create_database();
    // The nodes start together on a fresh database: the migration runs once
    // (the schema lock), the others find it applied.
    std::vector<std::unique_ptr<Store>> opened(kNodes);
    std::vector<std::string> errors(kNodes);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < opened.size(); ++i) {
      threads.emplace_back([&, i] {
        auto s = storage::open_store(url_);
        if (s) {
          opened[i] = std::move(*s);
        } else {
          errors[i] = std::string(errc_name(s.code())) + " " + s.error().context;
        }
      });
    }
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < opened.size(); ++i) {
      ASSERT_NE(opened[i], nullptr) << "node " << i << ": " << errors[i];
      nodes_.push_back(std::move(opened[i]));
    }
    raw_ = RawDatabase::open(Backend::postgres, url_);
    ASSERT_NE(raw_, nullptr);
  }

  void TearDown() override {
    nodes_.clear();
    raw_.reset();
  }

  Store& node(std::size_t i) { return *nodes_[i % nodes_.size()]; }

  /// Creates an account with device 1 (through node 0) and `extra` linked devices.
  AccountId make_account(const std::string& name, int extra = 0) {
    AccountId id;
    id.bytes.fill(0xA5);
    std::uint32_t n = ++accounts_made_;
    std::memcpy(id.bytes.data(), &n, sizeof n);
    NewAccount a{id, name, from_millis(kNow), new_device(1), std::nullopt};
    auto st = node(0).create_account(a);
    EXPECT_TRUE(st) << errc_name(st.code());
    for (int i = 0; i < extra; ++i) {
      SecretHash token = next_token();
      EXPECT_TRUE(node(0).create_link_token(id, token, from_millis(kNow + 600'000)));
      auto added = node(0).add_device_with_link_token(token, from_millis(kNow), new_device(2 + i), 6);
      EXPECT_TRUE(added) << errc_name(added.code());
    }
    return id;
  }

  NewDevice new_device(std::uint32_t n) {
    NewDevice d;
    d.registration_id = RegistrationId{100 + n};
    d.credential_hash.fill(static_cast<std::uint8_t>(n));
    d.created_at = from_millis(kNow);
    return d;
  }

  SecretHash next_token() {
    SecretHash h{};
    std::uint32_t n = ++tokens_made_;
    std::memcpy(h.data(), &n, sizeof n);
    return h;
  }

  std::vector<Target> targets(const AccountId& account, const DeviceAddress& sender) {
    std::vector<Target> out;
    auto devices = node(0).list_devices(account);
    EXPECT_TRUE(devices);
    if (!devices) return out;
    for (const DeviceRecord& d : *devices) {
      DeviceAddress a{account, d.id};
      if (a == sender) continue;
      out.push_back(Target{a, d.registration_id});
    }
    return out;
  }

  /// One body for every target; message id (thread, n).
  static NewMessage message(const DeviceAddress& from, std::uint32_t thread, std::uint32_t n,
                                     const std::vector<Target>& to) {
    NewMessage m;
    m.sender = from;
    std::memcpy(m.message_id.data(), &thread, sizeof thread);
    std::memcpy(m.message_id.data() + 4, &n, sizeof n);
    m.server_time = from_millis(kNow);
    m.bodies.push_back(to_bytes("body " + std::to_string(thread) + "/" + std::to_string(n)));
    for (const Target& t : to) m.deliveries.push_back(Delivery{t.device, t.registration_id, 1, 0});
    return m;
  }

  /// Every row of the device's queue, read through node `via`.
  std::vector<QueuedMessage> all_pending(const DeviceAddress& device, std::size_t via = 0) {
    std::vector<QueuedMessage> out;
    Seq after{0};
    for (;;) {
      auto page = node(via).pending(device, after, 100);
      EXPECT_TRUE(page);
      if (!page || page->empty()) return out;
      after = page->back().seq;
      for (auto& m : *page) out.push_back(std::move(m));
    }
  }

  /// queue_depth and next_seq agree with the queue rows for every device.
  void expect_counters_consistent() {
    EXPECT_EQ(raw_->scalar("SELECT COUNT(*) FROM devices d WHERE queue_depth <> "
                           "(SELECT COUNT(*) FROM queue q WHERE q.account_id = d.account_id "
                           "AND q.device_id = d.device_id)"),
              0);
    EXPECT_EQ(raw_->scalar("SELECT COUNT(*) FROM devices d WHERE next_seq <= "
                           "(SELECT COALESCE(MAX(seq), 0) FROM queue q WHERE q.account_id = d.account_id "
                           "AND q.device_id = d.device_id)"),
              0);
  }

  std::string url_;
  std::vector<std::unique_ptr<Store>> nodes_;
  std::unique_ptr<RawDatabase> raw_;
  std::uint32_t accounts_made_ = 0;
  std::uint32_t tokens_made_ = 0;
};

// Six threads on three nodes send 1:1 messages and fan-outs between the same
// four accounts of two devices each, and retry some sends on another node.
// Every send is accepted (none fails on a seq or body id another node took);
// each accepted message is queued exactly once per recipient device, at the
// seq its receipt named, and every retry is a duplicate of it.
TEST_F(SharedPostgres, RacingSendsLoseNothingAndNeverRepeatASeq) {
  constexpr int kAccounts = 4;
  constexpr int kThreads = 6;
  constexpr std::uint32_t kPerThread = 120;
  std::vector<AccountId> accounts;
  for (int i = 0; i < kAccounts; ++i) accounts.push_back(make_account("user" + std::to_string(i), 1));
  std::map<std::pair<int, int>, std::vector<Target>> to;  // (sender account, recipient account)
  for (int s = 0; s < kAccounts; ++s) {
    DeviceAddress sender{accounts[s], DeviceId{1}};
    for (int r = 0; r < kAccounts; ++r) to[{s, r}] = targets(accounts[r], sender);
  }

  std::mutex mu;
  std::vector<Accepted> accepted;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const int s = t % kAccounts;
      DeviceAddress sender{accounts[s], DeviceId{1}};
      std::vector<Accepted> mine;
      std::vector<std::string> errors;
      for (std::uint32_t n = 0; n < kPerThread; ++n) {
        std::vector<Target> recipients = to.at({s, (s + 1 + static_cast<int>(n % 3)) % kAccounts});
        if (n % 25 == 0) {  // a fan-out to every other account's devices
          recipients.clear();
          for (int r = 0; r < kAccounts; ++r)
            if (r != s) recipients.insert(recipients.end(), to.at({s, r}).begin(), to.at({s, r}).end());
        }
        NewMessage m = message(sender, static_cast<std::uint32_t>(t), n, recipients);
        std::vector<DeviceMismatch> mismatches;
        auto r = node(static_cast<std::size_t>(t) + n).store_message(m, 10'000, mismatches);
        if (!r) {
          errors.push_back(std::string(errc_name(r.code())) + " " + r.error().context);
          continue;
        }
        if (r->duplicate) {
          errors.push_back("a first send was taken for a retry");
          continue;
        }
        mine.push_back(Accepted{sender, m.message_id, r->queued});
        if (n % 10 == 0) {  // the client retries on another node
          auto again = node(static_cast<std::size_t>(t) + n + 1).store_message(m, 10'000, mismatches);
          if (!again || !again->duplicate || !again->queued.empty()) errors.push_back("a retry was not a duplicate");
        }
      }
      std::lock_guard lock(mu);
      accepted.insert(accepted.end(), mine.begin(), mine.end());
      failures.insert(failures.end(), errors.begin(), errors.end());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures.front();
  EXPECT_EQ(accepted.size(), static_cast<std::size_t>(kThreads) * kPerThread);

  // What the receipts promised, device by device.
  std::map<DeviceAddress, std::map<std::uint64_t, std::pair<DeviceAddress, MessageId>>> promised;
  std::size_t promised_rows = 0;
  for (const Accepted& a : accepted) {
    for (const auto& [device, seq] : a.queued) {
      bool fresh = promised[device].emplace(raw(seq), std::make_pair(a.sender, a.id)).second;
      EXPECT_TRUE(fresh) << "seq " << raw(seq) << " handed out twice";
      ++promised_rows;
    }
  }
  std::size_t stored_rows = 0;
  for (const AccountId& account : accounts) {
    for (std::uint32_t d = 1; d <= 2; ++d) {
      DeviceAddress device{account, DeviceId{d}};
      auto rows = all_pending(device, d);
      stored_rows += rows.size();
      std::uint64_t last = 0;
      for (const QueuedMessage& q : rows) {
        EXPECT_GT(raw(q.seq), last);
        last = raw(q.seq);
        auto it = promised[device].find(raw(q.seq));
        ASSERT_NE(it, promised[device].end()) << "a row no receipt named";
        EXPECT_EQ(q.sender, it->second.first);
        EXPECT_EQ(q.message_id, it->second.second);
      }
      EXPECT_EQ(rows.size(), promised[device].size());
    }
  }
  EXPECT_EQ(stored_rows, promised_rows);
  EXPECT_EQ(raw_->scalar("SELECT COUNT(*) FROM sent"), static_cast<std::int64_t>(accepted.size()));
  EXPECT_EQ(raw_->scalar("SELECT COUNT(*) FROM bodies"), static_cast<std::int64_t>(accepted.size()));
  expect_counters_consistent();
}

// A queue cap is one number for all nodes: 120 sends from six threads on
// three nodes into a queue capped at 30 store exactly 30.
TEST_F(SharedPostgres, QueueCapHoldsAcrossNodes) {
  constexpr std::size_t kCap = 30;
  constexpr int kThreads = 6;
  constexpr std::uint32_t kPerThread = 20;
  AccountId recipient = make_account("recipient");
  AccountId sender_account = make_account("sender");
  DeviceAddress sender{sender_account, DeviceId{1}};
  std::vector<Target> to = targets(recipient, sender);
  std::atomic<int> stored{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint32_t n = 0; n < kPerThread; ++n) {
        std::vector<DeviceMismatch> mismatches;
        auto r = node(static_cast<std::size_t>(t)).store_message(message(sender, static_cast<std::uint32_t>(t), n, to),
                                                                 kCap, mismatches);
        if (r && !r->duplicate) {
          ++stored;
        } else if (!r && r.code() == Errc::quota_exceeded) {
          ++refused;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stored.load(), static_cast<int>(kCap));
  EXPECT_EQ(refused.load(), kThreads * static_cast<int>(kPerThread) - static_cast<int>(kCap));
  EXPECT_EQ(other.load(), 0);
  auto depth = node(2).queue_depth(to[0].device);
  ASSERT_TRUE(depth);
  EXPECT_EQ(*depth, kCap);
  EXPECT_EQ(all_pending(to[0].device).size(), kCap);
  expect_counters_consistent();
}

// Twelve links race for one account on three nodes: the account reaches its
// cap of six devices exactly, each new device with its own never-used id.
TEST_F(SharedPostgres, LinkingRacesNeverRegisterADeviceTwice) {
  constexpr int kLinks = 12;
  constexpr std::size_t kMaxDevices = 6;
  AccountId account = make_account("linker");
  std::vector<SecretHash> tokens;
  for (int i = 0; i < kLinks; ++i) {
    tokens.push_back(next_token());
    ASSERT_TRUE(node(0).create_link_token(account, tokens.back(), from_millis(kNow + 600'000)));
  }
  std::mutex mu;
  std::vector<DeviceId> added;
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kLinks; ++i) {
    threads.emplace_back([&, i] {
      auto r = node(static_cast<std::size_t>(i)).add_device_with_link_token(
          tokens[static_cast<std::size_t>(i)], from_millis(kNow), new_device(static_cast<std::uint32_t>(10 + i)),
          kMaxDevices);
      if (r) {
        std::lock_guard lock(mu);
        added.push_back(r->device);
      } else if (r.code() == Errc::quota_exceeded) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(added.size(), kMaxDevices - 1);
  EXPECT_EQ(refused.load(), kLinks - static_cast<int>(kMaxDevices - 1));
  EXPECT_EQ(other.load(), 0);
  std::set<DeviceId> distinct(added.begin(), added.end());
  EXPECT_EQ(distinct.size(), added.size());
  auto devices = node(1).list_devices(account);
  ASSERT_TRUE(devices);
  EXPECT_EQ(devices->size(), kMaxDevices);
  // A refused link keeps its token: the quota refusals left theirs usable.
  EXPECT_EQ(raw_->scalar("SELECT COUNT(*) FROM link_tokens"), kLinks - static_cast<int>(kMaxDevices - 1));
}

// Two nodes acknowledge the same 100 rows (a client that reconnected to the
// other node and acks again): each row is deleted once, the other ack gets
// not_found, and the counters and bodies follow.
TEST_F(SharedPostgres, AcksOnTwoNodesTakeEachRowOnce) {
  constexpr std::uint32_t kRows = 100;
  AccountId recipient = make_account("reader");
  AccountId sender_account = make_account("writer");
  DeviceAddress sender{sender_account, DeviceId{1}};
  std::vector<Target> to = targets(recipient, sender);
  std::vector<Seq> seqs;
  for (std::uint32_t n = 0; n < kRows; ++n) {
    std::vector<DeviceMismatch> mismatches;
    auto r = node(n).store_message(message(sender, 0, n, to), 10'000, mismatches);
    ASSERT_TRUE(r) << errc_name(r.code());
    seqs.push_back(r->queued.at(0).second);
  }
  std::atomic<int> deleted{0};
  std::atomic<int> not_found{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (Seq s : seqs) {
        Status st = node(t).ack(to[0].device, s);
        if (st) {
          ++deleted;
        } else if (st.code() == Errc::not_found) {
          ++not_found;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(deleted.load(), static_cast<int>(kRows));
  EXPECT_EQ(not_found.load(), static_cast<int>(kRows));
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(raw_->scalar("SELECT COUNT(*) FROM queue"), 0);
  EXPECT_EQ(raw_->scalar("SELECT COUNT(*) FROM bodies"), 0);
  expect_counters_consistent();
}

// One node removes a device while another keeps sending to it: every send is
// either stored for both devices before the removal or refused as stale
// after it, and the removed device keeps no row.
TEST_F(SharedPostgres, RemovingADeviceOnOneNodeRacesSendsOnAnother) {
  constexpr std::uint32_t kSends = 200;
  AccountId recipient = make_account("two-devices", 1);
  AccountId sender_account = make_account("sender");
  DeviceAddress sender{sender_account, DeviceId{1}};
  std::vector<Target> both = targets(recipient, sender);
  ASSERT_EQ(both.size(), 2u);
  std::atomic<std::uint32_t> stored_both{0};
  std::atomic<std::uint32_t> stale{0};
  std::atomic<std::uint32_t> other{0};
  std::thread sending([&] {
    for (std::uint32_t n = 0; n < kSends; ++n) {
      std::vector<DeviceMismatch> mismatches;
      auto r = node(0).store_message(message(sender, 0, n, both), 10'000, mismatches);
      if (r && r->queued.size() == 2) {
        ++stored_both;
      } else if (!r && r.code() == Errc::stale_devices) {
        ++stale;
      } else {
        ++other;
      }
    }
  });
  // Remove once some sends are in, whatever the threads' speeds.
  while (stored_both.load() < kSends / 4 && stale.load() == 0 && other.load() == 0) std::this_thread::yield();
  ASSERT_TRUE(node(1).remove_device(both[1].device));
  sending.join();
  EXPECT_EQ(other.load(), 0u);
  EXPECT_EQ(stored_both.load() + stale.load(), kSends);
  EXPECT_GE(stored_both.load(), kSends / 4);
  EXPECT_EQ(raw_->scalar("SELECT COUNT(*) FROM queue WHERE device_id = 2"), 0);
  EXPECT_EQ(all_pending(both[0].device, 2).size(), stored_both.load());
  expect_counters_consistent();
}

// The retention sweep running on every node at once deletes each old row
// once and leaves the counters right.
TEST_F(SharedPostgres, RetentionSweepsOnEveryNodeAgree) {
  constexpr std::uint32_t kRows = 60;
  AccountId recipient = make_account("old-mail", 1);
  AccountId sender_account = make_account("sender");
  DeviceAddress sender{sender_account, DeviceId{1}};
  std::vector<Target> to = targets(recipient, sender);
  for (std::uint32_t n = 0; n < kRows; ++n) {
    std::vector<DeviceMismatch> mismatches;
    ASSERT_TRUE(node(n).store_message(message(sender, 0, n, to), 10'000, mismatches));
  }
  std::atomic<std::size_t> total{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < static_cast<std::size_t>(kNodes); ++t) {
    threads.emplace_back([&, t] {
      auto r = node(t).expire(from_millis(kNow + 1), from_millis(kNow + 1));
      if (r) {
        total += *r;
      } else {
        ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(total.load(), static_cast<std::size_t>(kRows) * to.size());
  EXPECT_EQ(raw_->scalar("SELECT COUNT(*) FROM queue"), 0);
  // Two nodes deleting the two rows of one body at once each still see the
  // other's row, so the body can outlive both; the next sweep collects it.
  auto again = node(0).expire(from_millis(kNow + 1), from_millis(kNow + 1));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0u);
  EXPECT_EQ(raw_->scalar("SELECT COUNT(*) FROM bodies"), 0);
  expect_counters_consistent();
}

}  // namespace
}  // namespace hush::server::testing
