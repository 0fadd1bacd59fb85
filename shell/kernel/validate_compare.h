// Engine vs kernel at one point of a `cowlab validate` run: the numbers of every process
// and region on both sides, which of them differ, and how to print them (a side-by-side
// table, or JSON). Linux only.
#pragma once
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <set>
#include <string>
#include <vector>

#include "engine/mm/engine.h"
#include "driver.h"
#include "probe.h"

namespace cow::kernel {

struct RegionRow {
  std::string name;
  Usage engine;
  KernelUsage kernel;
  std::vector<std::string> differ;  // metric names whose values differ
};

struct ProcessRow {
  std::string name;
  std::string engine_state;   // running, suspended, exited, killed
  bool kernel_alive = false;
  pid_t tid = 0;
  std::vector<RegionRow> regions;
};

struct Point {
  int line = 0;
  std::string at;             // "show", "end" or "step" (an unannounced difference)
  size_t statements_run = 0;  // how many statements ran before this point
  std::vector<ProcessRow> processes;
  uint64_t engine_frames = 0, kernel_frames = 0;
  bool frames_known = false;  // kernel frames need pagemap
  std::vector<std::string> differences;  // readable, one per difference
  std::vector<std::string> notes;        // what differs for a known reason cowlab does not model
  bool agree() const { return differences.empty(); }
};

// Measures every process of `e` on both sides. Pss is compared exactly when pagemap and
// kpagecount were read, otherwise to within 1 kB of what smaps prints.
Point measure(const Engine& e, const Driver& d, Probe& probe, int line, const std::string& at);

// The side-by-side table; kernel values that differ carry a '*'.
void print_point(FILE* out, const Point& p);
// One JSON object (no trailing newline).
std::string point_json(const Point& p);

}  // namespace cow::kernel
#endif  // __linux__
