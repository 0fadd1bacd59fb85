// The commit comparison of `cowlab validate` (see validate_commit.h).
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include "validate_commit.h"

#include <algorithm>

#include "engine/kernel/plan.h"

namespace cow::kernel {

namespace {

// One kernel task per live address space of the engine.
std::vector<pid_t> commit_tasks(const Engine& e, const Driver& d) {
  std::vector<pid_t> tasks;
  std::vector<MmId> seen;
  for (ProcId q = 0; q < e.processes().size() && q < d.task_count(); ++q) {
    const Process& p = e.processes()[q];
    if (!p.live() || !d.task(q).alive || d.task(q).tid == 0) continue;
    if (std::find(seen.begin(), seen.end(), p.mm) != seen.end()) continue;
    seen.push_back(p.mm);
    tasks.push_back(d.task(q).tid);
  }
  return tasks;
}

// Where the script's mappings lie in the kernel (every mapping the engine ever made).
std::vector<AddressRange> script_ranges(const Engine& e) {
  std::vector<AddressRange> out;
  for (const AddressSpace& as : e.address_spaces())
    for (const Mapping& m : as.mappings) {
      uint64_t start = kernel_address(m.base_gib);
      out.push_back({start, start + uint64_t(m.pages) * 4096});
    }
  return out;
}

std::string signed_text(int64_t v) {
  std::string digits = std::to_string(v);
  return v > 0 ? "+" + digits : digits;
}

// "+40, +84, 0": every run's value.
std::string runs_text(const std::vector<int64_t>& runs) {
  std::string seen;
  for (int64_t k : runs) {
    if (!seen.empty()) seen += ", ";
    seen += signed_text(k);
  }
  return seen;
}

}  // namespace

bool StatementCommit::agree() const {
  return !compared || kernel.empty() || std::find(kernel.begin(), kernel.end(), engine) != kernel.end();
}

bool CommitCheck::start(std::string* why) { return read_machine_overcommit(&machine_, why); }

std::vector<std::string> CommitCheck::replaced_settings(const script::Script& script) const {
  std::vector<std::string> notes;
  for (const script::Statement& s : script.statements) {
    bool mode = s.verb == script::Verb::Mode && (s.setting == script::ModeSetting::Overcommit ||
                                                 s.setting == script::ModeSetting::OvercommitRatio);
    if (!mode && s.verb != script::Verb::Swap) continue;
    notes.push_back("line " + std::to_string(s.pos.line) + ": the engine keeps this machine's overcommit settings "
                    "(vm.overcommit_memory=" + std::to_string(int(machine_.mode)) + ", overcommit_ratio=" +
                    std::to_string(machine_.ratio) + ", SwapTotal " + std::to_string(machine_.swap_total_kb) +
                    " kB), not the script's `" + (mode ? "mode" : "swap") + "` line");
  }
  return notes;
}

void CommitCheck::before(const Engine& e, const Driver& d) {
  tasks_before_ = commit_tasks(e, d);
  engine_before_ = e.committed_as();
}

void CommitCheck::kernel_before(const Engine& e) {
  script_ = script_ranges(e);
  own_before_ = own_charge_kb(tasks_before_, script_);  // the workers wait: it holds still
  driver_before_ = own_charge_kb({0}, script_);
  committed_before_ = committed_as_kb();
  in_workers_kb_ = 0;
  driver_window_ = false;
  exits_from_kb_ = 0;
  spawns_ = false;
}

void CommitCheck::op_done(KOpKind kind, bool answered, const reply& r) {
  bool opened = answered && r.committed_before > 0, closed = opened && r.committed_after > 0;
  switch (kind) {
    case KOpKind::Show: case KOpKind::File: return;  // nothing a task does (a file: the page cache)
    case KOpKind::Spawn: spawns_ = true; return;
    case KOpKind::Exit:  // answered just before the exit: the window ends after the statement
      if (!opened) driver_window_ = true;
      else if (!exits_from_kb_) exits_from_kb_ = r.committed_before;
      return;
    case KOpKind::Vfork: case KOpKind::Exec:
      driver_window_ = true;  // no answer that brackets it: measured by the driver
      return;
    default: break;
  }
  if (!closed || exits_from_kb_)  // an operation after an exit: the driver's window
    driver_window_ = true;
  else
    in_workers_kb_ += r.committed_after - r.committed_before;
}

void CommitCheck::after(const Engine& e, const Driver& d, script::Pos pos, size_t index, int run) {
  int64_t committed = committed_as_kb();
  int64_t own = own_charge_kb(commit_tasks(e, d), script_), driver = own_charge_kb({0}, script_);
  runs_ = std::max(runs_, run + 1);
  if (statements_.size() <= index) statements_.resize(index + 1);
  StatementCommit& s = statements_[index];
  s.pos = pos;
  s.engine = int64_t(e.committed_as()) - int64_t(engine_before_);
  if (run > 0 && s.agree()) return;  // a re-run measures only what no run agreed on yet
  if (spawns_) {  // the new worker's charge is the baseline itself; the engine's is 0 by construction
    s.compared = false;
    return;
  }
  // The workers' windows alone when every operation had one (the driver's own allocations
  // fall outside them; exits: from the worker's reading to now), else the driver's
  // window, the driver's own charge subtracted too.
  int64_t kb = driver_window_ ? (committed - own - driver) - (committed_before_ - own_before_ - driver_before_)
                              : in_workers_kb_ + (exits_from_kb_ ? committed - exits_from_kb_ : 0) - (own - own_before_);
  s.kernel.push_back(kb / 4);
}

size_t CommitCheck::compared() const {
  size_t n = 0;
  for (const StatementCommit& s : statements_) n += s.compared;
  return n;
}

bool StatementCommit::differs() const {
  if (agree()) return false;
  for (int64_t k : kernel)
    if (std::count(kernel.begin(), kernel.end(), k) >= kRepeatsOfADifference) return true;
  return false;
}

size_t CommitCheck::differing() const {
  size_t n = 0;
  for (const StatementCommit& s : statements_) n += s.differs();
  return n;
}

size_t CommitCheck::unsettled() const {
  size_t n = 0;
  for (const StatementCommit& s : statements_) n += !s.agree();
  return n;
}

void CommitCheck::print(FILE* out, const std::string& path) const {
  size_t charged = 0, rerun = 0, spawns = statements_.size() - compared();
  for (const StatementCommit& s : statements_) charged += s.engine != 0, rerun += s.kernel.size() > 1;
  const char* modes[] = {"heuristic", "always", "never"};
  std::string kbytes = machine_.kbytes ? ", overcommit_kbytes=" + std::to_string(machine_.kbytes) : "";
  fprintf(out, "commit: this machine: vm.overcommit_memory=%d (%s), overcommit_ratio=%u%s, SwapTotal %llu kB, "
          "CommitLimit %llu kB; the engine ran in that mode\n", int(machine_.mode), modes[int(machine_.mode)],
          machine_.ratio, kbytes.c_str(), (unsigned long long)machine_.swap_total_kb,
          (unsigned long long)machine_.commit_limit_kb);
  size_t differ = differing();
  if (differ == 0)
    fprintf(out, "commit: the kernel agrees in %s%zu statements compared (%zu change the charge): Committed_AS "
            "less the workers' own charge, against the engine's committed_as\n", unsettled() ? "" : "all ",
            compared() - unsettled(), charged);
  if (spawns)
    fprintf(out, "commit: %zu spawn statement%s not compared: a new worker's charge is its own, the baseline itself\n",
            spawns, spawns == 1 ? "" : "s");
  else
    fprintf(out, "commit charge DIFFERS in %zu of %zu statements compared (engine vs kernel in each run, pages):\n",
            differ, compared());
  for (const StatementCommit& s : statements_) {
    if (!s.differs()) continue;
    fprintf(out, "  - %s:%d:%d: engine %s, kernel %s\n", path.c_str(), s.pos.line, s.pos.col,
            signed_text(s.engine).c_str(), runs_text(s.kernel).c_str());
  }
  for (const StatementCommit& s : statements_) {
    if (!s.noisy()) continue;
    fprintf(out, "commit: NOT COMPARED, too noisy: %s:%d:%d: engine %s, kernel %s (every run was hit, each "
            "by another amount)\n", path.c_str(), s.pos.line, s.pos.col, signed_text(s.engine).c_str(),
            runs_text(s.kernel).c_str());
  }
  fprintf(out, "commit noise: Committed_AS moved in %d of %d idle intervals of 2 ms (median %llu kB, max %llu kB); "
          "%zu statement%s measured again in %d run%s\n", noise_.moved, noise_.intervals,
          (unsigned long long)noise_.median_kb, (unsigned long long)noise_.max_kb, rerun, rerun == 1 ? "" : "s",
          runs_, runs_ == 1 ? "" : "s in all");
  for (const StatementCommit& s : statements_) {
    if (s.kernel.size() < 2 || !s.agree()) continue;
    fprintf(out, "  - %s:%d:%d: engine %s, kernel %s (the runs off by another process's charge)\n", path.c_str(),
            s.pos.line, s.pos.col, signed_text(s.engine).c_str(), runs_text(s.kernel).c_str());
  }
}

std::string CommitCheck::json() const {
  return "{\"machine\":{\"overcommit_memory\":" + std::to_string(int(machine_.mode)) +
         ",\"overcommit_ratio\":" + std::to_string(machine_.ratio) +
         ",\"overcommit_kbytes\":" + std::to_string(machine_.kbytes) +
         ",\"swap_total_kb\":" + std::to_string(machine_.swap_total_kb) +
         ",\"commit_limit_kb\":" + std::to_string(machine_.commit_limit_kb) + "},\"noise\":{\"intervals\":" +
         std::to_string(noise_.intervals) + ",\"moved\":" + std::to_string(noise_.moved) +
         ",\"median_kb\":" + std::to_string(noise_.median_kb) + ",\"max_kb\":" + std::to_string(noise_.max_kb) +
         "},\"runs\":" + std::to_string(runs_) + ",\"compared\":" + std::to_string(compared()) +
         ",\"differ\":" + std::to_string(differing()) + ",\"noisy\":" + std::to_string(unsettled() - differing()) +
         "}";
}

std::string CommitCheck::statement_json(size_t index) const {
  if (index >= statements_.size()) return "null";
  const StatementCommit& s = statements_[index];
  std::string k;
  for (int64_t v : s.kernel) {
    if (!k.empty()) k += ',';
    k += std::to_string(v);
  }
  return "{\"engine\":" + std::to_string(s.engine) + ",\"kernel\":[" + k + "],\"compared\":" +
         (s.compared ? "true" : "false") + ",\"agree\":" + (s.agree() ? "true" : "false") +
         ",\"noisy\":" + (s.noisy() ? "true" : "false") + "}";
}

}  // namespace cow::kernel
#endif  // __linux__
