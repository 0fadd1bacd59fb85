// cowlab-bench: timing helpers, the result record and the benchmark families.
//
// Every benchmark produces one Result: a name, figures as JSON fields, and one row of
// the readable table (what was measured, the reference it is compared with, the target).
// Times are medians of several runs of the same work; set-up is never timed.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "shell/kernel/fork_timing.h"

namespace bench {

struct Options {
  bool quick = false;     // small sizes, one or two runs: the smoke test
  int runs = 5;           // runs per timed figure (medians)
  bool real = true;       // measure the real kernel too (Linux, native only)
};

// One benchmark's figures.
struct Result {
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;  // JSON key -> JSON value
  std::string measured, reference, target;  // the table row
  int met = -1;                             // 1 met, 0 not met, -1 no target

  void num(const std::string& key, double v);
  void text(const std::string& key, const std::string& v);
  std::string json() const;
  double value(const std::string& key) const;  // a numeric field, 0 if absent
};

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#define COWLAB_BENCH_CPU_CLOCK 1
constexpr bool kHaveCpuClock = true;
#else
#define COWLAB_BENCH_CPU_CLOCK 0
constexpr bool kHaveCpuClock = false;
#endif

// Milliseconds on the benchmark clock: this thread's CPU time natively (the work done,
// whatever else runs on the machine), wall time under WebAssembly or with --wall.
double now_ms();
void use_wall_clock(bool wall);
const char* clock_name();
using cow::kernel::median;  // the median of the real-fork timings, used for every figure
// Runs `setup` (untimed) then `body` (timed) `runs` times; returns the median in ms.
double median_ms(int runs, const std::function<void()>& setup, const std::function<void()>& body);
std::string fmt(double v, int decimals);
std::string fmt_size(uint64_t pages);  // "1 GiB", "256 MiB"

// The families; each appends its results.
void real_kernel(const Options& o, std::vector<Result>& out);     // real_kernel.cpp
void simulated(const Options& o, std::vector<Result>& out);       // simulated.cpp
void big_scripts(const Options& o, std::vector<Result>& out);     // scripts.cpp
void engine_memory(const Options& o, std::vector<Result>& out);   // memory.cpp
void scaling(const Options& o, std::vector<Result>& out);         // simulated.cpp

void statement_overhead(const Options& o, std::vector<Result>& out);  // statement.cpp

// Median time of Engine::fork of a process with `pages` present (each child exits between
// runs; measured once per size and remembered).
double time_fork(uint64_t pages, int runs);

// Figures the real-kernel family measured, for the ratios; 0 when not measured.
struct RealFigures {
  double fork_ms = 0;          // fork of the same present size as the simulated 1 GiB
  uint64_t fork_pages = 0;
  double cow_faults_per_s = 0;
  std::vector<std::pair<uint64_t, double>> fork_ms_by_pages;  // for the scaling table
};
RealFigures& real_figures();

}  // namespace bench
