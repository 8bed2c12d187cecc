// /proc readers (see proc_stats.hpp). The stat line's second field is the
// command name in parentheses and may hold spaces, so fields are counted
// from the last ')'.
#include "proc_stats.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace hush::load {
namespace {

std::string proc_path(pid_t pid, const char* leaf) {
  return pid == 0 ? std::string("/proc/self/") + leaf : "/proc/" + std::to_string(pid) + "/" + leaf;
}

/// The fields of /proc/PID/stat this file uses, in clock ticks.
struct StatLine {
  pid_t ppid = 0;
  unsigned long long utime = 0, stime = 0, cutime = 0, cstime = 0;
};

std::optional<StatLine> read_stat(pid_t pid) {
  std::ifstream in(proc_path(pid, "stat"));
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size()) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  // After the name: state(3) ppid(4) pgrp session tty tpgid flags minflt
  // cminflt majflt cmajflt utime(14) stime(15) cutime(16) cstime(17).
  std::string state;
  StatLine s;
  fields >> state >> s.ppid;
  std::string skip;
  for (int i = 5; i <= 13; ++i) fields >> skip;
  if (!(fields >> s.utime >> s.stime >> s.cutime >> s.cstime)) return std::nullopt;
  return s;
}

double ticks_to_seconds(unsigned long long ticks) {
  return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// Every process now, by pid, and its children by parent.
struct ProcessTable {
  std::map<pid_t, StatLine> stat;
  std::map<pid_t, std::vector<pid_t>> children;
};

ProcessTable read_process_table() {
  ProcessTable t;
  if (DIR* d = ::opendir("/proc")) {
    while (const dirent* e = ::readdir(d)) {
      char* end = nullptr;
      const long pid = std::strtol(e->d_name, &end, 10);
      if (end == e->d_name || *end != '\0' || pid <= 0) continue;
      if (auto s = read_stat(static_cast<pid_t>(pid))) {
        t.stat[static_cast<pid_t>(pid)] = *s;
        t.children[s->ppid].push_back(static_cast<pid_t>(pid));
      }
    }
    ::closedir(d);
  }
  return t;
}

/// Own, reaped children's and live descendants' time of `root`.
std::optional<double> tree_cpu_seconds(const ProcessTable& t, pid_t root) {
  if (t.stat.find(root) == t.stat.end()) return std::nullopt;
  unsigned long long ticks = 0;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    const pid_t pid = todo.back();
    todo.pop_back();
    const auto it = t.stat.find(pid);
    if (it == t.stat.end()) continue;  // gone between the two reads
    ticks += it->second.utime + it->second.stime + it->second.cutime + it->second.cstime;
    if (const auto c = t.children.find(pid); c != t.children.end()) todo.insert(todo.end(), c->second.begin(), c->second.end());
  }
  return ticks_to_seconds(ticks);
}

}  // namespace

std::optional<double> cpu_seconds(pid_t pid) {
  const auto s = read_stat(pid);
  if (!s) return std::nullopt;
  return ticks_to_seconds(s->utime + s->stime);
}

std::optional<double> tree_cpu_seconds(pid_t root) {
  return tree_cpu_seconds(read_process_table(), root);
}

std::vector<ComponentCpu> component_cpu(const std::vector<CpuWatch>& watches) {
  const ProcessTable table = read_process_table();  // one pass over /proc for all of them
  std::vector<ComponentCpu> out;
  for (const auto& w : watches) {
    auto it = std::find_if(out.begin(), out.end(), [&](const ComponentCpu& c) { return c.component == w.component; });
    if (it == out.end()) it = out.insert(out.end(), ComponentCpu{w.component, 0, 0});
    if (const auto seconds = tree_cpu_seconds(table, w.pid)) {
      it->seconds += *seconds;
      ++it->processes;
    }
  }
  return out;
}

std::optional<long long> resident_bytes(pid_t pid) {
  std::ifstream in(proc_path(pid, "status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream f(line.substr(6));
      long long kib = 0;
      if (f >> kib) return kib * 1024;
    }
  }
  return std::nullopt;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

}  // namespace hush::load
