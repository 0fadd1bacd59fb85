// The kernel's side of the commit comparison (see commit_probe.h).
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include "commit_probe.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cow::kernel {

namespace {

// Reads a small file into buf (NUL-terminated). False when it cannot.
bool read_small(const char* path, char* buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  return true;
}

bool read_number(const char* path, uint64_t* out) {
  char buf[64];
  if (!read_small(path, buf, sizeof buf)) return false;
  *out = strtoull(buf, nullptr, 10);
  return true;
}

// The value (kB) of `key` ("Committed_AS:") in /proc/meminfo's text, or -1.
int64_t meminfo_field(const char* text, const char* key) {
  const char* at = strstr(text, key);
  return at ? int64_t(strtoll(at + strlen(key), nullptr, 10)) : -1;
}

bool in_script(uint64_t start, const std::vector<AddressRange>& script) {
  for (const AddressRange& r : script)
    if (start >= r.start && start < r.end) return true;
  return false;
}

// One line of /proc/TID/smaps: a VMA's header starts the VMA; its VmFlags line ends it.
struct SmapsScan {
  const std::vector<AddressRange>* script;
  uint64_t start = 0, end = 0;
  int64_t own_kb = 0;
  void line(const char* s, size_t n) {
    if (n > 8 && memcmp(s, "VmFlags:", 8) == 0) {
      for (size_t i = 8; i + 2 < n; ++i)
        if (s[i] == ' ' && s[i + 1] == 'a' && s[i + 2] == 'c' && (i + 3 == n || s[i + 3] == ' ')) {
          if (!in_script(start, *script)) own_kb += int64_t((end - start) / 1024);
          break;
        }
      return;
    }
    char* after = nullptr;
    uint64_t a = strtoull(s, &after, 16);
    if (after && after != s && *after == '-') start = a, end = strtoull(after + 1, nullptr, 16);
  }
};

// The own charge (kB) of task `tid` (0: this process); 0 when it is gone.
int64_t task_own_charge_kb(pid_t tid, const std::vector<AddressRange>& script) {
  char path[64];
  if (tid == 0)
    snprintf(path, sizeof path, "/proc/self/smaps");
  else
    snprintf(path, sizeof path, "/proc/%d/smaps", int(tid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  SmapsScan scan{&script};
  char buf[16384];
  size_t have = 0;
  for (;;) {
    ssize_t n = read(fd, buf + have, sizeof buf - have);
    if (n <= 0) break;
    have += size_t(n);
    size_t from = 0;
    for (size_t i = 0; i < have; ++i)
      if (buf[i] == '\n') scan.line(buf + from, i - from), from = i + 1;
    memmove(buf, buf + from, have - from);
    have -= from;
    if (have == sizeof buf) have = 0;  // a line longer than the buffer: no VMA header
  }
  close(fd);
  return scan.own_kb;
}

void sleep_us(long us) {
  timespec ts{us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, nullptr);
}

}  // namespace

bool read_machine_overcommit(MachineOvercommit* out, std::string* why) {
  uint64_t mode = 0, ratio = 0;
  if (!read_number("/proc/sys/vm/overcommit_memory", &mode) || mode > 2)
    return *why = "/proc/sys/vm/overcommit_memory is not readable", false;
  if (!read_number("/proc/sys/vm/overcommit_ratio", &ratio))
    return *why = "/proc/sys/vm/overcommit_ratio is not readable", false;
  read_number("/proc/sys/vm/overcommit_kbytes", &out->kbytes);  // absent before Linux 3.14
  out->mode = Overcommit(mode);
  out->ratio = uint32_t(ratio);
  char buf[8192];
  if (!read_small("/proc/meminfo", buf, sizeof buf)) return *why = "/proc/meminfo is not readable", false;
  int64_t total = meminfo_field(buf, "MemTotal:"), swap = meminfo_field(buf, "\nSwapTotal:"),
          limit = meminfo_field(buf, "\nCommitLimit:");
  if (total < 0 || swap < 0 || limit < 0 || committed_as_kb() < 0)
    return *why = "/proc/meminfo has no MemTotal, SwapTotal, CommitLimit or Committed_AS", false;
  out->mem_total_kb = uint64_t(total), out->swap_total_kb = uint64_t(swap), out->commit_limit_kb = uint64_t(limit);
  return true;
}

int64_t committed_as_kb() {
  char buf[8192];
  return read_small("/proc/meminfo", buf, sizeof buf) ? meminfo_field(buf, "\nCommitted_AS:") : -1;
}

int64_t own_charge_kb(const std::vector<pid_t>& tasks, const std::vector<AddressRange>& script) {
  int64_t own = 0;
  for (pid_t t : tasks) own += task_own_charge_kb(t, script);
  return own;
}

CommitNoise measure_commit_noise(int intervals, int gap_us) {
  CommitNoise noise;
  std::vector<uint64_t> moves;
  moves.reserve(size_t(intervals));  // no allocation between two readings
  for (int i = 0; i < intervals; ++i) {
    int64_t a = committed_as_kb();
    sleep_us(gap_us);
    int64_t d = committed_as_kb() - a;
    ++noise.intervals;
    if (d == 0) continue;
    ++noise.moved;
    moves.push_back(uint64_t(d < 0 ? -d : d));
  }
  if (!moves.empty()) {
    std::sort(moves.begin(), moves.end());
    noise.median_kb = moves[moves.size() / 2];
    noise.max_kb = moves.back();
  }
  return noise;
}

}  // namespace cow::kernel
#endif  // __linux__
