// Snapshots: copying an Engine gives an independent machine (no globals, ids not pointers):
// "step back" restores a copy, and two engines never interact.
#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("a copied engine is an independent snapshot", "[snapshots]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 64);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");

  Lab snap = lab;  // copies the engine
  lab.write(c1, "A", pg(0, 15));
  CHECK(lab.frames() == 80);
  // The snapshot still shows the state right after the fork.
  CHECK(snap.frames() == 64);
  EXPECT_USAGE(snap.u(c1), {.rss = 64, .pss = 32, .sd = 64, .pd = 0});
  CHECK(snap.e.counters().cow_copies == 0);
  snap.invariants();

  // The snapshot runs its own future: the parent exits, the child reuses everything.
  snap.exit(p1);
  snap.write(c1, "A");
  CHECK(snap.e.counters().cow_reuses == 64);
  CHECK(snap.frames() == 64);
  CHECK(lab.frames() == 80);
  CHECK(lab.e.counters().cow_reuses == 0);
  EXPECT_USAGE(lab.u(p1), {.rss = 64, .pss = 40, .sd = 48, .pd = 16});
  snap.finish();
  lab.finish();
}

TEST_CASE("restoring a snapshot steps back", "[snapshots]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A");
  Engine before = lab.e;
  ProcId c1 = lab.fork(p1, "C1");
  lab.write(c1, "A");
  CHECK(lab.e.system().frames_used == 16);
  lab.e = before;  // step back to before the fork
  lab.invariants();
  CHECK(lab.e.processes().size() == 1);
  CHECK(lab.e.system().frames_used == 8);
  CHECK(lab.e.counters().ptes_copied == 0);
  // Replaying gives exactly the same frames: allocation is deterministic.
  c1 = lab.fork(p1, "C1");
  lab.write(c1, "A", pg(3));
  CHECK(lab.frame_of(c1, "A", 3) == 8);
  lab.finish();
}

TEST_CASE("two engines in one test never interact", "[snapshots]") {
  Lab a(32), b(32);
  ProcId pa = a.spawn("P1");
  ProcId pb = b.spawn("P1");
  a.anon(pa, "A", 16);
  b.anon(pb, "A", 4);
  a.write(pa, "A");
  b.write(pb, "A");
  CHECK(a.e.system().frames_used == 16);
  CHECK(b.e.system().frames_used == 4);
  CHECK(a.frame_of(pa, "A", 0) == 0);
  CHECK(b.frame_of(pb, "A", 0) == 0);  // each engine has its own RAM
  a.finish();
  CHECK(b.u(pb).rss == 4);
  b.finish();
}
