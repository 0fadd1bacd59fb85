// What a statement costs end to end: the built `cowlab run` binary, timed as a process,
// on a script whose process has its heap written (1 GiB, `ram 4G`), with and without the
// two lines `P1 fork C[1-8]` and `C[1-8] exit`. The difference over 8 is one fork plus
// one exit as a user pays it (parse, session, events, report, teardown), compared with
// the engine's fork alone and with the real kernel's fork() of the same size, both
// measured in this run. Linux only, native only (it starts a process).
//
// `cowlab run` keeps no checkpoints (it never moves back). A session that does (the web
// page, the REPL: Limits' default) copies the engine now and then; the second figure,
// statement_overhead_session, is the same difference timed in this process through such
// a session (load, every statement, the state's JSON), so that the copies show.
#include "bench.h"
#include "engine/script/session.h"

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace bench {
namespace {

// The cowlab binary of the same build: shell/cowlab beside bench/ (COWLAB_CLI from CMake).
std::string cowlab_binary() {
  if (const char* env = std::getenv("COWLAB_CLI")) return env;
#ifdef COWLAB_CLI
  return COWLAB_CLI;
#else
  return "";
#endif
}

std::string heap_script(uint64_t pages, bool forks) {
  std::string s = "ram " + std::to_string(pages * 4) + "\n";  // frames: 4x the heap (ram 4G)
  s += "spawn P1\nP1 mmap heap " + std::to_string(pages) + "\nP1 write heap\n";
  if (forks) s += "P1 fork C[1-8]\nC[1-8] exit\n";
  return s;
}

// A temporary file holding `text`; "" on failure.
std::string write_temp(const std::string& text) {
  char path[] = "/tmp/cowlab-bench-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return "";
  bool ok = write(fd, text.data(), text.size()) == ssize_t(text.size());
  close(fd);
  return ok ? path : "";
}

// One `cowlab run FILE` with stdout and stderr to /dev/null: the child's CPU time (user +
// system, from wait4) and wall time in ms; cpu < 0 when it could not run or failed.
struct Run {
  double cpu = -1, wall = 0;
};
Run run_cowlab(const std::string& binary, const std::string& file) {
  double t0 = cow::kernel::monotonic_ms();
  pid_t pid = fork();
  if (pid < 0) return {};
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1), dup2(null, 2);
    execl(binary.c_str(), binary.c_str(), "run", file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  auto ms = [](const timeval& t) { return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3; };
  return {ms(ru.ru_utime) + ms(ru.ru_stime), cow::kernel::monotonic_ms() - t0};
}

// Medians of `runs` runs of each script, alternating so that load affects both alike.
bool time_scripts(const std::string& binary, const std::string& with, const std::string& without, int runs,
                  Run* m_with, Run* m_without) {
  std::vector<double> cw, ww, co, wo;
  for (int i = 0; i < runs; ++i) {
    Run a = run_cowlab(binary, with), b = run_cowlab(binary, without);
    if (a.cpu < 0 || b.cpu < 0) return false;
    cw.push_back(a.cpu), ww.push_back(a.wall), co.push_back(b.cpu), wo.push_back(b.wall);
  }
  *m_with = {median(cw), median(ww)};
  *m_without = {median(co), median(wo)};
  return true;
}

// Median CPU time of a Session with default limits (checkpoints kept) running `text`, its
// state JSON included; < 0 when the script stops with an error.
double time_session(const std::string& text, int runs) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    double t0 = now_ms();
    {
      cow::script::Session s;
      s.load(text);
      s.run_all();
      if (s.stopped() || cow::script::state_json(s).empty()) return -1;
    }
    times.push_back(now_ms() - t0);
  }
  return median(times);
}

// statement_overhead_session: the same two scripts in this process, through a Session
// that keeps checkpoints.
Result session_overhead(uint64_t pages, int runs, double engine) {
  Result r{.name = "statement_overhead_session"};
  double with = 0, without = 0;
  std::vector<double> w, wo;
  for (int i = 0; i < runs; ++i) {  // alternating, as time_scripts does
    w.push_back(time_session(heap_script(pages, true), 1));
    wo.push_back(time_session(heap_script(pages, false), 1));
  }
  with = median(w), without = median(wo);
  double per = (with - without) / 8;
  r.num("pages", double(pages));
  r.num("runs", runs);
  r.num("with_ms", with);
  r.num("without_ms", without);
  r.num("per_statement_ms", per);
  r.num("engine_fork_ms", engine);
  r.num("vs_engine_fork", engine > 0 ? per / engine : 0);
  r.measured = "fork+exit " + fmt(per, 3) + " ms (checkpoints)";
  r.reference = "engine fork " + fmt(engine, 3) + " ms: " + fmt(per / engine, 2) + "x";
  return r;
}

}  // namespace

void statement_overhead(const Options& o, std::vector<Result>& out) {
  const uint64_t pages = o.quick ? 4096 : 262144;  // 16 MiB or 1 GiB
  const int runs = o.quick ? 3 : std::max(o.runs, 9);
  Result r{.name = "statement_overhead"};
  r.num("pages", double(pages));
  r.num("runs", runs);
  std::string binary = cowlab_binary();
  std::string with = write_temp(heap_script(pages, true)), without = write_temp(heap_script(pages, false));
  Run a, b;
  bool ok = !binary.empty() && !with.empty() && !without.empty() && time_scripts(binary, with, without, runs, &a, &b);
  if (!with.empty()) unlink(with.c_str());
  if (!without.empty()) unlink(without.c_str());
  if (!ok) {
    r.text("error", "could not run '" + binary + "' (build the cowlab target, or set COWLAB_CLI)");
    r.measured = "(not measured)";
    out.push_back(r);
    return;
  }
  double per = (a.cpu - b.cpu) / 8, per_wall = (a.wall - b.wall) / 8;
  double engine = time_fork(pages, runs);
  const RealFigures& rf = real_figures();
  double kernel = rf.fork_pages == pages ? rf.fork_ms : 0;
  r.num("with_ms", a.cpu);
  r.num("without_ms", b.cpu);
  r.num("per_statement_ms", per);
  r.num("per_statement_wall_ms", per_wall);
  r.num("engine_fork_ms", engine);
  r.num("vs_engine_fork", engine > 0 ? per / engine : 0);
  r.measured = "fork+exit " + fmt(per, 3) + " ms (" + fmt_size(pages) + ")";
  r.reference = "engine fork " + fmt(engine, 3) + " ms: " + fmt(per / engine, 2) + "x";
  r.target = "<= 1.5x engine, <= 0.05x kernel";
  bool met = per <= 1.5 * engine;
  if (kernel > 0) {
    r.num("kernel_fork_ms", kernel);
    r.num("vs_kernel_fork", per / kernel);
    r.reference += "; kernel " + fmt(kernel, 2) + " ms: " + fmt(per / kernel, 3) + "x";
    met = met && per <= 0.05 * kernel;
  }
  r.met = o.quick || kernel <= 0 ? -1 : met;
  out.push_back(r);
  out.push_back(session_overhead(pages, runs, engine));
}

}  // namespace bench

#else  // no process to start here

namespace bench {
void statement_overhead(const Options&, std::vector<Result>&) {}
}  // namespace bench

#endif
