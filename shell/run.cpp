// `cowlab run` and `cowlab check`.
#include <cstdio>
#include <string>

#include "commands.h"
#include "engine/script/session.h"
#include "report.h"
#include "views.h"

namespace cow::shell {

namespace {

struct RunOptions {
  bool json = false, trace = false, status = false;
  std::string smaps;
  std::string file;
};

int usage_error(const char* msg) {
  std::fprintf(stderr, "cowlab run: %s\nusage: cowlab run [--json] [--trace] [--smaps NAME] [--status] FILE|-\n", msg);
  return 2;
}

// Runs every statement, printing tables at `show` and the trace when asked.
void run_session(script::Session& s, const RunOptions& o, FILE* out) {
  while (!s.at_end() && !s.stopped()) {
    Metrics before;
    if (o.trace) before = collect_metrics(s.engine());
    const script::Statement& st = s.script().statements[s.position()];
    s.step();
    if (o.trace) {
      std::fprintf(out, "[%d] line %d\n", st.step, st.pos.line);
      for (const Event& e : s.history().back().events)
        if (e.kind != EventKind::ReadSees) std::fprintf(out, "    %s\n", s.engine().describe(e).c_str());
      std::fputs(metric_changes(before, collect_metrics(s.engine())).c_str(), out);
    }
    if (st.verb == script::Verb::Show && !s.stopped()) {
      std::fprintf(out, "== show at line %d (step %d) ==\n", st.pos.line, st.step);
      std::fputs(state_table(s).c_str(), out);
    }
  }
}

}  // namespace

int run_main(const Args& args) {
  RunOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") o.json = true;
    else if (a == "--trace") o.trace = true;
    else if (a == "--status") o.status = true;
    else if (a == "--smaps") {
      if (++i == args.size()) return usage_error("--smaps needs a process name");
      o.smaps = args[i];
    } else if (a == "--help" || a == "-h") {
      std::puts("usage: cowlab run [--json] [--trace] [--smaps NAME] [--status] FILE|-");
      return 0;
    } else if (a.size() > 1 && a[0] == '-') return usage_error(("unknown option '" + a + "'").c_str());
    else if (!o.file.empty()) return usage_error("give one script");
    else o.file = a;
  }
  if (o.file.empty()) return usage_error("no script given");
  std::string text;
  if (!read_source(o.file, &text)) return 2;
  FILE* out = o.json ? stderr : stdout;
  script::Session s;
  s.load(text);
  run_session(s, o, out);
  if (!s.stopped()) {
    std::fprintf(out, "== end (%zu steps) ==\n", s.position());
    std::fputs(state_table(s).c_str(), out);
  } else if (s.position() > 0) {
    std::fprintf(out, "== stopped by an error at line %d (state after step %zu) ==\n", s.error()->pos.line,
                 s.position() - 1);
    std::fputs(state_table(s).c_str(), out);
  }
  if (!o.smaps.empty() && print_smaps(s, o.smaps, out) != 0) return 2;
  if (o.status) print_status(s, out);
  int failed = 0;
  for (const script::ExpectOutcome& x : s.expects())
    if (!x.ok) {
      std::fprintf(stderr, "%s:%d: expect failed: %s\n", o.file.c_str(), x.line, x.message.c_str());
      ++failed;
    }
  std::string shown = o.file == "-" ? "<stdin>" : o.file;
  if (s.error()) std::fputs(format_error(shown, text, *s.error()).c_str(), stderr);
  if (o.json) std::printf("%s\n", script::state_json(s).c_str());
  if (s.error()) return 2;
  return failed ? 1 : 0;
}

int check_main(const Args& args) {
  if (args.empty()) {
    std::fputs("usage: cowlab check FILE...\n", stderr);
    return 2;
  }
  int ok = 0, failed = 0, errors = 0;
  for (const std::string& file : args) {
    std::string text;
    if (!read_source(file, &text)) {
      ++errors;
      continue;
    }
    script::Session s;
    s.load(text);
    s.run_all();
    size_t bad = 0;
    for (const script::ExpectOutcome& x : s.expects()) bad += !x.ok;
    if (s.error()) {
      ++errors;
      std::printf("ERROR %s\n", file.c_str());
      std::fputs(format_error(file, text, *s.error()).c_str(), stdout);
    } else if (bad) {
      ++failed;
      std::printf("FAIL  %s: %zu of %zu expects failed\n", file.c_str(), bad, s.expects().size());
      for (const script::ExpectOutcome& x : s.expects())
        if (!x.ok) std::printf("      %s:%d: %s\n", file.c_str(), x.line, x.message.c_str());
    } else {
      ++ok;
      std::printf("ok    %s (%zu expects)\n", file.c_str(), s.expects().size());
    }
  }
  std::printf("%d passed, %d failed\n", ok, failed + errors);
  return errors ? 2 : failed ? 1 : 0;
}

}  // namespace cow::shell
