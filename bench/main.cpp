// cowlab-bench: how fast and how small the engine is, against the real kernel.
// Prints one JSON line per benchmark on stdout, then a readable table.
//   cowlab-bench [--quick] [--runs N] [--wall] [--no-real] [--only FAMILY]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench.h"
#include "engine/script/json.h"

#if defined(__GLIBC__) && !defined(__EMSCRIPTEN__)
#include <malloc.h>
#include <climits>
#endif

namespace {

const char* kUsage =
    "usage: cowlab-bench [--quick] [--runs N] [--wall] [--no-real] [--only FAMILY]\n"
    "  --quick    small sizes and few runs (the smoke test; figures are not comparable)\n"
    "  --runs N   runs per timed figure; the median is reported (default 5)\n"
    "  --wall     time with the wall clock (default natively: this thread's CPU time)\n"
    "  --no-real  skip the real-kernel fork and COW measurements\n"
    "  --only F   run one family: real, simulated, scripts, memory, scaling or statement\n"
    "             (statement compares with the kernel only when real runs too: --only\n"
    "             takes a comma-separated list, e.g. real,statement)\n";

const char* platform() {
#if defined(__EMSCRIPTEN__)
  return "wasm";
#else
  return "native";
#endif
}

void print_table(const std::vector<bench::Result>& results) {
  std::printf("\n%-26s %-30s %-30s %-22s %s\n", "benchmark", "measured", "reference", "target", "met");
  std::printf("%s\n", std::string(118, '-').c_str());
  for (const bench::Result& r : results) {
    const char* met = r.met == 1 ? "yes" : r.met == 0 ? "NO" : "-";
    std::printf("%-26s %-30s %-30s %-22s %s\n", r.name.c_str(), r.measured.c_str(), r.reference.c_str(),
                r.target.c_str(), met);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::Options o;
  std::string only;  // ",family,...," or "" for all
  auto runs = [&](const char* family) { return only.empty() || only.find("," + std::string(family) + ",") != std::string::npos; };
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      o.quick = true;
      o.runs = 1;
    } else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) {
      o.runs = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--wall")) {
      bench::use_wall_clock(true);
    } else if (!std::strcmp(argv[i], "--no-real")) {
      o.real = false;
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      only = "," + std::string(argv[++i]) + ",";
    } else {
      std::fputs(kUsage, !std::strcmp(argv[i], "--help") ? stdout : stderr);
      return std::strcmp(argv[i], "--help") ? 2 : 0;
    }
  }
#if defined(__GLIBC__) && !defined(__EMSCRIPTEN__)
  // Keep freed memory in the heap, as WebAssembly's linear memory does, so that repeated
  // runs measure the engine rather than the kernel's first-touch faults on memory glibc
  // returned (about 16 us per 4 KiB page on some virtual machines).
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
  std::vector<bench::Result> results;
  // The real kernel first, while this process is small: a real fork copies the page
  // tables of everything the process maps, the simulated engines included.
  if (o.real && runs("real")) bench::real_kernel(o, results);
  if (runs("simulated")) bench::simulated(o, results);
  if (runs("scripts")) bench::big_scripts(o, results);
  if (runs("memory")) bench::engine_memory(o, results);
  if (runs("scaling")) bench::scaling(o, results);
  if (runs("statement")) bench::statement_overhead(o, results);
  if (only.empty()) {
    bench::Result ui{.name = "ui_frame"};
    ui.text("status", "skipped");
    ui.text("note", "UI frame CPU time is measured by the web page's own benchmark");
    ui.measured = "(web benchmark)";
    ui.target = "<= 8 ms";
    results.push_back(ui);
  }
  for (bench::Result& r : results) {
    r.fields.insert(r.fields.begin(), {"clock", cow::script::json_string(bench::clock_name())});
    r.fields.insert(r.fields.begin(), {"platform", cow::script::json_string(platform())});
    std::printf("%s\n", r.json().c_str());
  }
  print_table(results);
  return 0;
}
