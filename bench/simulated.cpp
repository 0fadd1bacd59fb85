// The engine's own speed: simulated fork of a process with N present pages, and
// simulated COW faults (a child writes every page after fork), each compared with the
// real kernel measured in the same run.
#include <map>

#include "bench.h"
#include "machine.h"

namespace bench {
namespace {

#if defined(__EMSCRIPTEN__)
constexpr bool kNative = false;
#else
constexpr bool kNative = true;
#endif

std::map<uint64_t, double>& sim_fork_ms() { static std::map<uint64_t, double> m; return m; }
std::map<uint64_t, double>& sim_cow_rate() { static std::map<uint64_t, double> m; return m; }

}  // namespace

double time_fork(uint64_t pages, int runs) {
  if (sim_fork_ms().count(pages)) return sim_fork_ms()[pages];
  Machine m = written_process(pages, pages);
  m.e.exit(m.e.fork(m.p, "warm-up").created);  // first-touch costs of the allocator
  m.e.take_events();
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    double t0 = now_ms();
    cow::OpResult r = m.e.fork(m.p, "C" + std::to_string(i));
    times.push_back(now_ms() - t0);
    m.e.exit(r.created);
    m.e.take_events();
  }
  return sim_fork_ms()[pages] = median(times);
}

namespace {

// Median simulated COW faults per second: P forks C, then C writes every page (copies).
double cow_rate(uint64_t pages, int runs) {
  if (sim_cow_rate().count(pages)) return sim_cow_rate()[pages];
  Machine m;
  cow::ProcId child = cow::kNone;
  double ms = median_ms(
      runs,
      [&] {
        m = written_process(pages, 2 * pages);
        child = m.e.fork(m.p, "C").created;
        m.e.take_events();
      },
      [&] { m.e.access(child, m.heap, {}, cow::Access::Write); });
  if (m.e.counters().cow_copies != pages) return 0;  // not what we meant to measure
  return sim_cow_rate()[pages] = double(pages) / (ms / 1000);
}

}  // namespace

void simulated(const Options& o, std::vector<Result>& out) {
  const RealFigures& rf = real_figures();
  std::vector<uint64_t> sizes = o.quick ? std::vector<uint64_t>{4096, 16384, 65536}
                                        : std::vector<uint64_t>{262144, 1048576, 4194304};
  const int runs = o.quick ? 2 : std::max(o.runs, 9);
  for (uint64_t pages : sizes) {
    double ms = time_fork(pages, runs);
    Result r{.name = "sim_fork_" + size_tag(pages)};
    r.num("pages", double(pages));
    r.num("sim_ms", ms);
    r.num("ns_per_pte", ms * 1e6 / double(pages));
    r.num("runs", runs);
    r.measured = fmt(ms, 3) + " ms (" + fmt(ms * 1e6 / double(pages), 2) + " ns/PTE)";
    if (pages == sizes.front()) {  // 1 GiB (16 MiB when quick): the targets
      r.target = "<= 1 ms";
      r.met = kNative && !o.quick ? ms <= 1.0 : -1;
    }
    if (pages == rf.fork_pages && rf.fork_ms > 0) {
      double ratio = ms / rf.fork_ms;
      r.num("real_ms", rf.fork_ms);
      r.num("ratio", ratio);
      r.reference = "real " + fmt(rf.fork_ms, 3) + " ms; ratio " + fmt(ratio, 4);
      r.target = "<= 1 ms, ratio <= 0.05";
      r.met = kNative && !o.quick ? (ms <= 1.0 && ratio <= 0.05) : -1;
    }
    out.push_back(r);
  }
  const uint64_t cow_pages = o.quick ? 4096 : 262144;
  double rate = cow_rate(cow_pages, o.quick ? 1 : o.runs);
  Result c{.name = "sim_cow_faults"};
  c.num("pages", double(cow_pages));
  c.num("faults_per_s", rate);
  c.num("ns_per_fault", rate ? 1e9 / rate : 0);
  c.num("runs", o.quick ? 1 : o.runs);
  c.measured = fmt(rate / 1e6, 1) + " M faults/s";
  c.target = ">= 50 M/s";
  c.met = kNative && !o.quick ? rate >= 50e6 : -1;
  if (rf.cow_faults_per_s > 0) {
    double speedup = rate / rf.cow_faults_per_s;
    c.num("real_faults_per_s", rf.cow_faults_per_s);
    c.num("speedup", speedup);
    c.reference = "real " + fmt(rf.cow_faults_per_s / 1e6, 2) + " M/s; " + fmt(speedup, 1) + "x";
    c.target = ">= 50 M/s, >= 50x real";
    c.met = kNative && !o.quick ? (rate >= 50e6 && speedup >= 50) : -1;
  }
  out.push_back(c);
}

// How cost grows with size: simulated fork and COW faults at several sizes, with the
// real fork where it was measured.
void scaling(const Options& o, std::vector<Result>& out) {
  std::vector<uint64_t> sizes = o.quick ? std::vector<uint64_t>{1024, 4096, 16384}
                                        : std::vector<uint64_t>{4096, 16384, 65536, 262144, 1048576, 4194304};
  const int runs = o.quick ? 2 : std::max(o.runs, 9);
  for (uint64_t pages : sizes) {
    Result r{.name = "scale_" + size_tag(pages)};
    double ms = time_fork(pages, runs);
    r.num("pages", double(pages));
    r.num("sim_fork_ms", ms);
    r.num("sim_fork_ns_per_pte", ms * 1e6 / double(pages));
    r.measured = "fork " + fmt(ms, 3) + " ms";
    for (const auto& [p, real_ms] : real_figures().fork_ms_by_pages) {
      if (p != pages) continue;
      r.num("real_fork_ms", real_ms);
      r.reference = "real fork " + fmt(real_ms, 3) + " ms";
    }
    if (pages <= (o.quick ? 16384u : 1048576u)) {
      double rate = cow_rate(pages, o.quick ? 1 : 3);
      r.num("sim_cow_ns_per_fault", rate ? 1e9 / rate : 0);
      r.measured += ", COW " + fmt(rate ? 1e9 / rate : 0, 1) + " ns/fault";
    }
    out.push_back(r);
  }
}

}  // namespace bench
