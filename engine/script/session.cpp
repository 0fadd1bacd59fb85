// Running a script: each statement becomes engine operations; expects are checked;
// runtime errors stop at their line with the state so far kept.
#include "session.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "lines.h"
#include "metrics.h"
#include "parser.h"
#include "words.h"

namespace cow::script {

// Work (faults, PTEs added or torn down, events), in PTEs copied: between checkpoints at
// least, so small engines are not copied after every statement; and what a statement
// costs beyond its engine work (parsing its names, events, records: a few microseconds).
constexpr uint64_t kMinCheckpointWork = 4096;
constexpr uint64_t kStatementWork = 256;

Session::Session(Limits limits, ForkPolicy forks) : limits_(limits), forks_(forks) { reset(); }

// The machine before any statement: 256 MiB of RAM, and the modes of the fork policy.
void Session::reset() {
  Config config;
  if (forks_ == ForkPolicy::EagerCopy) config.modes.fork = ForkMode::Copy;
  if (pinned_commit_) {
    config.modes.overcommit = pinned_commit_->overcommit;
    config.modes.overcommit_ratio = pinned_commit_->overcommit_ratio;
    config.modes.swap_pages = pinned_commit_->swap_pages;
  }
  run_.engine = Engine(config);
  run_.error = parse_error_;
  run_.position = 0;
  run_.executed = 0;
  run_.expects.clear();
  run_.history.clear();
  run_.shows.clear();
  run_.checkpoints.clear();
  run_.checkpoints.push_back(snapshot(0));
  run_.checkpoint_bytes = 0;
  work_since_checkpoint_ = 0;
  run_.tail.reset();
}

Session::Checkpoint Session::snapshot(uint64_t bytes) const {
  return {run_.position, run_.engine, run_.expects.size(), run_.shows.size(), run_.executed, bytes};
}

// Once the work since the last checkpoint exceeds what a copy of the engine costs (the
// PTE blocks the last checkpoint does not share and the frame table, counted in PTEs),
// unless the copies kept would then exceed max_checkpoint_bytes. Replaying from a
// checkpoint then costs about one copy at most.
void Session::add_checkpoint() {
  // (The frame table alone first: copy_bytes looks at every PTE block.)
  uint64_t least = std::max(kMinCheckpointWork, uint64_t(run_.engine.frames().memory_bytes() / sizeof(Pte)));
  if (work_since_checkpoint_ < least) return;
  uint64_t bytes = run_.engine.copy_bytes(&run_.checkpoints.back().engine);
  if (work_since_checkpoint_ < bytes / sizeof(Pte)) return;
  if (run_.checkpoint_bytes + bytes > limits_.max_checkpoint_bytes) return;
  run_.checkpoint_bytes += bytes;
  work_since_checkpoint_ = 0;
  run_.checkpoints.push_back(snapshot(bytes));
}

// What the engine has done so far, in PTE-sized units: faults, and PTEs and huge PMDs
// fork copied; step() adds the change in PTEs that exist (teardown is work too).
uint64_t Session::work_now() const {
  const Counters& c = run_.engine.counters();
  return c.faults + c.ptes_copied + c.pmds_copied * 512;
}

// Zero-page PTEs need no frame, so the RAM limit does not bound the page tables; without
// this limit a fork bomb of sparse regions exhausts memory (std::bad_alloc, an abort).
bool Session::check_page_tables(Pos pos) {
  uint64_t n = run_.engine.page_table_entries();
  if (n <= limits_.max_page_table_entries) return true;
  return fail(pos, "the page tables of all processes hold " + std::to_string(n) +
                       " PTEs, more than the limit of " + std::to_string(limits_.max_page_table_entries) +
                       " (max_page_table_entries; a region gets a PTE per page once it is touched)");
}

// Each statement's line text, for reload() to compare.
static std::vector<std::string> statement_lines(const Script& script, std::string_view text) {
  std::vector<std::string_view> lines = split_lines(text);
  std::vector<std::string> out;
  out.reserve(script.statements.size());
  for (const Statement& s : script.statements)
    out.emplace_back(s.pos.line >= 1 && size_t(s.pos.line) <= lines.size() ? lines[s.pos.line - 1] : "");
  return out;
}

bool Session::load(std::string_view text) {
  ParseResult r = parse(text, limits_);
  parse_error_ = r.error;
  run_.script = r.error ? Script{} : std::move(r.script);
  run_.lines = statement_lines(run_.script, text);
  held_.reset();
  editing_ = false;
  reset();
  return !r.error;
}

bool Session::reload(std::string_view text) {
  ParseResult r = parse(text, limits_);
  if (r.error) {  // shown as load() shows it; the run that parsed last waits in held_
    if (!parse_error_) held_.emplace(std::exchange(run_, Run{}));
    parse_error_ = r.error;
    run_.script = Script{};
    run_.lines.clear();
    reset();
    return false;
  }
  if (parse_error_) {  // the syntax error goes; the run kept aside, if any, comes back
    if (held_) run_ = std::move(*held_);
    else run_.error.reset();
    held_.reset();
    parse_error_.reset();
  }
  editing_ = true;
  std::vector<std::string> lines = statement_lines(r.script, text);
  size_t shared = shared_statements(r.script, lines);
  resume_at_or_before(shared);
  run_.script = std::move(r.script);
  run_.lines = std::move(lines);
  return true;
}

// How many leading statements `next` shares with the current script: same line, same
// line text (the parser reads a line alone, so the same text parses the same).
size_t Session::shared_statements(const Script& next, const std::vector<std::string>& lines) const {
  const auto& now = run_.script.statements;
  size_t n = std::min(now.size(), next.statements.size()), i = 0;
  while (i < n && now[i].pos.line == next.statements[i].pos.line && run_.lines[i] == lines[i]) ++i;
  return i;
}

static bool changes_nothing(const Statement& s) { return s.verb == Verb::Expect || s.verb == Verb::Show; }

// Moves to the latest state known for the first `shared` statements, dropping what the
// statements after them did.
void Session::resume_at_or_before(size_t shared) {
  drop_checkpoints_after(shared);
  if (run_.tail && run_.tail->position > shared) run_.tail.reset();
  if (run_.position <= shared) return;  // the state now: nothing after the change ran
  size_t first_change = run_.position;  // expect/show before it change nothing
  while (first_change > shared && changes_nothing(run_.script.statements[first_change - 1])) --first_change;
  if (first_change == shared) {
    cut_after(shared);
    return;
  }
  restore(latest_at_or_before(shared));
}

void Session::drop_checkpoints_after(size_t position) {
  while (run_.checkpoints.back().position > position) {
    run_.checkpoint_bytes -= run_.checkpoints.back().bytes;
    run_.checkpoints.pop_back();
  }
}

// The checkpoint or tail at or before `position` nearest to it.
const Session::Checkpoint& Session::latest_at_or_before(size_t position) const {
  size_t i = run_.checkpoints.size();
  while (run_.checkpoints[--i].position > position) {
  }
  bool tail = run_.tail && run_.tail->position <= position && run_.tail->position > run_.checkpoints[i].position;
  return tail ? *run_.tail : run_.checkpoints[i];
}

// Back to checkpoint (or tail) `c`, taken on the way to the current position.
void Session::restore(const Checkpoint& c) {
  run_.position = c.position;
  run_.engine = c.engine;
  run_.expects.resize(c.expects);
  run_.shows.resize(c.shows);
  run_.executed = c.executed;
  run_.history.resize(run_.position);
  run_.error = parse_error_;
  work_since_checkpoint_ = 0;
}

// The state stays (the statements after `position` changed nothing); their records go.
void Session::cut_after(size_t position) {
  int line = run_.script.statements[position].pos.line;
  while (!run_.expects.empty() && run_.expects.back().line >= line) run_.expects.pop_back();
  while (!run_.shows.empty() && run_.shows.back() >= line) run_.shows.pop_back();
  run_.history.resize(position);
  run_.position = position;
  run_.error.reset();
}

bool Session::fail(Pos pos, std::string message) {
  run_.error = Diagnostic{pos, std::move(message)};
  return false;
}

// A fault covers its pages (a fault-around read, its whole window); a ForkVma event covers
// the VMA in the child.
static bool covers(const Event& ev, MmId mm, NameId region, uint32_t page) {
  if (ev.mm != mm || ev.region != region) return false;
  if (ev.kind == EventKind::FileMap)
    return page + ev.around_before >= ev.page && page + ev.around_before < ev.page + ev.around_pages;
  if (!ev.is_fault() && ev.kind != EventKind::ForkVma) return false;
  return page >= ev.page && page - ev.page < ev.pages;
}

const Event* Session::last_page_event(MmId mm, NameId region, uint32_t page) const {
  for (size_t k = run_.history.size(); k-- > 0;)
    for (size_t i = run_.history[k].events.size(); i-- > 0;)
      if (covers(run_.history[k].events[i], mm, region, page)) return &run_.history[k].events[i];
  return nullptr;
}

bool Session::expects_failed() const {
  for (const ExpectOutcome& e : run_.expects)
    if (!e.ok) return true;
  return false;
}

bool Session::step() {
  if (stopped() || at_end()) return false;
  const Statement& s = run_.script.statements[run_.position];
  // While editing, the state before the last statement: retyping that line resumes there.
  if (editing_ && run_.position + 1 == step_count() && !changes_nothing(s) && !(run_.tail && run_.tail->position == run_.position))
    run_.tail = snapshot(0);
  StepRecord rec{.step = s.step, .line = s.pos.line};
  uint64_t work = work_now(), ptes = run_.engine.page_table_entries();
  bool ok = execute(s);
  std::vector<Event> events = run_.engine.take_events();
  rec.events.insert(rec.events.end(), events.begin(), events.end());
  uint64_t w = work_now(), after = run_.engine.page_table_entries();  // `ram` starts a new engine
  work = (w >= work ? w - work : w) + (after > ptes ? after - ptes : ptes - after);
  work += rec.events.size() + kStatementWork;
  run_.history.push_back(std::move(rec));
  ++run_.position;
  ++statements_run_;
  work_since_checkpoint_ += work;
  if (ok) add_checkpoint();
  return ok;
}

size_t Session::checkpoint_at_or_before(size_t step) const { return latest_at_or_before(step).position; }

void Session::run_to(size_t n) {
  n = std::min(n, step_count());
  if (n < run_.position) {
    drop_checkpoints_after(n);
    restore(latest_at_or_before(n));
  }
  while (run_.position < n && step()) {
  }
}

// ---- statements --------------------------------------------------------------------

static std::vector<std::string> process_names(const Engine& e) {
  std::vector<std::string> names;
  for (const Process& p : e.processes()) names.push_back(p.name);
  return names;
}

static std::vector<std::string> region_names(const Engine& e) {
  std::vector<std::string> names;
  for (NameId n = 0; n < e.name_count(); ++n) names.push_back(e.name(n));
  return names;
}

bool Session::execute(const Statement& s) {
  switch (s.verb) {
    case Verb::Ram:  // a new machine of that size, in the modes set so far
      run_.engine = Engine(Config{.frames = uint32_t(s.count), .modes = run_.engine.modes()});
      return true;
    case Verb::File: {
      OpResult r = run_.engine.create_file(s.file, uint32_t(s.count));
      return !r.rejected() || fail(s.file_pos, r.error);
    }
    case Verb::Mode:
      if (pinned_commit_ && (s.setting == ModeSetting::Overcommit || s.setting == ModeSetting::OvercommitRatio))
        return true;  // pin_overcommit
      if (s.setting == ModeSetting::Thp)
        run_.engine.set_thp_mode(s.thp);
      else if (s.setting == ModeSetting::Overcommit)
        run_.engine.set_overcommit(s.overcommit);
      else if (s.setting == ModeSetting::OvercommitRatio)
        run_.engine.set_overcommit_ratio(uint32_t(s.count));
      else
        run_.engine.set_fork_mode(forks_ == ForkPolicy::EagerCopy ? ForkMode::Copy : s.mode);
      return true;
    case Verb::Swap:  // swapon: counts in CommitLimit and the heuristic from here on
      if (!pinned_commit_) run_.engine.set_swap_pages(s.count);
      return true;
    case Verb::Show:
      run_.shows.push_back(s.pos.line);
      return true;
    case Verb::Expect:
      return check_expect(s);
    case Verb::Spawn:
      for (const std::string& name : s.target.expand()) {
        if (run_.engine.processes().size() >= limits_.max_processes)
          return fail(s.target.pos, "too many processes (the limit is " + std::to_string(limits_.max_processes) + ")");
        OpResult r = run_.engine.spawn(name);
        if (r.rejected()) return fail(s.target.pos, r.error);
      }
      return true;
    default:
      break;
  }
  std::vector<std::string> actors = s.actor.expand();
  for (size_t i = 0; i < actors.size(); ++i) {
    if (++run_.executed > limits_.max_steps_executed)
      return fail(s.pos, "more than " + std::to_string(limits_.max_steps_executed) +
                             " actions executed (the limit on statements run)");
    if (!run_process_statement(s, actors[i]) || !check_page_tables(s.pos)) return false;
  }
  return true;
}

// The new names a fork/vfork/thread statement creates for the i-th of n actors.
static std::vector<std::string> new_names(const Statement& s, size_t i, size_t n) {
  std::vector<std::string> all = s.target.expand();
  if (n == 1) return all;
  return {all[i]};
}

bool Session::run_process_statement(const Statement& s, const std::string& actor) {
  ProcId p = run_.engine.find_process(actor);
  if (p == kNone)
    return fail(s.actor.pos, "unknown process '" + actor + "'" + did_you_mean(actor, process_names(run_.engine)));
  const Process& task = run_.engine.processes()[p];
  if (task.state != ProcState::Running)
    return fail(s.actor.pos, "process '" + actor + "' is " + to_string(task.state) +
                                 (task.state == ProcState::Suspended ? " (it waits for its vfork child)" : "") +
                                 " and cannot run statements");
  auto done = [&](const OpResult& r, Pos at) { return !r.rejected() || fail(at, r.error); };
  NameId region = kNone;
  bool needs_region = s.verb == Verb::Write || s.verb == Verb::Read || s.verb == Verb::Munmap ||
                      s.verb == Verb::Madvise || s.verb == Verb::Mprotect;
  if (needs_region) {
    region = run_.engine.find_name(s.region);
    if (region == kNone)
      return fail(s.region_pos, "unknown region '" + s.region + "' (no process has mapped it)" +
                                    did_you_mean(s.region, region_names(run_.engine)));
    if (int line = refused_mmap_line(p, region))
      return fail(s.region_pos, "'" + actor + "' has no region '" + s.region + "': its mmap on line " +
                                    std::to_string(line) + " failed with ENOMEM (commit charge refused)");
  }
  Pos pages_at = s.pages.empty() ? s.region_pos : s.pages_pos;
  switch (s.verb) {
    case Verb::Mmap: {
      MmapSpec spec{.pages = uint32_t(s.count), .backing = s.backing, .share = s.share, .prot = s.prot,
                    .hugepage = s.hugepage, .noreserve = s.noreserve};
      if (s.backing == Backing::File) {
        spec.file = run_.engine.find_file(s.file);
        if (spec.file == kNone) {
          std::vector<std::string> files;
          for (const File& f : run_.engine.files()) files.push_back(f.name);
          return fail(s.file_pos, "unknown file '" + s.file + "'" + did_you_mean(s.file, files));
        }
      }
      return done(run_.engine.mmap(p, run_.engine.intern(s.region), spec), s.region_pos);
    }
    case Verb::Write: return done(run_.engine.access(p, region, s.pages, Access::Write), pages_at);
    case Verb::Read: return done(run_.engine.access(p, region, s.pages, Access::Read), pages_at);
    case Verb::Munmap: return done(run_.engine.munmap(p, region, s.pages), pages_at);
    case Verb::Madvise: return done(run_.engine.madvise(p, region, s.pages, s.advice), pages_at);
    case Verb::Mprotect: return done(run_.engine.mprotect(p, region, s.pages, s.protect), pages_at);
    case Verb::Exec: return done(run_.engine.exec(p), s.pos);
    case Verb::Exit: return done(run_.engine.exit(p), s.pos);
    case Verb::Fork: case Verb::Vfork: case Verb::Thread: break;
    default: return fail(s.pos, "statement cannot run here");
  }
  size_t n = s.actor.count();
  std::vector<std::string> actors = s.actor.expand();
  size_t index = std::find(actors.begin(), actors.end(), actor) - actors.begin();
  if (n > 1 && s.target.count() != n)
    return fail(s.target.pos, "'" + s.actor.text + "' names " + std::to_string(n) + " processes but '" +
                                  s.target.text + "' names " + std::to_string(s.target.count()));
  for (const std::string& child : new_names(s, index, n)) {
    if (run_.engine.processes().size() >= limits_.max_processes)
      return fail(s.target.pos, "too many processes (the limit is " + std::to_string(limits_.max_processes) + ")");
    if (!run_.engine.processes()[p].live() || run_.engine.processes()[p].state == ProcState::Suspended)
      return fail(s.target.pos, "process '" + actor + "' is " + to_string(run_.engine.processes()[p].state) + " and cannot run statements");
    OpResult r = s.verb == Verb::Fork    ? run_.engine.fork(p, child)
                 : s.verb == Verb::Vfork ? run_.engine.vfork(p, child)
                                         : run_.engine.thread(p, child);
    if (r.rejected()) return fail(s.target.pos, r.error);
    if (!check_page_tables(s.target.pos)) return false;  // after each child of `P fork c[1-N]`
  }
  return true;
}

// A failed mmap maps nothing; a program that went on would use MAP_FAILED. The session
// stops a later statement on that region with an error instead (docs/kernel-rules.md,
// "Commit accounting and overcommit"). Returns the line of the refused mmap of `region`
// by p's address space when p does not map the region now, else 0.
int Session::refused_mmap_line(ProcId p, NameId region) const {
  const AddressSpace& as = run_.engine.address_spaces()[run_.engine.processes()[p].mm];
  uint32_t m = as.find_mapping(region);
  if (m != kNone && as.maps_any(m)) return 0;
  for (size_t i = run_.history.size(); i-- > 0;)
    for (const Event& e : run_.history[i].events) {
      if (e.kind != EventKind::CommitRefused) continue;
      const CommitRefusal& r = run_.engine.commit_refusals()[e.count];
      if (r.op == CommitOp::Mmap && r.mm == run_.engine.processes()[p].mm && r.region == region) return run_.history[i].line;
    }
  return 0;
}

// ---- expect --------------------------------------------------------------------------

// Compares one check against its metric's value now (metric_matches).
static ExpectOutcome judge(ExpectOutcome x, const Check& c, const Metric& m, double actual) {
  std::string who = x.process.empty() ? "" : x.region.empty() ? x.process + " " : x.process + " " + x.region + " ";
  x.actual = m.format == MetricFormat::State ? to_string(ProcState(actual)) : format_metric(m, actual);
  x.ok = m.format == MetricFormat::State ? c.state && ProcState(actual) == *c.state : metric_matches(m, actual, c.value);
  x.message = x.ok ? who + c.metric + "=" + c.value_text : who + c.metric + ": expected " + c.value_text + ", got " + x.actual;
  return x;
}

// The outcome of check `c` before it is judged: where it is and what it names.
static ExpectOutcome outcome_of(const Statement& s, const Check& c, const std::string& process) {
  const Metric* m = find_metric(c.metric, s.scope);
  bool number = m && m->format != MetricFormat::State;
  return {.line = c.pos.line, .col = c.pos.col, .scope = s.scope, .process = process,
          .region = s.scope == MetricScope::Region ? s.region : "", .metric = c.metric,
          .expected = number ? format_metric(*m, c.value) : c.value_text};
}

std::optional<Diagnostic> Session::judge_expect(const Statement& s, Missing missing,
                                                std::vector<ExpectOutcome>* out) const {
  // A check that cannot be judged: an error, or a failed outcome carrying its message.
  auto missed = [&](Pos at, const std::string& process, const Check* only, std::string why) -> std::optional<Diagnostic> {
    if (missing == Missing::Stop) return Diagnostic{at, std::move(why)};
    for (const Check& c : s.checks) {
      if (only && &c != only) continue;
      ExpectOutcome x = outcome_of(s, c, process);
      x.message = (process.empty() ? "" : process + " ") + (x.region.empty() ? "" : x.region + " ") + c.metric + ": " + why;
      out->push_back(std::move(x));
    }
    return std::nullopt;
  };
  if (s.scope == MetricScope::System) {
    // Engine::system() counts every frame: read once, and only for a metric of the machine
    // (an expect on counters such as cow_copies needs none).
    std::optional<SystemUsage> machine;
    for (const Check& c : s.checks) {
      const Metric* m = find_metric(c.metric, MetricScope::System);
      if (!m) {
        if (auto d = missed(c.pos, "", &c, "unknown system metric '" + c.metric + "'")) return d;
        continue;
      }
      if (m->source == MetricSource::Machine && !machine) machine = run_.engine.system();
      out->push_back(judge(outcome_of(s, c, ""), c, *m,
                           metric_value(*m, machine ? *machine : SystemUsage{}, run_.engine.counters())));
    }
    return std::nullopt;
  }
  NameId region = s.scope == MetricScope::Region ? run_.engine.find_name(s.region) : kNone;
  for (const std::string& name : s.actor.expand()) {
    if (s.scope == MetricScope::Region && region == kNone) {
      if (auto d = missed(s.region_pos, name, nullptr, "unknown region '" + s.region + "' (no process has mapped it)" +
                                                       did_you_mean(s.region, region_names(run_.engine))))
        return d;
      continue;
    }
    ProcId p = run_.engine.find_process(name);
    if (p == kNone) {
      if (auto d = missed(s.actor.pos, name, nullptr, "unknown process '" + name + "'" + did_you_mean(name, process_names(run_.engine)))) return d;
      continue;
    }
    Usage u = region == kNone ? run_.engine.usage(p) : run_.engine.region_usage(p, region);
    for (const Check& c : s.checks) {
      const Metric* m = find_metric(c.metric, s.scope);
      if (!m) {
        if (auto d = missed(c.pos, name, &c, "unknown " + std::string(scope_name(s.scope)) + " metric '" + c.metric + "'")) return d;
        continue;
      }
      double actual = m->format == MetricFormat::State ? double(run_.engine.processes()[p].state)
                      : m->source == MetricSource::Task ? m->task(run_.engine, p)
                                                        : metric_value(*m, u);
      out->push_back(judge(outcome_of(s, c, name), c, *m, actual));
    }
  }
  return std::nullopt;
}

bool Session::check_expect(const Statement& s) {
  std::optional<Diagnostic> d = judge_expect(s, Missing::Stop, &run_.expects);
  return !d || fail(d->pos, d->message);
}

std::vector<ExpectOutcome> Session::evaluate(const Statement& s) const {
  std::vector<ExpectOutcome> out;
  judge_expect(s, Missing::Fail, &out);
  return out;
}

}  // namespace cow::script
