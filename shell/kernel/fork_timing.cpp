// Timing real fork() calls (see fork_timing.h).
#include "fork_timing.h"

#include <algorithm>

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#endif

namespace cow::kernel {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#if defined(__linux__) && !defined(__EMSCRIPTEN__)

namespace {
constexpr size_t kPage = 4096, kHugePage = 2u << 20;
}  // namespace

double monotonic_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

Region::Region(size_t n, PageSize size) : bytes(n) {
  raw_bytes_ = n + kHugePage;
  raw_ = mmap(nullptr, raw_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw_ == MAP_FAILED) {
    raw_ = nullptr;
    return;
  }
  uintptr_t aligned = (reinterpret_cast<uintptr_t>(raw_) + kHugePage - 1) & ~uintptr_t(kHugePage - 1);
  base = reinterpret_cast<char*>(aligned);
  madvise(base, bytes, size == PageSize::Huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
}

Region::~Region() {
  if (raw_) munmap(raw_, raw_bytes_);
}

void Region::write_every_page() {
  for (size_t off = 0; off < bytes; off += kPage) base[off] = char(off / kPage + 1);
}

long proc_kb(const char* path, const char* name) {
  std::ifstream in(path);
  std::string line;
  size_t n = std::strlen(name);
  while (std::getline(in, line))
    if (line.compare(0, n, name) == 0) return std::atol(line.c_str() + n);
  return -1;
}

ForkSample fork_once(Region* region, ChildWork work, double (*now)()) {
  ForkSample s;
  int fd[2];
  if (pipe(fd) != 0) return s;
  double t0 = now();
  pid_t pid = fork();
  double t1 = now();
  if (pid == 0) {  // the child: this program has one thread, so the C++ library is usable
    close(fd[0]);
    double msg[2] = {double(proc_kb("/proc/self/status", "VmPTE:")), 0};
    if (work == ChildWork::WriteEveryPage && region && region->base) {
      double w0 = now();
      for (size_t off = 0; off < region->bytes; off += kPage) region->base[off] ^= 1;
      msg[1] = now() - w0;
    }
    _exit(write(fd[1], msg, sizeof msg) == ssize_t(sizeof msg) ? 0 : 1);
  }
  close(fd[1]);
  if (pid > 0) s.fork_time = t1 - t0;
  double msg[2] = {-1, 0};
  if (pid > 0 && read(fd[0], msg, sizeof msg) == ssize_t(sizeof msg)) {
    s.ok = true;
    s.child_vmpte_kb = long(msg[0]);
    s.child_write_time = msg[1];
  }
  close(fd[0]);
  if (pid > 0) waitpid(pid, nullptr, 0);
  return s;
}

namespace {
void* return_at_once(void*) { return nullptr; }
}  // namespace

double thread_create_once(double (*now)()) {
  pthread_t t;
  double t0 = now();
  int rc = pthread_create(&t, nullptr, return_at_once, nullptr);
  double t1 = now();
  if (rc != 0) return -1;
  pthread_join(t, nullptr);
  return t1 - t0;
}

double vfork_once(double (*now)()) {
  double t0 = now();
  pid_t pid = vfork();
  if (pid == 0) _exit(0);  // shares our memory and stack: nothing else is safe here
  double t1 = now();
  if (pid < 0) return -1;
  waitpid(pid, nullptr, 0);
  return t1 - t0;
}

#endif  // __linux__

}  // namespace cow::kernel
