// The shared zero page (docs/kernel-rules.md, "Reads of never-written private memory map
// the zero page"): reads of never-written private anonymous memory map it; it counts in
// ptes and zero_ptes, never in Rss, Pss, Anonymous or the frame counts.
// Shared anonymous memory (shmem) allocates a real page on a read instead.
// The worked-example numbers come from the real kernel's measurements (Linux 6.18).
#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("worked example: read 64 pages, fork, the child writes 8", "[zero_page]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 64);
  lab.read(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  // Kernel: frames 0; P1 R0 P0 zero64; C1 R0 P0 with no PTEs.
  CHECK(lab.frames() == 0);
  EXPECT_USAGE(lab.u(p1), {.rss = 0, .pss = 0, .anon = 0, .ptes = 64, .zero = 64});
  EXPECT_USAGE(lab.u(c1), {.rss = 0, .pss = 0, .ptes = 0, .zero = 0});

  lab.write(c1, "A", pg(0, 7));
  // Kernel: frames 8; P1 R0 zero64; C1 R8 P8 PD8.
  CHECK(lab.frames() == 8);
  EXPECT_USAGE(lab.u(p1), {.rss = 0, .pss = 0, .ptes = 64, .zero = 64});
  EXPECT_USAGE(lab.u(c1), {.rss = 8, .pss = 8, .sc = 0, .sd = 0, .pc = 0, .pd = 8, .anon = 8, .ptes = 8, .zero = 0});
  CHECK(lab.e.counters().zero_fills == 8);
  CHECK(lab.e.counters().cow_copies == 0);
  lab.finish();
}

TEST_CASE("the zero page takes no frame and is not in Rss, Pss or Anonymous", "[zero_page]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 16);
  lab.read(p1, "A");
  CHECK(lab.e.system().frames_used == 0);
  CHECK(lab.frames() == 0);
  EXPECT_USAGE(lab.u(p1), {.rss = 0, .pss = 0, .sc = 0, .sd = 0, .pc = 0, .pd = 0, .anon = 0, .ptes = 16, .zero = 16});
  CHECK(lab.u(p1).uss == 0);
  CHECK(lab.e.counters().zero_page_maps == 16);
  CHECK(lab.e.counters().faults_read == 16);  // no fault-around for anonymous memory
  CHECK(lab.frame_of(p1, "A", 3) == Frames::kZeroPage);
  CHECK(lab.sees(p1, "A", 3) == 0);
  // Even zero-page PTEs need a page table: 1 PTE + 1 PMD + 1 PUD table.
  CHECK(lab.vm_pte(p1) == 3);
  lab.finish();
}

TEST_CASE("a write after a read zero-fills, it is not a copy", "[zero_page]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.read(p1, "A");
  lab.write(p1, "A", pg(0));
  CHECK(lab.e.counters().zero_fills == 1);
  CHECK(lab.e.counters().cow_copies == 0);
  CHECK(lab.e.counters().cow_reuses == 0);
  EXPECT_USAGE(lab.u(p1), {.rss = 1, .pss = 1, .pd = 1, .anon = 1, .ptes = 4, .zero = 3});
  CHECK(lab.sees(p1, "A", 0) == Lab::pid(p1));
  lab.finish();
}

TEST_CASE("zero-page PTEs are copied by fork once the VMA has anonymous pages", "[zero_page]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A", pg(0));
  lab.read(p1, "A", pg(1, 7));
  ProcId c1 = lab.fork(p1, "C1");
  EXPECT_USAGE(lab.u(c1), {.rss = 1, .pss = 0.5, .sd = 1, .ptes = 8, .zero = 7});
  // The child's write to a zero-page PTE is a zero-fill, not a copy.
  lab.write(c1, "A", pg(5));
  CHECK(lab.e.counters().zero_fills == 2);
  CHECK(lab.e.counters().cow_copies == 0);
  EXPECT_USAGE(lab.u(p1), {.rss = 1, .ptes = 8, .zero = 7});
  EXPECT_USAGE(lab.u(c1), {.rss = 2, .pss = 1.5, .sd = 1, .pd = 1, .ptes = 8, .zero = 6});
  lab.finish();
}

TEST_CASE("a shmem read allocates a real, clean, zeroed frame", "[zero_page]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 4);
  lab.read(p1, "S", pg(0));
  // Fault-around maps only pages already allocated: page 0 alone.
  CHECK(lab.frames() == 1);
  EXPECT_USAGE(lab.u(p1), {.rss = 1, .pss = 1, .sc = 0, .sd = 0, .pc = 1, .pd = 0, .anon = 0, .shmem = 1, .ptes = 1, .zero = 0});
  CHECK(lab.frame_of(p1, "S", 0) != Frames::kZeroPage);
  CHECK(lab.sees(p1, "S", 0) == 0);
  lab.read(p1, "S");
  EXPECT_USAGE(lab.u(p1), {.rss = 4, .pc = 4, .shmem = 4, .zero = 0});
  CHECK(lab.e.system().shmem == 4);
  lab.finish();
}
