// Engine vs kernel fault counts of one statement (see faults.h).
#include "engine/kernel/faults.h"

#include <algorithm>

#include "engine/script/json.h"

namespace cow::kernel {

namespace {

bool has(const std::vector<TaskFaults>& table, const std::string& task) {
  return std::any_of(table.begin(), table.end(), [&](const TaskFaults& t) { return t.task == task; });
}

std::string table_json(const std::vector<TaskFaults>& table) {
  std::string s = "{";
  for (size_t i = 0; i < table.size(); ++i)
    s += (i ? "," : "") + script::json_string(table[i].task) + ":" + std::to_string(table[i].faults);
  return s + "}";
}

}  // namespace

void add_faults(std::vector<TaskFaults>& table, const std::string& task, uint64_t n) {
  for (TaskFaults& t : table)
    if (t.task == task) {
      t.faults += n;
      return;
    }
  table.push_back({task, n});
}

uint64_t faults_of(const std::vector<TaskFaults>& table, const std::string& task) {
  for (const TaskFaults& t : table)
    if (t.task == task) return t.faults;
  return 0;
}

std::vector<FaultDifference> fault_differences(const StatementFaults& s) {
  std::vector<FaultDifference> out;
  for (const TaskFaults& k : s.kernel) {
    uint64_t e = faults_of(s.engine, k.task);
    if (e != k.faults) out.push_back({s.pos, k.task, e, k.faults});
  }
  return out;
}

std::vector<std::string> fault_skips(const StatementFaults& s) {
  std::vector<std::string> out;
  for (const Unmeasured& u : s.unmeasured) {
    uint64_t e = faults_of(s.engine, u.task);
    if (e == 0 || has(s.kernel, u.task)) continue;
    out.push_back(u.task + ": " + std::to_string(e) + " engine fault" + (e == 1 ? "" : "s") + " not compared (" +
                  u.reason + ")");
  }
  return out;
}

std::string describe(const FaultDifference& d, const std::string& file) {
  return file + ":" + std::to_string(d.pos.line) + ":" + std::to_string(d.pos.col) + ": " + d.task + " took " +
         std::to_string(d.engine) + " page fault" + (d.engine == 1 ? "" : "s") + " in the engine, " +
         std::to_string(d.kernel) + " in the kernel";
}

std::string faults_json(const StatementFaults& s) {
  std::string u = "{";
  for (size_t i = 0; i < s.unmeasured.size(); ++i)
    u += (i ? "," : "") + script::json_string(s.unmeasured[i].task) + ":" + script::json_string(s.unmeasured[i].reason);
  return "{\"engine\":" + table_json(s.engine) + ",\"kernel\":" + table_json(s.kernel) + ",\"unmeasured\":" + u + "}}";
}

}  // namespace cow::kernel
