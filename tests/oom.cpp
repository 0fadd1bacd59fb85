// The OOM killer: badness is Rss plus page-table pages (Linux: oom_badness), a tie goes
// to the most recently created task, the victim's whole address space dies with it, and
// the faulting access retries. Expected values are derived by hand from the rules; the
// page-table counts follow x86-64 4-level paging (one mapping = 1 PTE + 1 PMD + 1 PUD
// table while it is smaller than 2 MiB).
#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("the largest process is killed and the faulting write completes", "[oom]") {
  Lab lab(64);
  ProcId p1 = lab.spawn("P1");
  ProcId p2 = lab.spawn("P2");
  ProcId p3 = lab.spawn("P3");
  lab.anon(p1, "A", 20);
  lab.write(p1, "A");  // frames 0-19, badness 20 + 3
  lab.anon(p2, "B", 30);
  lab.write(p2, "B");  // frames 20-49, badness 30 + 3
  lab.anon(p3, "C", 20);
  lab.write(p3, "C");  // 14 frames fit; page 14 finds RAM full: P3 has badness 14 + 3
  CHECK(lab.state(p2) == ProcState::Killed);
  CHECK(lab.state(p1) == ProcState::Running);
  CHECK(lab.state(p3) == ProcState::Running);
  CHECK(lab.e.counters().oom_kills == 1);
  EXPECT_USAGE(lab.u(p3), {.rss = 20, .pd = 20});
  CHECK(lab.frame_of(p3, "C", 14) == 20);  // the lowest frame P2 freed
  CHECK(lab.e.system().frames_used == 40);
  lab.finish();
}

TEST_CASE("page-table pages count in the badness", "[oom]") {
  Lab lab(8);
  ProcId p1 = lab.spawn("P1");
  ProcId p2 = lab.spawn("P2");
  ProcId p3 = lab.spawn("P3");
  lab.anon(p1, "A", 1);
  lab.anon(p1, "B", 1);
  lab.write(p1, "A");
  lab.write(p1, "B");
  // Two mappings, each in its own GiB: 2 PTE + 2 PMD tables, 1 PUD table.
  CHECK(lab.vm_pte(p1) == 5);
  lab.anon(p2, "C", 3);
  lab.write(p2, "C");
  lab.anon(p3, "D", 4);
  // Badness at the failing fault: P1 2 + 5 = 7, P2 3 + 3 = 6, P3 3 + 3 = 6.
  lab.write(p3, "D");
  CHECK(lab.state(p1) == ProcState::Killed);
  CHECK(lab.state(p2) == ProcState::Running);
  EXPECT_USAGE(lab.u(p3), {.rss = 4});
  CHECK(lab.frame_of(p3, "D", 3) == 0);
  lab.finish();
}

TEST_CASE("a tie goes to the most recently created process", "[oom]") {
  Lab lab(8);
  ProcId p1 = lab.spawn("P1");
  ProcId p2 = lab.spawn("P2");
  ProcId p3 = lab.spawn("P3");
  lab.anon(p1, "A", 3);
  lab.write(p1, "A");  // badness 6
  lab.anon(p2, "B", 3);
  lab.write(p2, "B");  // badness 6
  lab.anon(p3, "C", 4);
  lab.write(p3, "C");  // fails at page 2 with badness 2 + 3 = 5
  CHECK(lab.state(p1) == ProcState::Running);
  CHECK(lab.state(p2) == ProcState::Killed);
  EXPECT_USAGE(lab.u(p3), {.rss = 4});
  lab.finish();
}

TEST_CASE("the victim's threads die with it", "[oom]") {
  Lab lab(8);
  ProcId p1 = lab.spawn("P1");
  ProcId p2 = lab.spawn("P2");
  lab.anon(p1, "A", 5);
  lab.write(p1, "A");
  ProcId t1 = lab.thread(p1, "T1");
  lab.anon(p2, "B", 4);
  lab.write(p2, "B");  // fails at page 3: P1/T1 have badness 8, P2 5
  CHECK(lab.state(p1) == ProcState::Killed);
  CHECK(lab.state(t1) == ProcState::Killed);
  CHECK(lab.e.counters().oom_kills == 1);
  EXPECT_USAGE(lab.u(p2), {.rss = 4});
  lab.finish();
}

TEST_CASE("when the faulting process is the victim, the rest of its statement is skipped", "[oom]") {
  Lab lab(8);
  ProcId p1 = lab.spawn("P1");
  ProcId p2 = lab.spawn("P2");
  lab.anon(p1, "A", 2);
  lab.write(p1, "A");  // badness 5
  lab.anon(p2, "B", 8);
  // 6 pages fit; page 6 fails with P2 at badness 6 + 3 = 9: P2 dies.
  OpResult r = lab.try_write(p2, "B");
  CHECK(r.outcome == Outcome::ActorKilled);
  CHECK(lab.state(p2) == ProcState::Killed);
  CHECK(lab.state(p1) == ProcState::Running);
  CHECK(lab.e.counters().zero_fills == 2 + 6);
  CHECK(lab.e.counters().oom_kills == 1);
  CHECK(lab.e.system().frames_used == 2);
  lab.finish();
}

TEST_CASE("after the kill the retried write may reuse instead of copy", "[oom]") {
  Lab lab(5);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.anon(p1, "B", 1);
  lab.write(p1, "B");  // RAM is full now
  // C1's copy needs a frame. P1: Rss 5 + 5 page-table pages; C1: 4 + 3. P1 dies, and
  // C1 is left the only mapper of the frame it wanted to copy.
  lab.write(c1, "A", pg(0));
  CHECK(lab.state(p1) == ProcState::Killed);
  CHECK(lab.e.counters().cow_copies == 0);
  CHECK(lab.e.counters().cow_reuses == 1);
  EXPECT_USAGE(lab.u(c1), {.rss = 4, .pss = 4, .pd = 4});
  lab.finish();
}

TEST_CASE("no process is exempt: a lone process that fills RAM kills itself", "[oom]") {
  Lab lab(4);
  lab.e.set_overcommit(Overcommit::Always);  // mode 1: the heuristic refuses twice RAM at mmap
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  CHECK(lab.try_write(p1, "A").outcome == Outcome::ActorKilled);
  CHECK(lab.e.counters().oom_kills == 1);
  CHECK(lab.e.system().frames_used == 0);
  lab.finish();
}
