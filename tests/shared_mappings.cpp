// Shared anonymous memory (shmem) and the rule that shared mappings are never copied
// (docs/kernel-rules.md: "Shared mappings are never copied", "fork skips VMAs a fault can
// fill again", "Reads of never-written private memory map the zero page", "What Dirty
// means", "Shared and Private count mappings, not the mapping type"). The worked-example
// numbers come from the real kernel's measurements (Linux 6.18).
#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("worked example: 32 shared anonymous pages written, fork, the child writes all", "[shared_mappings]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 32);
  lab.write(p1, "S");
  ProcId c1 = lab.fork(p1, "C1");
  // Kernel: frames 32; P1 R32 P32 PD32 An0; C1 R0.
  CHECK(lab.frames() == 32);
  EXPECT_USAGE(lab.u(p1), {.rss = 32, .pss = 32, .sc = 0, .sd = 0, .pc = 0, .pd = 32, .anon = 0, .shmem = 32});
  EXPECT_USAGE(lab.u(c1), {.rss = 0, .pss = 0, .ptes = 0});
  CHECK(lab.e.counters().ptes_copied == 0);

  lab.write(c1, "S");
  // Kernel: frames 32; both R32 P16 SD32 An0.
  CHECK(lab.frames() == 32);
  EXPECT_USAGE(lab.u(p1), {.rss = 32, .pss = 16, .sc = 0, .sd = 32, .pc = 0, .pd = 0, .anon = 0, .shmem = 32});
  EXPECT_USAGE(lab.u(c1), {.rss = 32, .pss = 16, .sc = 0, .sd = 32, .pc = 0, .pd = 0, .anon = 0, .shmem = 32});
  CHECK(lab.e.counters().cow_copies == 0);
  CHECK(lab.sees(p1, "S", 7) == Lab::pid(c1));  // every mapper sees the write
  lab.finish();
}

TEST_CASE("shmem first faulted by a read stays clean, only writers report dirty", "[shared_mappings]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 16);
  lab.read(p1, "S");  // each read allocates its page; fault-around finds nothing else cached
  CHECK(lab.e.counters().faults_read == 16);
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pss = 16, .pc = 16, .pd = 0});
  ProcId c1 = lab.fork(p1, "C1");
  lab.read(c1, "S", pg(0));  // the whole window is cached now: one fault maps 16
  CHECK(lab.e.counters().faults_read == 17);
  EXPECT_USAGE(lab.u(c1), {.rss = 16, .pss = 8, .sc = 16, .sd = 0});
  // The shmem PTEs are writable from the read fault on: these writes do not fault.
  uint64_t faults = lab.e.counters().faults;
  lab.write(c1, "S", pg(0, 3));
  CHECK(lab.e.counters().faults == faults);
  EXPECT_USAGE(lab.u(c1), {.rss = 16, .pss = 8, .sc = 12, .sd = 4, .pc = 0, .pd = 0});
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pss = 8, .sc = 16, .sd = 0, .pc = 0, .pd = 0});
  CHECK(lab.sees(p1, "S", 2) == Lab::pid(c1));
  lab.finish();
}

TEST_CASE("shmem survives one mapper's munmap and goes when the last one leaves", "[shared_mappings]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 8);
  lab.write(p1, "S");
  ProcId c1 = lab.fork(p1, "C1");
  lab.read(c1, "S");
  EXPECT_USAGE(lab.u(c1), {.rss = 8, .pss = 4, .sd = 8});  // the frames are dirty themselves
  lab.munmap(p1, "S");
  EXPECT_USAGE(lab.u(c1), {.rss = 8, .pss = 8, .sd = 0, .pd = 8});
  CHECK(lab.e.system().shmem == 8);
  lab.munmap(c1, "S");
  CHECK(lab.e.system().shmem == 0);
  CHECK(lab.e.system().frames_used == 0);
  lab.finish();
}

TEST_CASE("a private mapping next to a shared one: only the private one copies", "[shared_mappings]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 4);
  lab.anon(p1, "A", 4);
  lab.write(p1, "S");
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.write(c1, "S");
  lab.write(c1, "A");
  CHECK(lab.e.counters().cow_copies == 4);
  CHECK(lab.frames() == 12);
  EXPECT_USAGE(lab.r(c1, "S"), {.rss = 4, .pss = 2, .sd = 4, .anon = 0, .shmem = 4});
  EXPECT_USAGE(lab.r(c1, "A"), {.rss = 4, .pss = 4, .pd = 4, .anon = 4, .shmem = 0});
  lab.finish();
}

// Regression ("What Dirty means"): a write *fault* through a shared mapping dirties the frame itself,
// shmem as well as page cache (Linux: do_shared_fault -> fault_dirty_shared_page ->
// folio_mark_dirty; shmem's dirty_folio sets PG_dirty). Only writes through a PTE that a
// read fault already made writable leave the frame clean. The engine used to dirty a
// shmem frame only when a write allocated it.
TEST_CASE("regression: a write fault on a clean shmem page dirties it for every mapper", "[shared_mappings]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 4);
  lab.read(p1, "S");
  ProcId c1 = lab.fork(p1, "C1");
  lab.write(c1, "S", pg(0));  // C1 has no PTE: a write fault (do_shared_fault)
  EXPECT_USAGE(lab.u(c1), {.rss = 1, .pss = 0.5, .sc = 0, .sd = 1});
  EXPECT_USAGE(lab.u(p1), {.rss = 4, .pss = 3.5, .sc = 0, .sd = 1, .pc = 3, .pd = 0});
  lab.finish();
}
