// Property tests for group delivery: several members send, and each receiver
// gets its own random schedule with drops, reordering, duplicates and
// corrupted copies. Whatever the schedule, every message delivered for the
// first time decrypts to what was sent, every repeat is duplicate_message,
// and a refused message leaves the receiver's store exactly as it was.
#include "group_member.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <vector>

namespace hush::signal {
namespace {
using testing::GroupMember;

constexpr std::string_view kGroup = "committee";

struct Sent {
  std::size_t sender;
  int index;
  Bytes bytes;
};

void run_schedule(std::uint64_t seed) {
  constexpr std::size_t kMembers = 4;
  constexpr int kPerSender = 40;
  std::mt19937_64 gen(seed);
  std::vector<std::unique_ptr<GroupMember>> m;
  for (std::size_t i = 0; i < kMembers; ++i) {
    m.push_back(std::make_unique<GroupMember>("member" + std::to_string(i), seed * 100 + i));
  }
  for (std::size_t s = 0; s < kMembers; ++s) {
    auto skdm = m[s]->distribution(kGroup);
    for (std::size_t r = 0; r < kMembers; ++r) {
      if (r != s) {
        ASSERT_TRUE(m[r]->accept(kGroup, *m[s], skdm));
      }
    }
  }
  std::vector<Sent> sent;
  for (int i = 0; i < kPerSender; ++i) {
    for (std::size_t s = 0; s < kMembers; ++s) {
      sent.push_back({s, i, m[s]->send(kGroup, std::to_string(s) + ":" + std::to_string(i))});
    }
  }
  for (std::size_t r = 0; r < kMembers; ++r) {
    // This receiver's schedule: drop ~10%, duplicate ~15%, corrupt ~5%, then
    // shuffle locally (messages move up to 30 places).
    std::vector<std::pair<std::size_t, bool>> schedule;  // (message, corrupt)
    std::uniform_int_distribution<int> pct(0, 99);
    for (std::size_t k = 0; k < sent.size(); ++k) {
      if (sent[k].sender == r) continue;
      if (pct(gen) < 10) continue;
      schedule.push_back({k, false});
      if (pct(gen) < 15) schedule.push_back({k, false});
      if (pct(gen) < 5) schedule.push_back({k, true});
    }
    for (std::size_t k = 0; k + 1 < schedule.size(); ++k) {
      std::uniform_int_distribution<std::size_t> off(0, std::min<std::size_t>(30, schedule.size() - 1 - k));
      std::swap(schedule[k], schedule[k + off(gen)]);
    }
    std::set<std::size_t> delivered;
    for (auto [k, corrupt] : schedule) {
      const Sent& msg = sent[k];
      const GroupMember& from = *m[msg.sender];
      const Bytes before = m[r]->record_bytes(kGroup, from);
      Bytes bytes = msg.bytes;
      if (corrupt) bytes[std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(gen)] ^= 0x40;
      auto got = m[r]->receive(kGroup, from, bytes);
      if (corrupt) {
        EXPECT_FALSE(got) << "seed " << seed;
        EXPECT_EQ(m[r]->record_bytes(kGroup, from), before);
      } else if (delivered.count(k)) {
        EXPECT_EQ(got.code(), Errc::duplicate_message) << "seed " << seed;
        EXPECT_EQ(m[r]->record_bytes(kGroup, from), before);
      } else {
        ASSERT_TRUE(got) << "seed " << seed << " message " << k << " " << errc_name(got.code());
        EXPECT_EQ(*got, std::to_string(msg.sender) + ":" + std::to_string(msg.index));
        delivered.insert(k);
      }
    }
  }
}

TEST(GroupDelivery, DropReorderDuplicateAndCorruptAcrossMembers) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) run_schedule(seed);
}

}  // namespace
}  // namespace hush::signal
