// Big scripts, run the way `cowlab run --json` runs them (Session: parse, every statement,
// checkpoints, then the state JSON), from generated cowscript text:
//   nginx: a master with a 256 MiB heap forks 100 workers; each writes its own 1%.
//   redis: a 4 GiB dataset, BGSAVE forks a child that reads it all while the parent
//          rewrites 10% of the pages in 100 scattered runs.
#include <cstdio>

#include "bench.h"
#include "engine/script/session.h"

namespace bench {
namespace {

std::string nginx_script(uint32_t workers, uint64_t heap_pages) {
  uint64_t slice = heap_pages / 100;  // 1%
  std::string s = "ram " + std::to_string(heap_pages * 4) + "\n";
  s += "spawn master\nmaster mmap heap " + std::to_string(heap_pages) + "\nmaster write heap\n";
  s += "master fork w[1-" + std::to_string(workers) + "]\n";
  for (uint32_t i = 0; i < workers; ++i) {
    uint64_t first = (i * slice) % (heap_pages - slice + 1);
    s += "w" + std::to_string(i + 1) + " write heap " + std::to_string(first) + "-" +
         std::to_string(first + slice - 1) + "\n";
  }
  s += "expect cow_copies=" + std::to_string(uint64_t(workers) * slice) + "\n";
  return s;
}

std::string redis_script(uint64_t data_pages) {
  const uint64_t runs = 100, run = data_pages / 10 / runs, stride = data_pages / runs;
  std::string s = "ram " + std::to_string(data_pages * 2) + "\n";
  s += "spawn redis\nredis mmap data " + std::to_string(data_pages) + "\nredis write data\n";
  s += "redis fork bgsave\n";
  for (uint64_t k = 0; k < runs; ++k)
    s += "redis write data " + std::to_string(k * stride) + "-" + std::to_string(k * stride + run - 1) + "\n";
  s += "bgsave read data\nbgsave exit\n";
  s += "expect cow_copies=" + std::to_string(runs * run) + " cow_reuses=0\n";
  return s;
}

// Median of load + run + state JSON; also the parts. Sets *error on a script problem.
Result time_script(const std::string& name, const std::string& text, int runs) {
  std::vector<double> total, run_ms, json_ms;
  std::string error;
  size_t steps = 0, json_bytes = 0;
  for (int i = 0; i < runs; ++i) {
    double t0 = now_ms();
    cow::script::Session s;
    s.load(text);
    s.run_all();
    double t1 = now_ms();
    std::string json = cow::script::state_json(s);
    double t2 = now_ms();
    total.push_back(t2 - t0), run_ms.push_back(t1 - t0), json_ms.push_back(t2 - t1);
    steps = s.position(), json_bytes = json.size();
    if (s.error()) error = "line " + std::to_string(s.error()->pos.line) + ": " + s.error()->message;
    else if (s.expects_failed()) error = "an expect failed";
  }
  Result r{.name = name};
  r.num("ms", median(total));
  r.num("run_ms", median(run_ms));
  r.num("json_ms", median(json_ms));
  r.num("steps", double(steps));
  r.num("script_bytes", double(text.size()));
  r.num("json_bytes", double(json_bytes));
  r.num("runs", runs);
  if (!error.empty()) r.text("error", error);
  r.measured = fmt(median(total), 1) + " ms (" + std::to_string(steps) + " steps)";
  r.reference = error.empty() ? "" : "ERROR " + error;
  return r;
}

}  // namespace

void big_scripts(const Options& o, std::vector<Result>& out) {
#if defined(__EMSCRIPTEN__)
  const bool native = false;
#else
  const bool native = true;
#endif
  const int runs = o.quick ? 1 : o.runs;
  Result n = time_script("script_nginx", o.quick ? nginx_script(10, 4096) : nginx_script(100, 65536), runs);
  Result r = time_script("script_redis", o.quick ? redis_script(16384) : redis_script(1048576), runs);
  for (Result* x : {&n, &r}) {
    x->target = "< 1 s";
    bool ok = x->reference.empty();
    x->met = native && !o.quick ? (ok && x->value("ms") < 1000) : -1;
    out.push_back(*x);
  }
}

}  // namespace bench
