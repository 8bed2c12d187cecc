// What hush-load reads about processes from /proc: CPU seconds used
// (/proc/PID/stat utime+stime), resident memory (/proc/PID/status VmRSS) and
// the machine's load average, so every figure is reported beside its context;
// and the CPU of a process tree (PostgreSQL is a postmaster and its backends).
// Linux only; a missing process reads as nullopt.
#pragma once

#include "options.hpp"

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace hush::load {

/// User + system CPU seconds of `pid` (0: this process), or nullopt.
std::optional<double> cpu_seconds(pid_t pid);
/// CPU seconds of `root` and of every process descended from it: each one's
/// user + system time, plus the time of children already reaped (cutime +
/// cstime), so a backend that exits between two readings still counts. A
/// process that exits unreaped between the readings of /proc may be missed
/// (its time reaches the parent's cutime once it is reaped). nullopt when
/// `root` is gone.
std::optional<double> tree_cpu_seconds(pid_t root);

/// One component's CPU at one moment: the trees of its watched processes.
struct ComponentCpu {
  std::string component;
  double seconds = 0;
  std::size_t processes = 0;  ///< watched processes found (their children not counted here)
};

/// tree_cpu_seconds of every watch, summed by component, in the order the
/// components first appear; a process that is gone adds nothing.
std::vector<ComponentCpu> component_cpu(const std::vector<CpuWatch>& watches);
/// Resident set size of `pid` in bytes (0: this process), or nullopt.
std::optional<long long> resident_bytes(pid_t pid);
/// The three load averages as printed by /proc/loadavg ("1.23 0.98 0.77").
std::string load_average();

}  // namespace hush::load
