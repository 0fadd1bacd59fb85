// The real kernel, measured in the same run: fork() of a process with written memory,
// and the rate of the COW faults a child takes when it writes every page after fork.
// Linux only, native only (WebAssembly has no fork). The memory is mapped with
// MADV_NOHUGEPAGE so that it is made of 4 KiB pages, as the engine models; the forks are
// shell/kernel/fork_timing.h's, as `cowlab calibrate` times them, on the benchmark clock.
#include "bench.h"

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <algorithm>

#include "shell/kernel/fork_timing.h"

namespace bench {
namespace {

using cow::kernel::ChildWork, cow::kernel::fork_once, cow::kernel::ForkSample, cow::kernel::PageSize,
    cow::kernel::Region;

// `runs` forks of a process with `pages` written 4 KiB pages, the child doing `work`: the
// medians of the parent's fork() time and of the child's COW faults per second (each write
// a fault on a write-protected shared page: a copy). Zeros when a fork fails.
struct Forks {
  double fork_ms = 0, cow_faults_per_s = 0;
};

Forks real_forks(uint64_t pages, int runs, ChildWork work) {
  Region r(pages * 4096, PageSize::Base);
  if (!r.base) return {};
  r.write_every_page();
  std::vector<double> times, rates;
  for (int i = 0; i < runs; ++i) {
    ForkSample s = fork_once(&r, work, now_ms);
    if (!s.ok) return {};
    times.push_back(s.fork_time);
    if (s.child_write_time > 0) rates.push_back(double(pages) / (s.child_write_time / 1000));
  }
  return {median(times), median(rates)};
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
    double ms = real_forks(pages, fork_runs, ChildWork::ExitAtOnce).fork_ms;
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

  rf.cow_faults_per_s = real_forks(cow_pages, o.quick ? 1 : o.runs, ChildWork::WriteEveryPage).cow_faults_per_s;
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
