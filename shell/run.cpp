// `cowlab run`.
#include <cstdio>
#include <string>

#include "commands.h"
#include "engine/mm/smaps.h"
#include "engine/script/session.h"
#include "report.h"
#include "views.h"

namespace cow::shell {

namespace {

struct RunOptions {
  bool json = false, trace = false, status = false, explain = false, pagemap = false, events = false;
  bool meminfo = false;
  std::string smaps;
  PagemapFilter pages;
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
    {.name = "--meminfo",
     .help = "print the /proc/meminfo lines the engine knows at the end (MemTotal, MemFree, Cached, SwapTotal, "
             "AnonPages, Shmem, CommitLimit, Committed_AS)"},
    {.name = "--explain",
     .help = "print each statement's events as sentences: the fault handlers run and why, fork's decision for "
             "each VMA"},
    {.name = "--pagemap",
     .takes = Takes::OptionalValue,
     .value = "PROCESS[:REGION]",
     .help = "print every page (address, PTE, frame, COW, mapcount, page-walk indices) at each `show` and at the "
             "end; with --json, add each region's \"pagemap\" and each process's \"page_tables\""},
    {.name = "--events", .help = "with --json, add an \"events\" array: every event of every step"},
};

// The state table, and the pagemap when asked.
void print_state(const script::Session& s, const RunOptions& o, FILE* out) {
  std::fputs(state_table(s).c_str(), out);
  if (o.pagemap) std::fputs(pagemap_text(s, o.pages).c_str(), out);
}

// Runs every statement, printing tables at `show` and the trace when asked.
void run_session(script::Session& s, const RunOptions& o, const std::string& text, FILE* out) {
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
    if (o.explain) std::fputs(explain_step(s, text).c_str(), out);
    if (st.verb == script::Verb::Show && !s.stopped()) {
      std::fprintf(out, "== show at line %d (step %d) ==\n", st.pos.line, st.step);
      print_state(s, o, out);
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
               .explain = args.has("--explain"),
               .pagemap = args.has("--pagemap"),
               .events = args.has("--events"),
               .meminfo = args.has("--meminfo"),
               .smaps = args.value("--smaps"),
               .pages = parse_pagemap_filter(args.value("--pagemap")),
               .file = args.operand()};
  if (o.events && !o.json) {
    std::fputs("cowlab run: --events adds an \"events\" array to the JSON: give --json too\n", stderr);
    return 2;
  }
  std::string text;
  if (!read_source(o.file, &text)) return 2;
  FILE* out = o.json ? stderr : stdout;
  // run goes forward once and never back: checkpoints would be engine copies that
  // nothing restores (the initial state is one still, a copy of an empty engine).
  script::Session s(script::Limits{.max_checkpoint_bytes = 0});
  s.load(text);
  run_session(s, o, text, out);
  if (!s.stopped()) {
    std::fprintf(out, "== end (%zu steps) ==\n", s.position());
    print_state(s, o, out);
  } else if (s.position() > 0) {
    std::fprintf(out, "== stopped by an error at line %d (state after step %zu) ==\n", s.error()->pos.line,
                 s.position() - 1);
    print_state(s, o, out);
  }
  if (!o.smaps.empty() && print_smaps(s, o.smaps, out) != 0) return 2;
  if (o.pagemap && check_pagemap_filter(s, o.pages) != 0) return 2;
  if (o.status) print_status(s, out);
  if (o.meminfo) std::fprintf(out, "== /proc/meminfo ==\n%s", meminfo_text(s.engine()).c_str());
  int failed = 0;
  for (const script::ExpectOutcome& x : s.expects())
    if (!x.ok) {
      std::fprintf(stderr, "%s:%d: expect failed: %s\n", o.file.c_str(), x.line, x.message.c_str());
      ++failed;
    }
  std::string shown = o.file == "-" ? "<stdin>" : o.file;
  if (s.error()) std::fputs(format_error(shown, text, *s.error()).c_str(), stderr);
  if (o.json) std::printf("%s\n", script::state_json(s, {.pagemap = o.pagemap, .events = o.events}).c_str());
  if (s.error()) return 2;
  return failed ? 1 : 0;
}

}  // namespace cow::shell
