// Threads, vfork, exec and exit (docs/kernel-rules.md: "Threads and vfork share one
// address space", "exit, exec and munmap drop references"): one shared address space, a
// suspended vfork parent, and memory released when the last user goes. Expected values
// are derived from docs/kernel-rules.md, whose numbers come from the real kernel
// (Linux 6.18).
#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("threads share one address space and count once", "[threads_vfork]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  ProcId t1 = lab.thread(p1, "T1");
  lab.write(t1, "A");
  EXPECT_USAGE(lab.u(p1), {.rss = 4, .pss = 4, .sd = 0, .pd = 4, .anon = 4});
  EXPECT_USAGE(lab.u(t1), {.rss = 4, .pss = 4, .sd = 0, .pd = 4, .anon = 4});
  CHECK(lab.sees(p1, "A", 1) == Lab::pid(t1));
  lab.write(p1, "A");  // the PTEs are writable already: no fault, no copy
  CHECK(lab.e.counters().faults == 4);
  CHECK(lab.e.counters().cow_copies == 0);
  // A mapping made by one thread is visible to the other.
  lab.anon(p1, "B", 2);
  lab.write(t1, "B");
  CHECK(lab.u(p1).rss == 6);
  lab.finish();
}

TEST_CASE("after a fork, a thread's write copies for the whole parent address space", "[threads_vfork]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.write(p1, "A");
  ProcId t1 = lab.thread(p1, "T1");
  ProcId c1 = lab.fork(p1, "C1");
  lab.write(t1, "A", pg(0));
  CHECK(lab.e.counters().cow_copies == 1);
  EXPECT_USAGE(lab.u(p1), {.rss = 4, .pss = 2.5, .sd = 3, .pd = 1});
  EXPECT_USAGE(lab.u(c1), {.rss = 4, .pss = 2.5, .sd = 3, .pd = 1});
  CHECK(lab.sees(p1, "A", 0) == Lab::pid(t1));
  CHECK(lab.sees(c1, "A", 0) == Lab::pid(p1));
  lab.write(p1, "A", pg(0));  // the leader finds the thread's copy writable
  CHECK(lab.e.counters().cow_copies == 1);
  CHECK(lab.e.counters().cow_reuses == 0);
  lab.finish();
}

TEST_CASE("a thread can fork, the child copies the group's address space", "[threads_vfork]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A");
  ProcId t1 = lab.thread(p1, "T1");
  ProcId c1 = lab.fork(t1, "C1");
  EXPECT_USAGE(lab.u(c1), {.rss = 8, .pss = 4, .sd = 8});
  CHECK(lab.e.processes()[c1].leader == c1);
  lab.finish();
}

TEST_CASE("exit by a thread ends only that thread, exit by the process ends all", "[threads_vfork]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.write(p1, "A");
  ProcId t1 = lab.thread(p1, "T1");
  ProcId t2 = lab.thread(p1, "T2");
  lab.exit(t1);
  CHECK(lab.state(t1) == ProcState::Exited);
  CHECK(lab.state(p1) == ProcState::Running);
  CHECK(lab.u(p1).rss == 4);
  lab.exit(p1);
  CHECK(lab.state(p1) == ProcState::Exited);
  CHECK(lab.state(t2) == ProcState::Exited);
  CHECK(lab.e.system().frames_used == 0);
  lab.finish();
}

TEST_CASE("exec by a thread ends the other threads and frees the old memory", "[threads_vfork]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.write(p1, "A");
  ProcId t1 = lab.thread(p1, "T1");
  ProcId t2 = lab.thread(p1, "T2");
  lab.exec(t1);
  CHECK(lab.state(p1) == ProcState::Exited);
  CHECK(lab.state(t2) == ProcState::Exited);
  CHECK(lab.state(t1) == ProcState::Running);
  EXPECT_USAGE(lab.u(t1), {.rss = 0, .ptes = 0});
  CHECK(lab.vm_pte(t1) == 0);
  CHECK(lab.e.system().frames_used == 0);
  CHECK(lab.try_read(t1, "A", pg(0)).outcome == Outcome::ActorKilled);  // A is gone
  lab.finish();
}

TEST_CASE("vfork: the child shares the parent's memory, the parent waits until exec", "[threads_vfork]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.write(p1, "A");
  ProcId v1 = lab.vfork(p1, "V1");
  CHECK(lab.state(p1) == ProcState::Suspended);
  CHECK(lab.checked(lab.e.access(p1, lab.name("A"), kAll, Access::Write)).outcome == Outcome::Error);
  CHECK(lab.checked(lab.e.exit(p1)).outcome == Outcome::Error);
  CHECK(lab.e.counters().ptes_copied == 0);
  EXPECT_USAGE(lab.u(v1), {.rss = 4, .pss = 4, .pd = 4});

  lab.write(v1, "A", pg(1));  // lands in the parent's frame
  CHECK(lab.e.counters().cow_copies == 0);
  CHECK(lab.frames() == 4);
  lab.exec(v1);
  CHECK(lab.state(p1) == ProcState::Running);
  CHECK(lab.u(v1).rss == 0);
  CHECK(lab.sees(p1, "A", 1) == Lab::pid(v1));
  EXPECT_USAGE(lab.u(p1), {.rss = 4, .pss = 4, .pd = 4});
  lab.finish();
}

TEST_CASE("vfork: the child's exit resumes the parent, and its memory stays", "[threads_vfork]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  ProcId v1 = lab.vfork(p1, "V1");
  lab.anon(v1, "A", 2);  // a mapping made by the vfork child is in the parent's mm
  lab.write(v1, "A");
  lab.exit(v1);
  CHECK(lab.state(p1) == ProcState::Running);
  EXPECT_USAGE(lab.u(p1), {.rss = 2, .pd = 2});
  CHECK(lab.sees(p1, "A", 0) == Lab::pid(v1));
  lab.finish();
}

TEST_CASE("exit frees what nobody else maps", "[threads_vfork]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.write(c1, "A", pg(0, 1));
  CHECK(lab.e.system().frames_used == 10);
  lab.exit(p1);
  CHECK(lab.e.system().frames_used == 8);  // P1's two private pages went free
  EXPECT_USAGE(lab.u(c1), {.rss = 8, .pss = 8, .sd = 0, .pd = 8});
  lab.write(c1, "A");
  CHECK(lab.e.counters().cow_copies == 2);
  CHECK(lab.e.counters().cow_reuses == 6);
  lab.finish();
}
