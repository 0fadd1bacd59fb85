// `cowlab calibrate`: measures the cost model's constants on this machine with real
// forks, copy-on-write faults and copies, and prints them in the form `cowlab cost --model`
// reads, followed (as comments) by modeled vs measured figures. Linux only.
//
// Method (as for the figures in docs/kernel-rules.md): a private anonymous region of N MiB is
// written in full (MADV_NOHUGEPAGE, so 4 KiB pages), then
//   fork_base_us     the parent's fork() call with no region mapped;
//   pte_copy_ns      (fork with the region - fork_base) / pages;
//   cow_fault_us     the child writes one byte per page right after fork, / pages;
//   copy_page_us     memcpy of the region into freshly mapped memory, / pages;
//   memcpy_page_us   the same memcpy again, the destination now faulted, / pages;
//   thread_us        the parent's pthread_create() of a thread that returns at once;
//   vfork_us         the parent's vfork() until it resumes, the child calling _exit() at once;
//   thp_*            the same with MADV_HUGEPAGE, when transparent huge pages are available.
// Each figure is the median of --runs runs. The forks are shell/kernel/fork_timing.h's,
// which cowlab-bench times too.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "teaching.h"

#ifdef __linux__
#include <sys/utsname.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

#include "engine/teach/cost.h"
#include "shell/kernel/fork_timing.h"
#endif

namespace cow::shell {

constexpr Option kCalibrateOptions[] = {
    {.name = "--mib", .takes = Takes::Value, .value = "N", .help = "size of the region forked and copied (default 120)"},
    {.name = "--runs", .takes = Takes::Value, .value = "N", .help = "runs of each measurement; the median counts (default 5)"},
};

constexpr std::string_view kCalibrateDetails =
    "Measures fork, COW faults and copies of an N MiB region, thread creation and\n"
    "vfork on this machine, and prints the cost model's constants (save them in a\n"
    "file and pass --model FILE to cowlab cost).\n";

const Spec kCalibrateSpec = {"calibrate", "measure fork, thread, vfork, fault and copy costs on this Linux machine",
                             kCalibrateOptions, kNoOperands, kCalibrateDetails};

#ifdef __linux__
namespace {

using kernel::ChildWork, kernel::fork_once, kernel::ForkSample, kernel::median, kernel::PageSize, kernel::proc_kb,
    kernel::Region, kernel::thread_create_once, kernel::vfork_once;

double now_us() { return kernel::monotonic_ms() * 1000; }

// memcpy of `src` into fresh memory, then again into the same (now faulted) memory.
std::pair<double, double> copy_once(const Region& src, PageSize size) {
  Region dst(src.bytes, size);
  if (!dst.base) return {0, 0};
  double t0 = now_us();
  std::memcpy(dst.base, src.base, src.bytes);
  double t1 = now_us();
  std::memcpy(dst.base, src.base, src.bytes);
  double t2 = now_us();
  volatile char sink = dst.base[src.bytes - 1];
  (void)sink;
  return {t1 - t0, t2 - t1};
}

bool thp_available() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string s;
  std::getline(in, s);
  return s.find("[always]") != std::string::npos || s.find("[madvise]") != std::string::npos;
}

struct Measured {
  double fork_base = 0, fork_n = 0, fork_quarter = 0, cow_write = 0, copy = 0, memcpy_faulted = 0;
  double thread = -1, vfork = -1;  // -1: creation failed
  long vmpte_base = -1, vmpte_n = -1;
  bool thp = false;
  double thp_fork_n = 0, thp_copy = 0;
};

Measured measure(size_t mib, int runs) {
  Measured m;
  size_t bytes = mib << 20;
  std::vector<double> base, with, quarter, writes, copies, faulted, thp_fork, thp_copy, threads, vforks;
  for (int i = 0; i < runs; ++i) {
    ForkSample s = fork_once(nullptr, ChildWork::ExitAtOnce, now_us);
    base.push_back(s.fork_time);
    m.vmpte_base = s.child_vmpte_kb;
    if (double t = thread_create_once(now_us); t >= 0) threads.push_back(t);
    if (double t = vfork_once(now_us); t >= 0) vforks.push_back(t);
  }
  if (!threads.empty()) m.thread = median(threads);
  if (!vforks.empty()) m.vfork = median(vforks);
  {
    Region q(bytes / 4, PageSize::Base);
    q.write_every_page();
    for (int i = 0; i < runs; ++i) quarter.push_back(fork_once(&q, ChildWork::ExitAtOnce, now_us).fork_time);
  }
  Region r(bytes, PageSize::Base);
  r.write_every_page();
  for (int i = 0; i < runs; ++i) {
    ForkSample s = fork_once(&r, ChildWork::WriteEveryPage, now_us);
    with.push_back(s.fork_time);
    writes.push_back(s.child_write_time);
    m.vmpte_n = s.child_vmpte_kb;
    auto [fresh, warm] = copy_once(r, PageSize::Base);
    copies.push_back(fresh);
    faulted.push_back(warm);
  }
  m.fork_base = median(base);
  m.fork_n = median(with);
  m.fork_quarter = median(quarter);
  m.cow_write = median(writes);
  m.copy = median(copies);
  m.memcpy_faulted = median(faulted);
  if (thp_available()) {
    Region h(bytes, PageSize::Huge);
    h.write_every_page();
    // Count THP as available only when most of the region really got huge pages.
    m.thp = proc_kb("/proc/self/smaps_rollup", "AnonHugePages:") >= long(bytes / 1024 / 2);
    for (int i = 0; m.thp && i < runs; ++i) {
      thp_fork.push_back(fork_once(&h, ChildWork::ExitAtOnce, now_us).fork_time);
      thp_copy.push_back(copy_once(h, PageSize::Huge).first);
    }
    m.thp_fork_n = median(thp_fork);
    m.thp_copy = median(thp_copy);
  }
  return m;
}

CostModel fit(const Measured& x, size_t mib) {
  CostModel m;  // constants not measured keep the values of docs/kernel-rules.md
  double pages = double(mib) * 256.0;
  m.fork_base_us = x.fork_base;
  m.pte_copy_ns = std::max(0.0, x.fork_n - x.fork_base) * 1000.0 / pages;
  m.cow_fault_us = x.cow_write / pages;
  m.copy_page_us = x.copy / pages;
  m.memcpy_page_us = x.memcpy_faulted / pages;
  if (x.thread >= 0) m.thread_us = x.thread;
  if (x.vfork >= 0) m.vfork_us = x.vfork;
  if (x.vmpte_base >= 0) m.process_base_kib = 60.0 + double(x.vmpte_base);  // 60 KiB: kernel structures
  if (x.thp) {
    m.thp_fork_base_us = x.fork_base;
    m.thp_pmd_copy_us = std::max(0.0, x.thp_fork_n - x.fork_base) / (pages / 512.0);
    m.thp_copy_page_us = x.thp_copy / pages;
  }
  return m;
}

void table_row(const char* what, const std::string& a, const std::string& b, const std::string& c) {
  std::printf("#   %-34s %14s %14s %14s\n", what, a.c_str(), b.c_str(), c.c_str());
}

}  // namespace

int calibrate_main(const Parsed& args) {
  std::optional<uint64_t> mib_arg = args.number("--mib", 120, 1, 4096), runs_arg = args.number("--runs", 5, 1, 4096);
  if (!mib_arg || !runs_arg) return 2;
  size_t mib = size_t(*mib_arg);
  int runs = int(*runs_arg);
  std::fprintf(stderr, "cowlab calibrate: measuring forks, threads, vforks, COW faults and copies of %zu MiB, %d runs "
               "each...\n", mib, runs);
  Measured x = measure(mib, runs);
  CostModel fitted = fit(x, mib), book;
  utsname u{};
  uname(&u);
  std::printf("# cowlab calibrate: measured on this machine (Linux %s, %s), %zu MiB, median of %d runs\n",
              u.release, u.machine, mib, runs);
  std::fputs(format_cost_model(fitted).c_str(), stdout);
  if (!x.thp) std::puts("# (transparent huge pages unavailable: the thp_* constants keep the book values)");

  double pages = double(mib) * 256.0;
  char what[64];
  auto us = [](double v) { return format_time_us(v); };
  std::puts("#");
  std::puts("# Modeled vs measured on this machine. \"book\" = the constants from docs/kernel-rules.md;");
  std::puts("# \"fitted\" = the constants above; each row's fitted model is derived from other rows");
  std::puts("# where it says so, otherwise it reproduces the measurement it was fitted to.");
  table_row("", "model (book)", "model (fitted)", "measured");
  table_row("fork, empty process", us(book.fork_base_us), us(fitted.fork_base_us), us(x.fork_base));
  std::snprintf(what, sizeof what, "fork, %zu MiB written", mib);
  table_row(what, us(classic_4k(book, uint32_t(mib)).cow_us), us(classic_4k(fitted, uint32_t(mib)).cow_us), us(x.fork_n));
  auto measured_or_not = [&](double v) { return v >= 0 ? us(v) : std::string("failed"); };
  table_row("thread creation (pthread_create)", us(book.thread_us), us(fitted.thread_us), measured_or_not(x.thread));
  table_row("vfork, child exits at once", us(book.vfork_us), us(fitted.vfork_us), measured_or_not(x.vfork));
  std::snprintf(what, sizeof what, "fork, %zu MiB written (predicted)", mib / 4);
  double q_book = book.fork_base_us + pages / 4 * book.pte_copy_ns / 1000;
  double q_fit = fitted.fork_base_us + pages / 4 * fitted.pte_copy_ns / 1000;
  table_row(what, us(q_book), us(q_fit), us(x.fork_quarter));
  std::snprintf(what, sizeof what, "child writes %zu MiB (COW faults)", mib);
  table_row(what, us(pages * book.cow_fault_us), us(pages * fitted.cow_fault_us), us(x.cow_write));
  std::snprintf(what, sizeof what, "naive copy of %zu MiB", mib);
  table_row(what, us(pages * book.copy_page_us), us(pages * fitted.copy_page_us), us(x.copy));
  table_row("memcpy, destination faulted", us(pages * book.memcpy_page_us), us(pages * fitted.memcpy_page_us),
            us(x.memcpy_faulted));
  double pt_kib = classic_4k(book, uint32_t(mib)).cow_kib - book.process_base_kib;
  table_row("child VmPTE after fork", format_bytes((pt_kib + 36) * 1024, false),
            format_bytes((pt_kib + fitted.process_base_kib - 60) * 1024, false),
            x.vmpte_n >= 0 ? format_bytes(double(x.vmpte_n) * 1024, false) : "?");
  if (x.thp) {
    std::snprintf(what, sizeof what, "THP: fork, %zu MiB written", mib);
    table_row(what, us(classic_thp(book, uint32_t(mib)).cow_us), us(classic_thp(fitted, uint32_t(mib)).cow_us),
              us(x.thp_fork_n));
    std::snprintf(what, sizeof what, "THP: naive copy of %zu MiB", mib);
    table_row(what, us(pages * book.thp_copy_page_us), us(pages * fitted.thp_copy_page_us), us(x.thp_copy));
  }
  std::puts("# The fitted model is linear: its per-PTE cost comes from the full-size fork, so the");
  std::puts("# predicted quarter-size fork shows how far linear holds on this machine.");
  return 0;
}

#else  // not Linux

int calibrate_main(const Parsed&) {
  std::fputs("cowlab calibrate: measuring real forks needs Linux; the model uses the constants from\n"
             "docs/kernel-rules.md (see `cowlab cost --constants`)\n", stderr);
  return 2;
}

#endif

}  // namespace cow::shell
