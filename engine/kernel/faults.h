// Page-fault counts of one statement, engine vs kernel: `cowlab validate` measures each
// task's minor faults in the real kernel around the memory operation alone (getrusage
// RUSAGE_THREAD, i.e. the task's task_struct::min_flt) and compares them with the
// engine's Process::min_flt over the same statement.
//
// Simplified: the kernel counts only faults; the engine's breakdown (copies, reuses,
// zero-fills) has no kernel counterpart and is not compared. Operations whose kernel
// count the worker's own code would disturb (fork, vfork, thread, exec, exit) are not
// measured; each carries the reason. Pure: no I/O, used by tests fed two tables.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/script/ast.h"

namespace cow::kernel {

struct TaskFaults {
  std::string task;  // the script's task name
  uint64_t faults = 0;
};

struct Unmeasured {
  std::string task;
  std::string reason;  // why the kernel's count is unknown for this task here
};

struct StatementFaults {
  script::Pos pos;
  std::vector<TaskFaults> engine;       // faults the engine counted, by task (task order)
  std::vector<TaskFaults> kernel;       // faults the kernel counted, tasks measured only
  std::vector<Unmeasured> unmeasured;   // tasks whose kernel count is unknown, with why
};

// One disagreement: a task whose kernel count differs from the engine's.
struct FaultDifference {
  script::Pos pos;
  std::string task;
  uint64_t engine = 0, kernel = 0;
};

// Adds `n` faults of `task` to `table` (a task appears once, in the order first added).
void add_faults(std::vector<TaskFaults>& table, const std::string& task, uint64_t n);
// The engine's count for `task` in `table`, 0 when absent.
uint64_t faults_of(const std::vector<TaskFaults>& table, const std::string& task);

// Every task the kernel measured whose count differs from the engine's (a task the
// engine lists nowhere counted 0 there).
std::vector<FaultDifference> fault_differences(const StatementFaults& s);
// Tasks the engine says faulted but whose kernel count is unknown: "TASK: N faults not
// compared (REASON)". A task both measured and unmeasured counts as measured.
std::vector<std::string> fault_skips(const StatementFaults& s);

// "FILE:LINE:COL: TASK took N page faults in the engine, M in the kernel".
std::string describe(const FaultDifference& d, const std::string& file);
// {"engine":{TASK:N,...},"kernel":{TASK:N,...},"unmeasured":{TASK:REASON,...}}
std::string faults_json(const StatementFaults& s);

}  // namespace cow::kernel
