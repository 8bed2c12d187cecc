// What hush-load reads about processes from /proc: CPU seconds used
// (/proc/PID/stat utime+stime), resident memory (/proc/PID/status VmRSS) and
// the machine's load average, so every figure is reported beside its context.
// Linux only; a missing process reads as nullopt.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

namespace hush::load {

/// User + system CPU seconds of `pid` (0: this process), or nullopt.
std::optional<double> cpu_seconds(pid_t pid);
/// Resident set size of `pid` in bytes (0: this process), or nullopt.
std::optional<long long> resident_bytes(pid_t pid);
/// The three load averages as printed by /proc/loadavg ("1.23 0.98 0.77").
std::string load_average();

}  // namespace hush::load
