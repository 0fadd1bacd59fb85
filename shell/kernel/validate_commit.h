// The commit comparison of `cowlab validate` ("commit"): per statement, the engine's
// change of committed_as against the kernel's change of Committed_AS less the workers'
// own charge (commit_probe.h), in pages. The engine runs in this machine's overcommit
// mode, ratio and swap (Session::pin_overcommit); docs/fidelity.md, "Commit charge",
// says how it is measured and how the noise of the rest of the machine is bounded.
// Linux only.
#pragma once
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <cstdio>
#include <string>
#include <vector>

#include "commit_probe.h"
#include "driver.h"
#include "engine/kernel/plan.h"
#include "engine/mm/engine.h"
#include "engine/script/ast.h"

namespace cow::kernel {

// One statement: the engine's change of the charge, and the kernel's in each run. A run
// whose window another process's allocation fell into is off by that amount; an engine
// that is wrong is off by the same amount in every run. So the statement agrees when one
// run equals the engine exactly, and differs when three runs agree on another value (two
// can, by chance: a periodic process may repeat its allocation); otherwise every run
// was hit: too noisy.
inline constexpr long kRepeatsOfADifference = 3;
struct StatementCommit {
  script::Pos pos;
  int64_t engine = 0;           // pages
  std::vector<int64_t> kernel;  // pages, one per run (the first, then the re-runs)
  bool compared = true;         // false for a spawn: the new worker's own charge is the baseline
  bool agree() const;
  bool differs() const;  // not agreeing, and kRepeatsOfADifference runs measured one other value
  bool noisy() const { return !agree() && !differs(); }
};

class CommitCheck {
 public:
  // Reads the machine's settings; false (and `why`) when /proc does not tell them.
  bool start(std::string* why);
  const MachineOvercommit& machine() const { return machine_; }
  // Notes for the script's own settings that the machine's replace (line numbers).
  std::vector<std::string> replaced_settings(const script::Script& script) const;
  // Idle noise of the rest of the machine, measured once before the run.
  void measure_noise() { noise_ = measure_commit_noise(20, 2000); }

  // Around one statement: before() with the engine still before it; kernel_before() just
  // before its kernel operations (the workers' own charge, then Committed_AS); after()
  // once they ran and the tasks settled (Committed_AS first). `run` is 0 for the first
  // run, then the re-run's number (its deltas join the first run's).
  void before(const Engine& e, const Driver& d);
  void kernel_before(const Engine& e);
  // Each kernel operation as it is answered (`answered`: `r` came back from the task).
  void op_done(KOpKind kind, bool answered, const reply& r);
  void after(const Engine& e, const Driver& d, script::Pos pos, size_t index, int run);

  // Statements whose runs agree on a value other than the engine's (a failure).
  size_t differing() const;
  // Statements no run agrees on yet (a re-run measures them again).
  size_t unsettled() const;
  size_t compared() const;
  const std::vector<StatementCommit>& statements() const { return statements_; }
  // The summary lines at the end of the text output; `path` prefixes positions.
  void print(FILE* out, const std::string& path) const;
  // {"machine":{...},"noise":{...},"compared":N,"differ":N} (no trailing newline).
  std::string json() const;
  // The "commit" part of a statement's JSON: {"engine":N,"kernel":[...],"agree":b}.
  std::string statement_json(size_t index) const;

 private:
  MachineOvercommit machine_;
  CommitNoise noise_;
  std::vector<StatementCommit> statements_;
  std::vector<pid_t> tasks_before_;
  std::vector<AddressRange> script_;
  uint64_t engine_before_ = 0;
  int64_t own_before_ = 0, driver_before_ = 0, committed_before_ = 0;  // kB
  int64_t in_workers_kb_ = 0;  // Committed_AS moves within the workers' own windows
  bool driver_window_ = false;  // an operation had no such window
  int64_t exits_from_kb_ = 0;   // Committed_AS as the first exiting task read it (0: no exit)
  bool spawns_ = false;         // the statement spawns
  int runs_ = 1;
};

}  // namespace cow::kernel
#endif  // __linux__
