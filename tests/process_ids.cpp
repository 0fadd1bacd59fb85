// Process ids, parents and orphans (docs/kernel-rules.md, "Process ids, parents and
// orphans"): a thread that execs takes over its leader's pid (de_thread); a task whose
// parent ends is adopted by another live thread of the parent's process, else by init,
// pid 1 (find_new_reaper); a thread's parent is its process's parent (CLONE_THREAD).
//
// Measured on Linux 6.18 with getpid()/getppid(): a thread that called execve() came
// back with its process's pid and that process's parent as PPid; a grandchild whose
// parent exited read PPid 1 (no subreaper), or the subreaper's pid with one.
#include "engine_helpers.h"

#include "engine/mm/smaps.h"
#include "engine/script/session.h"

using namespace cowtest;

namespace {
uint32_t pid(const Lab& lab, ProcId p) { return lab.e.processes()[p].pid; }
uint32_t ppid(const Lab& lab, ProcId p) { return lab.e.ppid(p); }
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("pids in creation order; PPid is the parent's process", "[process_ids]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  ProcId t1 = lab.thread(p1, "T1");
  ProcId c1 = lab.fork(t1, "C1");  // forked by a thread: PPid is the thread's process
  ProcId p2 = lab.spawn("P2");
  CHECK(pid(lab, p1) == 1);
  CHECK(pid(lab, t1) == 2);
  CHECK(pid(lab, c1) == 3);
  CHECK(pid(lab, p2) == 4);
  CHECK(ppid(lab, p1) == 0);
  CHECK(ppid(lab, c1) == 1);
  CHECK(ppid(lab, p2) == 0);  // spawned from outside the script
  CHECK(lab.e.processes()[t1].parent == kNone);  // CLONE_THREAD: P1's parent, none
  lab.finish();
}

TEST_CASE("a thread that execs takes over its leader's pid and parent", "[process_ids]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  ProcId c1 = lab.fork(p1, "C1");
  ProcId ct = lab.thread(c1, "CT");
  CHECK(pid(lab, c1) == 2);
  CHECK(pid(lab, ct) == 3);
  lab.exec(ct);
  // Linux 6.18: the thread comes back from execve() with its process's pid and PPid.
  CHECK(pid(lab, ct) == 2);
  CHECK(ppid(lab, ct) == 1);
  CHECK(pid(lab, c1) == 3);  // the old leader leaves with the thread's pid
  CHECK(lab.state(c1) == ProcState::Exited);
  std::string status = status_text(lab.e);
  CHECK(contains(status, "== /proc/2/status (CT) ==\nName:\tCT\nPid:\t2\nPPid:\t1\n"));
  CHECK_FALSE(contains(status, "Pid:\t3"));
  lab.finish();
}

TEST_CASE("a thread of pid 1 that execs is pid 1, with no parent", "[process_ids]") {
  // The case `cowlab run --status` once printed as "Pid: 2, PPid: 2".
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  ProcId t1 = lab.thread(p1, "T1");
  ProcId c1 = lab.fork(p1, "C1");
  lab.exec(t1);
  CHECK(pid(lab, t1) == 1);
  CHECK(ppid(lab, t1) == 0);
  CHECK(lab.e.child_reaper() == t1);
  CHECK(ppid(lab, c1) == 1);  // adopted by T1, the live thread of its parent's process
  CHECK(lab.e.processes()[c1].parent == t1);
  CHECK(contains(status_text(lab.e), "== /proc/1/status (T1) ==\nName:\tT1\nPid:\t1\nPPid:\t0\n"));
  lab.finish();
}

TEST_CASE("an orphan is adopted by init, pid 1", "[process_ids]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  ProcId c1 = lab.fork(p1, "C1");
  ProcId g1 = lab.fork(c1, "G1");
  CHECK(ppid(lab, g1) == 2);
  lab.exit(c1);
  CHECK(ppid(lab, g1) == 1);  // Linux 6.18 without a subreaper: 1
  CHECK(lab.e.processes()[g1].parent == p1);
  CHECK(contains(status_text(lab.e), "== /proc/3/status (G1) ==\nName:\tG1\nPid:\t3\nPPid:\t1\n"));
  lab.finish();
}

TEST_CASE("an orphan goes to another live thread of its parent's process first", "[process_ids]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  ProcId c1 = lab.fork(p1, "C1");
  ProcId ct = lab.thread(c1, "CT");
  ProcId g1 = lab.fork(ct, "G1");
  CHECK(lab.e.processes()[g1].parent == ct);
  lab.exit(ct);  // a thread ends, its process lives on
  CHECK(lab.e.processes()[g1].parent == c1);
  CHECK(ppid(lab, g1) == pid(lab, c1));
  lab.exit(c1);
  CHECK(lab.e.processes()[g1].parent == p1);
  lab.finish();
}

TEST_CASE("once pid 1 has ended, an orphan has no parent in the script", "[process_ids]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  ProcId c1 = lab.fork(p1, "C1");
  ProcId g1 = lab.fork(c1, "G1");
  lab.exit(p1);
  CHECK(lab.e.child_reaper() == kNone);
  CHECK(ppid(lab, c1) == 0);
  CHECK(ppid(lab, g1) == 2);
  lab.exit(c1);
  CHECK(ppid(lab, g1) == 0);
  lab.finish();
}

TEST_CASE("an exited task keeps the parent it had", "[process_ids]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  ProcId c1 = lab.fork(p1, "C1");
  ProcId g1 = lab.fork(c1, "G1");
  lab.exit(g1);
  lab.exit(c1);
  CHECK(lab.e.processes()[g1].parent == c1);  // only live tasks are adopted
  lab.finish();
}

TEST_CASE("scripts check pid, ppid and minflt with expect", "[process_ids]") {
  script::Session s;
  REQUIRE(s.load("spawn P1\nP1 mmap heap 8\nP1 thread T1\nP1 fork C1\nC1 fork G1\nT1 write heap\n"
                 "C1 exit\nT1 exec\n"
                 "expect T1 pid=1 ppid=0 minflt=8\nexpect G1 pid=4 ppid=1 minflt=0\nexpect G1 ppid=3\n"));
  s.run_all();
  REQUIRE_FALSE(s.stopped());
  const std::vector<script::ExpectOutcome>& x = s.expects();
  REQUIRE(x.size() == 7);
  for (size_t i = 0; i < 6; ++i) CHECK(x[i].ok);
  CHECK_FALSE(x[6].ok);
  CHECK(x[6].message == "G1 ppid: expected 3, got 1");
}
