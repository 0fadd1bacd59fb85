// `cowlab run`.
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

constexpr Option kRunOptions[] = {
    {.name = "--json", .help = "print the final state as one JSON document on stdout (tables go to stderr)"},
    {.name = "--trace", .help = "print each statement's events and how every metric changed"},
    {.name = "--smaps",
     .takes = Takes::Value,
     .value = "NAME",
     .help = "print process NAME's regions in /proc/PID/smaps format at the end"},
    {.name = "--status", .help = "print the /proc/PID/status memory lines and an smem table at the end"},
};

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

const Spec kRunSpec = {
    .name = "run",
    .summary = "run a script; print the state at each `show` and at the end",
    .options = kRunOptions,
    .operands = kOneScript,
};

int run_main(const Parsed& args) {
  RunOptions o{.json = args.has("--json"),
               .trace = args.has("--trace"),
               .status = args.has("--status"),
               .smaps = args.value("--smaps"),
               .file = args.operand()};
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

}  // namespace cow::shell
