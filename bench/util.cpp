// Timing, medians, formatting and the JSON line of a Result.
#include <cstdio>
#include <cstdlib>

#include "bench.h"

#if COWLAB_BENCH_CPU_CLOCK
#include <time.h>
#endif
#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
// CPU time of the node process (user + system), or wall time outside node.
EM_JS(double, node_cpu_ms, (), {
  if (typeof process !== 'undefined' && process.cpuUsage) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  return performance.now();
});
#endif

namespace bench {

void Result::num(const std::string& key, double v) {
  char buf[64];
  if (v == double(int64_t(v)) && v < 1e15 && v > -1e15) std::snprintf(buf, sizeof buf, "%lld", (long long)v);
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  fields.emplace_back(key, buf);
}

void Result::text(const std::string& key, const std::string& v) {
  fields.emplace_back(key, "\"" + v + "\"");  // our own texts: no quotes or backslashes
}

std::string Result::json() const {
  std::string s = "{\"bench\":\"" + name + "\"";
  for (const auto& [k, v] : fields) s += ",\"" + k + "\":" + v;
  if (met >= 0) s += std::string(",\"target_met\":") + (met ? "true" : "false");
  return s + "}";
}

// CPU time, so that the time other processes hold the CPU is not counted on a shared
// machine: this thread's (user + kernel) natively, node's process CPU time under
// WebAssembly (which includes V8's compiler and GC threads). Wall time on request.
static bool g_wall = false;

void use_wall_clock(bool wall) { g_wall = wall; }

const char* clock_name() {
  if (g_wall) return "wall";
#if defined(__EMSCRIPTEN__)
  return "node_process_cpu";
#else
  return kHaveCpuClock ? "thread_cpu" : "wall";
#endif
}

double Result::value(const std::string& key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return std::strtod(v.c_str(), nullptr);
  return 0;
}

double now_ms() {
#if COWLAB_BENCH_CPU_CLOCK
  if (!g_wall) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
  }
#endif
#if defined(__EMSCRIPTEN__)
  if (!g_wall) return node_cpu_ms();
#endif
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

double median_ms(int runs, const std::function<void()>& setup, const std::function<void()>& body) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    setup();
    double t0 = now_ms();
    body();
    times.push_back(now_ms() - t0);
  }
  return median(times);
}

std::string fmt(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string fmt_size(uint64_t pages) {
  uint64_t kib = pages * 4;
  if (kib % (1024 * 1024) == 0) return std::to_string(kib / 1024 / 1024) + " GiB";
  if (kib % 1024 == 0) return std::to_string(kib / 1024) + " MiB";
  return std::to_string(kib) + " KiB";
}

RealFigures& real_figures() {
  static RealFigures figures;
  return figures;
}

}  // namespace bench
