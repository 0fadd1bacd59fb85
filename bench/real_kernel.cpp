// The real kernel, measured in the same run: fork() of a process with written memory,
// and the rate of the COW faults a child takes when it writes every page after fork.
// Linux only, native only (WebAssembly has no fork). The memory is mapped with
// MADV_NOHUGEPAGE so that it is made of 4 KiB pages, as the engine models.
#include "bench.h"

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace bench {
namespace {

constexpr size_t kPage = 4096;

// A private anonymous buffer with every page written; unmapped on destruction.
struct Written {
  char* p = nullptr;
  size_t bytes = 0;
  explicit Written(uint64_t pages) : bytes(pages * kPage) {
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;
    p = static_cast<char*>(m);
    madvise(p, bytes, MADV_NOHUGEPAGE);
    std::memset(p, 1, bytes);
  }
  ~Written() {
    if (p) munmap(p, bytes);
  }
};

// Median time of fork() as the parent sees it; the child exits at once.
double real_fork_ms(uint64_t pages, int runs) {
  Written w(pages);
  if (!w.p) return 0;
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    double t = now_ms() - t0;
    if (pid < 0) return 0;
    waitpid(pid, nullptr, 0);
    times.push_back(t);
  }
  return median(times);
}

// Median COW faults per second: after fork the child writes one byte in every page
// (each a write fault on a write-protected shared page: a copy) and reports its time.
double real_cow_faults_per_s(uint64_t pages, int runs) {
  Written w(pages);
  if (!w.p) return 0;
  std::vector<double> rates;
  for (int i = 0; i < runs; ++i) {
    int fds[2];
    if (pipe(fds) != 0) return 0;
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      double t0 = now_ms();
      for (size_t off = 0; off < w.bytes; off += kPage) w.p[off] = 2;
      double ms = now_ms() - t0;
      ssize_t n = write(fds[1], &ms, sizeof ms);
      _exit(n == sizeof ms ? 0 : 1);
    }
    close(fds[1]);
    double ms = 0;
    bool ok = pid > 0 && read(fds[0], &ms, sizeof ms) == sizeof ms;
    close(fds[0]);
    if (pid > 0) waitpid(pid, nullptr, 0);
    if (!ok || ms <= 0) return 0;
    rates.push_back(double(pages) / (ms / 1000));
  }
  return median(rates);
}

}  // namespace

void real_kernel(const Options& o, std::vector<Result>& out) {
  RealFigures& rf = real_figures();
  const uint64_t fork_pages = o.quick ? 4096 : 262144;  // 16 MiB or 1 GiB
  const uint64_t cow_pages = o.quick ? 4096 : 65536;   // 16 or 256 MiB: a rate
  const int fork_runs = o.quick ? 2 : std::max(o.runs, 9);
  std::vector<uint64_t> sizes = o.quick ? std::vector<uint64_t>{1024, 4096}
                                        : std::vector<uint64_t>{16384, 65536, 262144};
  for (uint64_t pages : sizes) {
    double ms = real_fork_ms(pages, fork_runs);
    rf.fork_ms_by_pages.emplace_back(pages, ms);
    if (pages == fork_pages) rf.fork_ms = ms, rf.fork_pages = pages;
  }
  Result f{.name = "real_fork"};
  f.num("pages", double(fork_pages));
  f.num("fork_ms", rf.fork_ms);
  f.num("ns_per_pte", rf.fork_ms * 1e6 / double(fork_pages));
  f.num("runs", fork_runs);
  f.measured = "fork " + fmt_size(fork_pages) + ": " + fmt(rf.fork_ms, 3) + " ms";
  f.reference = "(the reference)";
  out.push_back(f);

  rf.cow_faults_per_s = real_cow_faults_per_s(cow_pages, o.quick ? 1 : o.runs);
  Result c{.name = "real_cow_faults"};
  c.num("pages", double(cow_pages));
  c.num("faults_per_s", rf.cow_faults_per_s);
  c.num("ns_per_fault", rf.cow_faults_per_s ? 1e9 / rf.cow_faults_per_s : 0);
  c.num("runs", o.quick ? 1 : o.runs);
  c.measured = fmt(rf.cow_faults_per_s / 1e6, 2) + " M faults/s";
  c.reference = "(the reference)";
  out.push_back(c);
}

}  // namespace bench

#else  // no real fork here

namespace bench {
void real_kernel(const Options&, std::vector<Result>&) {}
}  // namespace bench

#endif
