// Exits whose PTE blocks a live page table still holds (Engine::defer_puts): their
// mapcounts are lowered later, once per block however many exits it counts, and every
// reader sees exactly what an exit walking its PTEs would have left. The Lab checks the
// invariants after each operation, pending counts included (recounted the slow way).
#include "engine_helpers.h"

using namespace cowtest;

namespace {
// P1 with `pages` written pages of "A" and `children` fork children that have not written.
struct Family {
  Lab lab;
  ProcId p1;
  std::vector<ProcId> kids;
  Family(uint32_t pages, int children) {
    p1 = lab.spawn("P1");
    lab.anon(p1, "A", pages);
    lab.write(p1, "A");
    for (int i = 1; i <= children; ++i) kids.push_back(lab.fork(p1, "C" + std::to_string(i)));
  }
};
}  // namespace

TEST_CASE("children exiting in a row leave one pending teardown per PTE block", "[lazy_exit]") {
  Family f(1024, 8);  // two PTE blocks, each shared by P1 and eight children
  for (ProcId c : f.kids) f.lab.exit(c);
  CHECK(f.lab.e.pending_teardowns() == 2);  // not 16: the eight exits of a block add up
  // Reading settles: P1 alone maps every frame again, privately (Rss 1024, Pss 1024).
  EXPECT_USAGE(f.lab.u(f.p1), {.rss = 1024, .pss = 1024, .sd = 0, .pd = 1024});
  CHECK(f.lab.e.pending_teardowns() == 0);
  CHECK(f.lab.e.system().frames_used == 1024);
  // Each page mapped once: P1's writes reuse its pages rather than copy them.
  f.lab.write(f.p1, "A");
  CHECK(f.lab.e.counters().cow_reuses == 1024);
  CHECK(f.lab.e.counters().cow_copies == 0);
  f.lab.finish();
}

TEST_CASE("a write fault sees the mapcounts of exits still pending", "[lazy_exit]") {
  Family f(512, 2);
  f.lab.exit(f.kids[0]);
  f.lab.exit(f.kids[1]);
  REQUIRE(f.lab.e.pending_teardowns() == 1);
  // No reader in between: the fault itself settles first, so it finds mapcount 1 and reuses.
  f.lab.write(f.p1, "A", pg(7));
  CHECK(f.lab.e.counters().cow_reuses == 1);
  CHECK(f.lab.e.counters().cow_copies == 0);
  f.lab.finish();
}

TEST_CASE("the parent exiting first defers to a child that shares its blocks", "[lazy_exit]") {
  Family f(512, 1);
  ProcId c1 = f.kids[0];
  f.lab.exit(f.p1);
  CHECK(f.lab.e.pending_teardowns() == 1);
  f.lab.write(c1, "A");  // every page now C1's alone: reused, none copied, none freed
  CHECK(f.lab.e.counters().cow_reuses == 512);
  CHECK(f.lab.e.system().frames_used == 512);
  f.lab.finish();
}

TEST_CASE("an exit whose blocks are its own walks its PTEs and frees at once", "[lazy_exit]") {
  Family f(1024, 2);
  f.lab.write(f.kids[0], "A", pg(600));  // C1's second block is now its own copy
  f.lab.exit(f.kids[1]);                 // C2 shares both blocks with P1: deferred
  CHECK(f.lab.e.pending_teardowns() == 2);
  f.lab.exit(f.kids[0]);  // not every block shared: settles, then frees its copied page
  CHECK(f.lab.e.pending_teardowns() == 0);
  CHECK(f.lab.e.system().frames_used == 1024);
  EXPECT_USAGE(f.lab.u(f.p1), {.rss = 1024, .pss = 1024, .pd = 1024});
  f.lab.finish();
}

TEST_CASE("a snapshot taken with teardowns pending settles on its own", "[lazy_exit]") {
  Family f(512, 3);
  for (ProcId c : f.kids) f.lab.exit(c);
  Lab snap = f.lab;  // the copy holds the pending blocks too
  f.lab.write(f.p1, "A", pg(0));
  CHECK(f.lab.e.counters().cow_reuses == 1);
  REQUIRE(snap.e.pending_teardowns() == 1);
  EXPECT_USAGE(snap.u(f.p1), {.rss = 512, .pss = 512, .pd = 512});
  snap.invariants();
  snap.finish();
  f.lab.finish();
}

TEST_CASE("children of a THP exit lazily and the folio stays whole", "[lazy_exit]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.e.set_thp_mode(ThpMode::Always);
  lab.anon(p1, "H", 1024);
  lab.write(p1, "H");
  REQUIRE(lab.u(p1).anon_huge == 1024);
  ProcId c1 = lab.fork(p1, "C1"), c2 = lab.fork(p1, "C2");
  lab.exit(c1);
  lab.exit(c2);
  CHECK(lab.e.pending_teardowns() == 2);
  EXPECT_USAGE(lab.u(p1), {.rss = 1024, .pss = 1024, .pd = 1024});
  CHECK(lab.u(p1).anon_huge == 1024);
  lab.finish();
}
