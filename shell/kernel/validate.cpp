// `cowlab validate [--json] FILE`: runs a script on the real Linux kernel, one real task
// per script task, statement by statement next to the engine, and compares what
// /proc says with what the engine says after every statement. Prints both side by side
// at each `show`, at the end, and where they first differ.
//
// The pieces: engine/kernel/plan.h (statement -> operations), driver.h (the worker tasks,
// speaking engine/kernel/protocol.h), worker.h (what runs inside them), probe.h (smaps,
// pagemap, kpagecount), validate_compare.h (the comparison and its tables),
// validate_commit.h (the commit charge against Committed_AS).
#include "validate.h"

#include <cstdio>
#include <cstring>

#include "shell/commands.h"

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#include <sys/utsname.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include "driver.h"
#include "engine/kernel/faults.h"
#include "engine/kernel/plan.h"
#include "engine/kernel/rule_versions.h"
#include "engine/script/json.h"
#include "engine/script/parser.h"
#include "probe.h"
#include "validate_commit.h"
#include "validate_compare.h"

namespace cow::kernel {

using script::json_string;

namespace {

struct Options {
  bool json = false;
  bool smaps_lines = false;  // print export-c's lines on stdout
  std::string path;
};

// One validate run: the session stepping the engine, and the kernel side next to it.
struct Run {
  Options opt;
  FILE* tables = stdout;  // stderr under --json
  script::Session session;
  Driver driver;
  Probe probe;
  std::vector<std::string> notes;
  std::vector<std::string> problems;  // differences found while running statements
  std::vector<Point> printed;
  bool step_difference_printed = false;
  uint64_t reads_checked = 0;
  std::string fatal;  // the bridge itself failed
  std::optional<script::Pos> first_zero_page_read;  // from the dry run
  Counters dry_counters;                            // the dry run's totals
  std::vector<StatementFaults> faults;               // one per statement run
  std::vector<FaultDifference> fault_differences;
  std::vector<std::string> fault_skips;              // "FILE:LINE:COL: TASK: ... (why)"
  std::vector<std::vector<NewRule>> rules;           // the newer-than-some-kernels rules each statement used
  std::vector<std::string> newer_rules;              // those newer than this kernel that differences follow
  CommitCheck* commit = nullptr;                     // null when this machine's /proc does not tell
  int attempt = 0;                                   // 0, or a re-run that measures the commit charge again
};

// A session in this machine's overcommit settings (the commit comparison needs them).
void pin_machine(const Run& run, script::Session& s) {
  if (!run.commit) return;
  const MachineOvercommit& m = run.commit->machine();
  s.pin_overcommit(m.mode, m.ratio, m.swap_total_kb / 4);
}

std::string where(const Run& run, script::Pos pos) {
  return run.opt.path + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col);
}

int madvise_advice(Advice a) {
  switch (a) {
    case Advice::DontFork: return MADV_DONTFORK;
    case Advice::DoFork: return MADV_DOFORK;
    case Advice::WipeOnFork: return MADV_WIPEONFORK;
    case Advice::KeepOnFork: return MADV_KEEPONFORK;
    case Advice::DontNeed: return MADV_DONTNEED;
    case Advice::HugePage: return MADV_HUGEPAGE;
    case Advice::NoHugePage: return MADV_NOHUGEPAGE;
  }
  return MADV_NORMAL;
}

// Transparent huge pages: this machine's policy (/sys/kernel/mm/transparent_hugepage/enabled)
// must allow them in MADV_HUGEPAGE regions (`madvise` or `always`); `mode thp=always` is
// emulated by MADV_HUGEPAGE on every eligible region (plan.cpp), so it needs no more.
std::optional<Inexpressible> thp_unavailable(const script::Session& dry) {
  std::optional<script::Pos> first;
  for (const script::Statement& s : dry.script().statements)
    if (!first && ((s.verb == script::Verb::Mmap && s.hugepage) ||
                   (s.verb == script::Verb::Mode && s.setting == script::ModeSetting::Thp && s.thp == ThpMode::Always)))
      first = s.pos;
  if (!first) return std::nullopt;
  FILE* f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  char line[128] = "";
  bool read = f && fgets(line, sizeof line, f);
  if (f) fclose(f);
  if (!read) return Inexpressible{*first, "transparent huge pages are not available on this kernel"};
  if (strstr(line, "[never]"))
    return Inexpressible{*first, "transparent huge pages are off here (transparent_hugepage/enabled is never)"};
  return std::nullopt;
}

command to_command(const Run& run, const KOp& op) {
  command c{};
  c.child = op.child;
  c.base = op.base;
  c.pages = op.pages;
  c.first = op.all ? ALL_PAGES : op.first;
  c.last = op.last;
  c.tag = op.tag;
  switch (op.kind) {
    case KOpKind::Mmap:
      c.op = OP_MMAP;
      c.flags = (op.share == Share::Shared ? MAP_IS_SHARED : 0) | (op.backing == Backing::File ? MAP_IS_FILE : 0) |
                (op.prot == Prot::ReadOnly ? MAP_IS_READONLY : 0) | (op.huge ? MAP_IS_HUGE : 0) |
                (op.noreserve ? MAP_IS_NORESERVE : 0);
      if (op.backing == Backing::File)
        snprintf(c.path, sizeof c.path, "%s", run.driver.file_path(op.file).c_str());
      break;
    case KOpKind::Munmap: c.op = OP_MUNMAP; break;
    case KOpKind::Write: c.op = OP_WRITE; break;
    case KOpKind::Read: c.op = OP_READ; break;
    case KOpKind::Madvise: c.op = OP_MADVISE, c.flags = uint32_t(madvise_advice(op.advice)); break;
    case KOpKind::Mprotect:
      c.op = OP_MPROTECT;
      c.flags = op.protect == Prot::ReadOnly ? PROT_READ : PROT_READ | PROT_WRITE;
      break;
    case KOpKind::Fork: c.op = OP_FORK; break;
    case KOpKind::Vfork: c.op = OP_VFORK; break;
    case KOpKind::Thread: c.op = OP_THREAD; break;
    case KOpKind::Exec: c.op = OP_EXEC; break;
    case KOpKind::Exit: c.op = op.thread_exit ? OP_EXIT_THREAD : OP_EXIT_GROUP; break;
    default: break;
  }
  return c;
}

std::string writer_name(const Engine& e, uint32_t tag) {
  if (tag == 0) return "zeros or file data";
  if (tag - 1 < e.processes().size()) return "written by " + e.processes()[tag - 1].name;
  return "tag " + std::to_string(tag);
}

// Checks what a kernel read saw against the engine's frames (each page's writer tag).
void check_reads(Run& run, const KOp& op, const reply& r) {
  const Engine& e = run.session.engine();
  const Process& p = e.processes()[op.task];
  if (!p.live()) return;
  const AddressSpace& as = e.address_spaces()[p.mm];
  NameId n = e.find_name(op.name);
  uint32_t m = n == kNone ? kNone : as.find_mapping(n);
  if (m == kNone) return;
  std::vector<uint32_t> pages;
  if (op.all) {
    for (const Vma& v : as.vmas)
      for (uint32_t q = v.first; v.mapping == m && q < v.end && pages.size() < r.ntags; ++q) pages.push_back(q);
  } else {
    for (uint64_t q = op.first; q <= op.last && pages.size() < r.ntags; ++q) pages.push_back(uint32_t(q));
  }
  const PageTable& pt = as.mappings[m].pt;
  for (size_t i = 0; i < pages.size() && i < r.ntags; ++i) {
    Pte x = pt.get(pages[i]);
    if (!pte::present(x)) continue;
    uint32_t want = pte::frame(x) == Frames::kZeroPage ? 0 : e.frames()[pte::frame(x)].tag;
    ++run.reads_checked;
    if (r.tags[i] != want)
      run.problems.push_back("line " + std::to_string(op.line) + ": " + p.name + " read " + op.name + " page " +
                             std::to_string(pages[i]) + " saw " + writer_name(e, r.tags[i]) + ", the engine says " +
                             writer_name(e, want));
  }
}

// What the worker measured for one operation: its count, or why there is none.
void record_kernel_faults(const KOp& op, RunResult res, const reply& r, const std::string& actor,
                          StatementFaults& faults) {
  switch (op.kind) {
    case KOpKind::Exit: return;  // the task is gone; the engine counts no fault there either
    case KOpKind::Fork: case KOpKind::Vfork: case KOpKind::Thread: case KOpKind::Exec:
      faults.unmeasured.push_back({actor, "fork, vfork, thread and exec are not measured: the C library's and the "
                                          "loader's own writes around them fault"});
      return;
    default: break;
  }
  if (res == RunResult::Killed)
    faults.unmeasured.push_back({actor, "the task was killed before it could report its count"});
  else if (r.faults == FAULTS_UNMEASURED)
    faults.unmeasured.push_back({actor, "the region has more holes than the worker lists"});
  else
    add_faults(faults.kernel, actor, r.faults);
}

// The faults each task took in the engine while the last statement ran: `before` holds
// every task's Process::min_flt from before it.
void record_engine_faults(const Engine& e, const std::vector<uint64_t>& before, StatementFaults& faults) {
  for (ProcId q = 0; q < e.processes().size(); ++q) {
    uint64_t was = q < before.size() ? before[q] : 0, now = e.processes()[q].min_flt;
    if (now != was) add_faults(faults.engine, e.processes()[q].name, now - was);
  }
}

std::vector<uint64_t> engine_fault_counts(const Engine& e) {
  std::vector<uint64_t> v;
  for (const Process& p : e.processes()) v.push_back(p.min_flt);
  return v;
}

// Performs one kernel operation. False when the bridge itself failed (run.fatal says why).
bool execute(Run& run, const KOp& op, StatementFaults& faults) {
  const Engine& e = run.session.engine();
  std::string err;
  switch (op.kind) {
    case KOpKind::Show: return true;
    case KOpKind::File:
      run.fatal = run.driver.create_file(op.file, op.name, op.pages);
      return run.fatal.empty();
    case KOpKind::Spawn:
      if (run.driver.spawn(op.child, &err) == RunResult::Failed) run.fatal = "spawn " + op.name + ": " + err;
      if (run.commit) run.commit->op_done(op.kind, false, {});
      return run.fatal.empty();
    default: break;
  }
  const std::string& actor = e.processes()[op.task].name;
  if (!run.driver.task(op.task).alive) {
    run.problems.push_back("line " + std::to_string(op.line) + ": " + actor +
                           "'s kernel task is gone; its statement was skipped");
    faults.unmeasured.push_back({actor, "its kernel task is gone"});
    return true;
  }
  command c = to_command(run, op);
  reply r{};
  RunResult res = run.driver.run(op.task, c, &r, &err);
  if (res == RunResult::Failed) {
    run.fatal = "line " + std::to_string(op.line) + ": " + actor + ": " + err;
    return false;
  }
  if (res == RunResult::Done && r.kind == REPLY_ERROR)
    run.problems.push_back("line " + std::to_string(op.line) + ": " + actor + ": the kernel refused (" +
                           strerror(r.err) + ") what the engine did");
  if (res == RunResult::Done && op.kind == KOpKind::Read) check_reads(run, op, r);
  if (run.commit) run.commit->op_done(op.kind, res == RunResult::Done, r);
  record_kernel_faults(op, res, r, actor, faults);
  return true;
}

// The lines an exported C program prints at this point, from the kernel's smaps.
void print_smaps_lines(const Point& p) {
  std::string at = p.at == "end" ? "end" : "show line " + std::to_string(p.line);
  for (const ProcessRow& pr : p.processes) {
    if (pr.engine_state != "running" && pr.engine_state != "suspended") continue;
    for (const RegionRow& r : pr.regions) {
      const KernelUsage& k = r.kernel;
      if (!pr.kernel_alive) {
        printf("%s: %s gone\n", at.c_str(), pr.name.c_str());
        continue;
      }
      printf("%s: %s %s pages=%llu rss=%llu pss_kb=%llu shared_clean=%llu shared_dirty=%llu private_clean=%llu "
             "private_dirty=%llu anon=%llu\n", at.c_str(), pr.name.c_str(), r.name.c_str(),
             (unsigned long long)k.pages, (unsigned long long)k.rss, (unsigned long long)k.pss_kb,
             (unsigned long long)k.shared_clean, (unsigned long long)k.shared_dirty,
             (unsigned long long)k.private_clean, (unsigned long long)k.private_dirty, (unsigned long long)k.anon);
    }
  }
}

void emit_point(Run& run, Point&& p) {
  if (run.attempt > 0) return;  // a re-run only measures the commit charge again
  print_point(run.tables, p);
  if (run.opt.smaps_lines && p.at != "step") print_smaps_lines(p);
  run.printed.push_back(std::move(p));
}

// Compares the fault counts of one statement and keeps them for the report.
void compare_faults(Run& run, StatementFaults&& faults) {
  for (const TaskFaults& k : faults.kernel) add_faults(faults.engine, k.task, 0);  // shown as 0, not absent
  for (const FaultDifference& d : fault_differences(faults)) run.fault_differences.push_back(d);
  for (const std::string& skip : fault_skips(faults))
    run.fault_skips.push_back(where(run, faults.pos) + ": " + skip);
  run.faults.push_back(std::move(faults));
}

// The fault-count comparison at the end of the text output.
void print_fault_summary(const Run& run) {
  size_t measured = 0;
  uint64_t total = 0;
  for (const StatementFaults& f : run.faults) {
    measured += !f.kernel.empty();
    for (const TaskFaults& k : f.kernel) total += k.faults;
  }
  if (run.fault_differences.empty())
    fprintf(run.tables, "page faults: the kernel agrees in all %zu statements measured (%llu faults, per task)\n",
            measured, (unsigned long long)total);
  else
    fprintf(run.tables, "page faults DIFFER in %zu of %zu statements measured (engine vs kernel, per task):\n",
            run.fault_differences.size(), measured);
  for (const FaultDifference& d : run.fault_differences)
    fprintf(run.tables, "  - %s\n", describe(d, run.opt.path).c_str());
  if (!run.fault_skips.empty()) fprintf(run.tables, "page faults not compared:\n");
  for (const std::string& s : run.fault_skips) fprintf(run.tables, "  - %s\n", s.c_str());
}

// Runs every statement on both sides. False when the bridge failed.
bool run_lockstep(Run& run) {
  const script::Script& script = run.session.script();
  for (size_t i = 0; i < script.statements.size(); ++i) {
    const script::Statement& s = script.statements[i];
    std::vector<uint64_t> faults_before = engine_fault_counts(run.session.engine());
    if (run.commit) run.commit->before(run.session.engine(), run.driver);
    if (!run.session.step()) return true;  // cannot happen: the dry run had no error
    StatementFaults faults;
    faults.pos = s.pos;
    record_engine_faults(run.session.engine(), faults_before, faults);
    run.rules.push_back(rules_used(run.session.engine(), run.session.history().back().events));
    if (run.commit) run.commit->kernel_before(run.session.engine());
    for (const KOp& op : plan_statement(s, run.session.engine()))
      if (!execute(run, op, faults)) return false;
    run.driver.settle(run.session.engine(), &run.problems);
    if (run.commit) run.commit->after(run.session.engine(), run.driver, s.pos, i, run.attempt);
    compare_faults(run, std::move(faults));
    bool show = s.verb == script::Verb::Show;
    Point p = measure(run.session.engine(), run.driver, run.probe, s.pos.line, show ? "show" : "step");
    p.statements_run = i + 1;
    if (show || (!p.agree() && !run.step_difference_printed)) {
      run.step_difference_printed |= !p.agree();
      emit_point(run, std::move(p));
    }
  }
  Point end = measure(run.session.engine(), run.driver, run.probe, 0, "end");
  end.statements_run = script.statements.size();
  emit_point(run, std::move(end));
  return true;
}

KernelVersion running_kernel() {
  utsname u;
  uname(&u);
  return parse_release(u.release).value_or(KernelVersion{99, 0});
}

// On a kernel older than rules the engine applies, the differences found after a
// statement that used such a rule are put down to it (rule_versions.h). Prints them, keeps
// them for the JSON, and says whether every difference is explained that way.
bool explain_older_kernel(Run& run) {
  KernelVersion kernel = running_kernel();
  std::vector<NewRule> named;
  size_t explained = 0, total = run.problems.size();
  auto account = [&](size_t statements_run) {
    ++total;
    if (statements_run == 0) return;
    std::vector<NewRule> r = newer_rules_before(run.rules, statements_run - 1, kernel);
    explained += !r.empty();
    for (NewRule x : r)
      if (std::find(named.begin(), named.end(), x) == named.end()) named.push_back(x);
  };
  for (const Point& p : run.printed)
    if (!p.agree()) account(p.statements_run);
  for (const FaultDifference& d : run.fault_differences)
    for (size_t i = 0; i < run.faults.size(); ++i)
      if (run.faults[i].pos.line == d.pos.line && run.faults[i].pos.col == d.pos.col) account(i + 1);
  if (named.empty()) return false;
  fprintf(run.tables, "%zu of %zu differences come after the script used rules newer than this kernel:\n", explained,
          total);
  for (NewRule x : named) {
    run.newer_rules.push_back(describe(rule_version(x), kernel));
    fprintf(run.tables, "  - %s\n", run.newer_rules.back().c_str());
  }
  return explained == total;
}

uint64_t mem_available_pages() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  while (in >> key >> kb)
    if (key == "MemAvailable:") return kb / 4;
  return 0;
}

// Whether the script runs to its end in its own overcommit settings.
bool runs_as_written(const std::string& text) {
  script::Session s;
  s.load(text);
  s.run_all();
  return !s.stopped();
}

// Runs the script in the engine alone first: syntax and runtime errors, statements the
// kernel cannot express, and how much real memory the kernel run will need.
int dry_run(Run& run, const std::string& text) {
  script::Session dry;
  pin_machine(run, dry);
  if (!dry.load(text)) {
    fprintf(stderr, "%s: error: %s\n", where(run, dry.error()->pos).c_str(), dry.error()->message.c_str());
    return 2;
  }
  uint64_t peak = 0;
  while (dry.step()) peak = std::max<uint64_t>(peak, dry.engine().frames().used());
  if (dry.error() && run.commit && runs_as_written(text)) {
    const MachineOvercommit& m = run.commit->machine();
    fprintf(stderr, "%s: cannot validate here: in this machine's overcommit settings (vm.overcommit_memory=%d, "
            "overcommit_ratio=%u), which the engine takes instead of the script's, the script stops here: %s\n",
            where(run, dry.error()->pos).c_str(), int(m.mode), m.ratio, dry.error()->message.c_str());
    return 3;
  }
  if (dry.error()) {
    fprintf(stderr, "%s: error: %s\n", where(run, dry.error()->pos).c_str(), dry.error()->message.c_str());
    return 2;
  }
  for (size_t i = 0; i < dry.history().size() && !run.first_zero_page_read; ++i)
    for (const Event& e : dry.history()[i].events)
      if (e.kind == EventKind::ZeroPageMap) run.first_zero_page_read = dry.script().statements[i].pos;
  run.dry_counters = dry.engine().counters();
  if (auto why = thp_unavailable(dry)) {
    fprintf(stderr, "%s: cannot validate here: %s\n", where(run, why->pos).c_str(), why->message.c_str());
    return 3;
  }
  if (run.commit)
    for (std::string& n : run.commit->replaced_settings(dry.script())) run.notes.push_back(std::move(n));
  if (auto no = check_expressible(dry, &run.notes)) {
    fprintf(stderr, "%s: cannot validate: %s\n", where(run, no->pos).c_str(), no->message.c_str());
    return 3;
  }
  uint64_t avail = mem_available_pages();
  if (avail && peak > avail / 2) {
    fprintf(stderr, "%s: cannot validate: the script needs %llu MiB of real memory; this machine has %llu MiB "
            "available\n", run.opt.path.c_str(), (unsigned long long)(peak / 256), (unsigned long long)(avail / 256));
    return 3;
  }
  return 0;
}

void print_header(Run& run) {
  utsname u;
  uname(&u);
  fprintf(run.tables, "cowlab validate %s: Linux %s, tasks pinned to CPU %d, %s\n", run.opt.path.c_str(),
          u.release, run.driver.cpu(),
          run.probe.exact() ? "exact mapcounts from pagemap + kpagecount"
                            : "smaps only (Pss within 1 kB; no ptes, zero_ptes or frames)");
  for (const std::string& n : run.notes) fprintf(run.tables, "note: %s\n", n.c_str());
}

void print_json(Run& run) {
  utsname u;
  uname(&u);
  bool agree = run.problems.empty() && run.fault_differences.empty() && (!run.commit || !run.commit->differing());
  for (const Point& p : run.printed) agree = agree && p.agree();
  std::string s = "{\"version\":1,\"file\":" + json_string(run.opt.path) + ",\"kernel\":" + json_string(u.release) +
                  ",\"exact\":" + (run.probe.exact() ? "true" : "false") + ",\"cpu\":" + std::to_string(run.driver.cpu()) +
                  ",\"agree\":" + (agree ? "true" : "false") + ",\"notes\":[";
  for (size_t i = 0; i < run.notes.size(); ++i) s += (i ? "," : "") + json_string(run.notes[i]);
  s += "],\"points\":[";
  for (size_t i = 0; i < run.printed.size(); ++i) s += (i ? "," : "") + point_json(run.printed[i]);
  s += "],\"newer_rules\":[";
  for (size_t i = 0; i < run.newer_rules.size(); ++i) s += (i ? "," : "") + json_string(run.newer_rules[i]);
  s += "],\"problems\":[";
  for (size_t i = 0; i < run.problems.size(); ++i) s += (i ? "," : "") + json_string(run.problems[i]);
  s += "],\"statements\":[";
  for (size_t i = 0; i < run.faults.size(); ++i) {
    const StatementFaults& f = run.faults[i];
    s += std::string(i ? "," : "") + "{\"line\":" + std::to_string(f.pos.line) + ",\"col\":" +
         std::to_string(f.pos.col) + ",\"faults\":" + faults_json(f) +
         ",\"faults_agree\":" + (fault_differences(f).empty() ? "true" : "false") +
         ",\"commit\":" + (run.commit ? run.commit->statement_json(i) : "null") + "}";
  }
  s += "],\"commit\":" + (run.commit ? run.commit->json() : "null");
  s += ",\"reads_checked\":" + std::to_string(run.reads_checked) + "}";
  printf("%s\n", s.c_str());
}

// Measures the commit charge again in fresh runs while statements disagree, up to
// kCommitRuns runs in all: a statement agrees when one run equals the engine, so a burst
// of another process's allocations inside its window does not fail it, while an engine
// that is wrong is off in every run (docs/fidelity.md, "Commit charge").
constexpr int kCommitRuns = 8;
void rerun_commit(Run& first, const std::string& text, size_t tasks) {
  for (int attempt = 1; attempt < kCommitRuns && first.commit->unsettled() > 0; ++attempt) {
    Run again;
    again.opt = first.opt;
    again.commit = first.commit;
    again.attempt = attempt;
    pin_machine(again, again.session);
    again.session.load(text);
    if (!again.driver.start(tasks).empty()) return;
    bool ok = run_lockstep(again);
    again.driver.shutdown();
    if (!ok) return;
  }
}

int validate_main(const Options& opt) {
  Run run;
  run.opt = opt;
  CommitCheck commit;
  std::string no_commit;
  if (commit.start(&no_commit))
    run.commit = &commit;
  else
    run.notes.push_back("the commit charge is not compared: " + no_commit);
  if (opt.json || opt.smaps_lines) run.tables = stderr;
  std::string text;
  if (!shell::read_source(opt.path, &text)) return 2;
  if (int rc = dry_run(run, text); rc != 0) return rc;
  if (FILE* f = fopen("/proc/self/smaps", "re")) {
    fclose(f);
  } else {
    fprintf(stderr, "cowlab validate: cannot validate: /proc/self/smaps is not readable (is /proc mounted?)\n");
    return 3;
  }
  std::string inexact = run.probe.init();
  if (!run.probe.zero_page_reads() && run.first_zero_page_read) {
    std::ifstream in("/proc/cmdline");
    std::string cmdline;
    std::getline(in, cmdline);
    bool pvm = cmdline.find("pvm_no_zero_page=1") != std::string::npos;
    fprintf(stderr, "%s: cannot validate: this statement reads never-written private anonymous memory, which "
            "Linux maps to the shared zero page; this kernel allocates a real zeroed page instead%s\n",
            where(run, *run.first_zero_page_read).c_str(),
            pvm ? " (its command line has pvm_no_zero_page=1)" : "");
    return 3;
  }
  if (!inexact.empty())
    run.notes.push_back("exact numbers unavailable (" + inexact + "): comparing smaps only");
  pin_machine(run, run.session);
  run.session.load(text);
  size_t tasks = 0;
  {
    script::Session count;
    pin_machine(run, count);
    count.load(text);
    count.run_all();
    tasks = count.engine().processes().size();
  }
  if (std::string err = run.driver.start(tasks); !err.empty()) {
    fprintf(stderr, "cowlab validate: cannot validate: %s\n", err.c_str());
    return 3;
  }
  print_header(run);
  if (run.commit) run.commit->measure_noise();
  bool ok = run_lockstep(run);
  run.driver.shutdown();
  if (!ok) {
    fprintf(stderr, "cowlab validate: the kernel run failed: %s\n", run.fatal.c_str());
    return 3;
  }
  if (run.commit) rerun_commit(run, text, tasks);
  // THPs are large folios the engine does model; only other large folios (mTHP, file
  // folios) are a problem.
  const Counters& dc = run.dry_counters;
  if (run.probe.large_folio_frames() && dc.thp_faults == 0 && dc.huge_zero_maps == 0)
    run.problems.push_back(std::to_string(run.probe.large_folio_frames()) +
                           " frames belong to large folios; the engine models 4 KiB folios");
  bool agree = run.problems.empty() && run.fault_differences.empty() && (!run.commit || !run.commit->differing());
  size_t differing = 0;
  for (const Point& p : run.printed) differing += !p.agree();
  agree = agree && differing == 0;
  if (!run.problems.empty()) {
    fprintf(run.tables, "problems while running:\n");
    for (const std::string& p : run.problems) fprintf(run.tables, "  - %s\n", p.c_str());
  }
  print_fault_summary(run);
  if (run.commit) run.commit->print(run.tables, run.opt.path);
  bool older = !agree && explain_older_kernel(run);
  fprintf(run.tables, "validate: %s (%zu points compared, %zu differ; %llu reads checked)\n",
          agree   ? "the kernel agrees with the engine"
          : older ? "cannot validate here: this kernel is older than rules the script uses (above)"
                  : "the kernel DIFFERS from the engine",
          run.printed.size(), differing, (unsigned long long)run.reads_checked);
  if (opt.json) print_json(run);
  return agree ? 0 : older ? 3 : 1;
}

}  // namespace

}  // namespace cow::kernel
#endif

static constexpr cow::shell::Option kValidateOptions[] = {
    {.name = "--json", .help = "one JSON document on stdout; the tables go to stderr"},
    {.name = "--smaps-lines",
     .help = "the kernel's smaps numbers at each `show` and at the end, in the very format a program from "
             "`cowlab export-c` prints (tables go to stderr)"},
};

extern const cow::shell::Spec kValidateSpec = {
    .name = "validate",
    .summary = "run a script on the real Linux kernel and compare /proc with the engine",
    .options = kValidateOptions,
    .operands = cow::shell::kOneScript,
    .details = "Runs the script on this Linux kernel with real processes (fork, vfork,\n"
               "threads, mmap, madvise, ...) and compares /proc/PID/smaps (and, as root,\n"
               "pagemap and kpagecount) with the engine, side by side, at every `show` and\n"
               "at the end.\n"
               "Page faults are compared statement by statement: each task's minor-fault\n"
               "count (getrusage RUSAGE_THREAD) around the memory operation alone, against\n"
               "the engine's (metric minflt). fork, vfork, thread and exec are not measured\n"
               "(the C library's own writes around them fault). Linux counts only faults:\n"
               "the engine's cow_copies, cow_reuses, zero_fills and the other breakdowns\n"
               "stay engine-only.\n"
               "The commit charge is compared statement by statement too (\"commit\"):\n"
               "the engine runs in this machine's vm.overcommit_memory, overcommit_ratio\n"
               "and swap, and its change of committed_as must equal the kernel's change of\n"
               "Committed_AS, less the worker processes' own charge, in one of up to 8\n"
               "runs (every other process on the machine moves Committed_AS too).\n"
               "The engine models Linux 6.18. On an older kernel, differences that come\n"
               "after the script used a rule newer than the kernel are put down to that\n"
               "rule, named with its first release (JSON: newer_rules); when that explains\n"
               "every difference the exit status is 3.\n"
               "Exit status: 0 agree, 1 differ, 2 script error, 3 cannot validate here.\n",
};

int run_validate(const cow::shell::Parsed& args) {
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
  return cow::kernel::validate_main({args.has("--json"), args.has("--smaps-lines"), args.operand()});
#else
  (void)args;
  fprintf(stderr, "cowlab: validate is only available on Linux\n");
  return 3;
#endif
}
