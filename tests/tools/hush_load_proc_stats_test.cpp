// The CPU hush-load reports per component: a process tree's time includes
// children that already exited (PostgreSQL's backends come and go), and
// watches sharing a name are summed. CPU used is counted, never waited for.
#include "proc_stats.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hush::load {
namespace {

/// Burns CPU until this process has used `seconds` of it.
void burn(double seconds) {
  volatile unsigned long sink = 0;
  for (;;) {
    for (int i = 0; i < 1'000'000; ++i) sink = sink + static_cast<unsigned long>(i);
    const auto used = cpu_seconds(0);
    if (!used || *used >= seconds) return;
  }
}

TEST(ProcStats, ATreeCountsAChildThatExitedAndWasReaped) {
  const pid_t self = ::getpid();
  const auto before = tree_cpu_seconds(self);
  ASSERT_TRUE(before);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    burn(0.2);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  const auto after = tree_cpu_seconds(self);
  ASSERT_TRUE(after);
  // The child's 0.2 s reached our cutime; clock ticks are 10 ms.
  EXPECT_GE(*after - *before, 0.19);
}

TEST(ProcStats, AGoneProcessReadsAsNothing) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_FALSE(tree_cpu_seconds(child));
  const auto components = component_cpu({CpuWatch{"gone", child}});
  ASSERT_EQ(components.size(), 1u);
  EXPECT_EQ(components[0].processes, 0u);
  EXPECT_EQ(components[0].seconds, 0.0);
}

TEST(ProcStats, WatchesSharingANameAreSummedInFirstSeenOrder) {
  const pid_t self = ::getpid();
  const auto components =
      component_cpu({CpuWatch{"b", self}, CpuWatch{"a", self}, CpuWatch{"b", self}});
  ASSERT_EQ(components.size(), 2u);
  EXPECT_EQ(components[0].component, "b");
  EXPECT_EQ(components[0].processes, 2u);
  EXPECT_EQ(components[1].component, "a");
  EXPECT_EQ(components[1].processes, 1u);
  EXPECT_GE(components[0].seconds, components[1].seconds);
}

}  // namespace
}  // namespace hush::load
