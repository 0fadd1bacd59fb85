// `cowlab validate`'s fault-count comparison (engine/kernel/faults.h), fed hand-written
// tables: a wrong engine count must be reported with its line:col, task and both
// numbers, and an unmeasured kernel count must be skipped with its reason, not silently.
#include <catch2/catch.hpp>

#include "engine/kernel/faults.h"

using namespace cow::kernel;

namespace {
// `P1 write heap` on line 11 of a script: 8 faults in the kernel (Linux 6.18, 8 zero-fills).
StatementFaults write_heap(uint64_t engine_count) {
  StatementFaults s;
  s.pos = {11, 1};
  add_faults(s.engine, "P1", engine_count);
  add_faults(s.kernel, "P1", 8);
  return s;
}
}  // namespace

TEST_CASE("equal counts give no difference", "[fault_compare]") {
  CHECK(fault_differences(write_heap(8)).empty());
}

TEST_CASE("a deliberately wrong engine count is reported with line, task and both numbers", "[fault_compare]") {
  // The engine once counted a second round of 8 faults after mprotect readonly -> readwrite.
  std::vector<FaultDifference> d = fault_differences(write_heap(16));
  REQUIRE(d.size() == 1);
  CHECK(d[0].task == "P1");
  CHECK(d[0].engine == 16);
  CHECK(d[0].kernel == 8);
  CHECK(describe(d[0], "mprotect_faults.cow") ==
        "mprotect_faults.cow:11:1: P1 took 16 page faults in the engine, 8 in the kernel");
}

TEST_CASE("a task the engine did not count is 0 on the engine side", "[fault_compare]") {
  StatementFaults s;
  s.pos = {3, 5};
  add_faults(s.kernel, "C1", 1);  // a fault the engine missed entirely
  std::vector<FaultDifference> d = fault_differences(s);
  REQUIRE(d.size() == 1);
  CHECK(d[0].engine == 0);
  CHECK(describe(d[0], "f.cow") == "f.cow:3:5: C1 took 0 page faults in the engine, 1 in the kernel");
}

TEST_CASE("counts are per task: one task's surplus does not hide another's shortfall", "[fault_compare]") {
  StatementFaults s;
  add_faults(s.engine, "P1", 5);
  add_faults(s.engine, "T1", 3);
  add_faults(s.kernel, "P1", 3);
  add_faults(s.kernel, "T1", 5);  // the totals agree (8 and 8), the tasks do not
  std::vector<FaultDifference> d = fault_differences(s);
  REQUIRE(d.size() == 2);
  CHECK(d[0].task == "P1");
  CHECK(d[1].task == "T1");
}

TEST_CASE("add_faults sums a task's operations within one statement", "[fault_compare]") {
  std::vector<TaskFaults> t;
  add_faults(t, "P1", 2);
  add_faults(t, "P2", 1);
  add_faults(t, "P1", 3);
  REQUIRE(t.size() == 2);
  CHECK(faults_of(t, "P1") == 5);
  CHECK(faults_of(t, "P2") == 1);
  CHECK(faults_of(t, "P3") == 0);
}

TEST_CASE("an engine count the kernel could not measure is skipped with its reason", "[fault_compare]") {
  StatementFaults s;
  add_faults(s.engine, "P1", 4);
  add_faults(s.engine, "P2", 0);
  s.unmeasured.push_back({"P1", "the task was killed"});
  s.unmeasured.push_back({"P2", "fork is not measured"});  // 0 engine faults: nothing to say
  CHECK(fault_differences(s).empty());
  std::vector<std::string> skips = fault_skips(s);
  REQUIRE(skips.size() == 1);
  CHECK(skips[0] == "P1: 4 engine faults not compared (the task was killed)");
}

TEST_CASE("the JSON holds both tables and the reasons", "[fault_compare]") {
  StatementFaults s = write_heap(16);
  s.unmeasured.push_back({"C\"1", "fork"});
  CHECK(faults_json(s) == R"({"engine":{"P1":16},"kernel":{"P1":8},"unmeasured":{"C\"1":"fork"}})");
}
