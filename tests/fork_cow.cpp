// fork and copy-on-write of private anonymous memory (docs/kernel-rules.md: "fork shares,
// it does not copy", "fork skips VMAs a fault can fill again", "A write-protected private
// page is reused or copied", "exit, exec and munmap drop references"), and deterministic
// lowest-free-frame allocation.
// The numbers of the worked examples come from the real kernel's measurements
// (Linux 6.18, /proc/PID/smaps); every other expected value is derived by hand from the
// rules, never pasted from the engine's output.
#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("worked example: fork shares 64 written pages, then the child writes 16", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 64);
  lab.write(p1, "A");
  uint64_t used_before_fork = lab.e.system().frames_used;
  ProcId c1 = lab.fork(p1, "C1");

  // Kernel: frames 64; P1 and C1 both R64 P32 SD64.
  CHECK(lab.frames() == 64);
  CHECK(lab.e.system().frames_used == used_before_fork);  // fork copied no page data
  EXPECT_USAGE(lab.u(p1), {.rss = 64, .pss = 32, .sc = 0, .sd = 64, .pc = 0, .pd = 0, .anon = 64});
  EXPECT_USAGE(lab.u(c1), {.rss = 64, .pss = 32, .sc = 0, .sd = 64, .pc = 0, .pd = 0, .anon = 64});
  CHECK(lab.e.counters().ptes_copied == 64);

  lab.write(c1, "A", pg(0, 15));
  // Kernel: frames 80; both R64 P40 SD48 PD16.
  CHECK(lab.frames() == 80);
  EXPECT_USAGE(lab.u(p1), {.rss = 64, .pss = 40, .sc = 0, .sd = 48, .pc = 0, .pd = 16});
  EXPECT_USAGE(lab.u(c1), {.rss = 64, .pss = 40, .sc = 0, .sd = 48, .pc = 0, .pd = 16});
  CHECK(lab.e.counters().cow_copies == 16);
  CHECK(lab.e.counters().cow_reuses == 0);
  lab.finish();
}

TEST_CASE("worked example: parent and child both write page 0: one copy, one reuse", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 64);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.write(p1, "A", pg(0));  // fork write-protected the parent too: this copies
  CHECK(lab.e.counters().cow_copies == 1);
  lab.write(c1, "A", pg(0));  // C1 is now the only mapper of the old frame: reuse
  CHECK(lab.e.counters().cow_copies == 1);
  CHECK(lab.e.counters().cow_reuses == 1);

  // Kernel: frames 65; both R64 P32.5 SD63 PD1.
  CHECK(lab.frames() == 65);
  EXPECT_USAGE(lab.u(p1), {.rss = 64, .pss = 32.5, .sc = 0, .sd = 63, .pc = 0, .pd = 1});
  EXPECT_USAGE(lab.u(c1), {.rss = 64, .pss = 32.5, .sc = 0, .sd = 63, .pc = 0, .pd = 1});
  // Each sees its own write.
  CHECK(lab.sees(p1, "A", 0) == Lab::pid(p1));
  CHECK(lab.sees(c1, "A", 0) == Lab::pid(c1));
  CHECK(lab.sees(c1, "A", 1) == Lab::pid(p1));
  lab.finish();
}

TEST_CASE("worked example: the child exits, the parent reuses all 64 pages", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 64);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.exit(c1);
  lab.write(p1, "A");
  // Kernel: frames 64; P1 R64 P64 PD64; 0 copies, 64 reuses.
  CHECK(lab.frames() == 64);
  EXPECT_USAGE(lab.u(p1), {.rss = 64, .pss = 64, .sc = 0, .sd = 0, .pc = 0, .pd = 64});
  CHECK(lab.e.counters().cow_copies == 0);
  CHECK(lab.e.counters().cow_reuses == 64);
  lab.finish();
}

TEST_CASE("a child's write is invisible to its parent", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.write(c1, "A", pg(2));
  CHECK(lab.sees(p1, "A", 2) == Lab::pid(p1));
  CHECK(lab.sees(c1, "A", 2) == Lab::pid(c1));
  CHECK(lab.frame_of(p1, "A", 2) != lab.frame_of(c1, "A", 2));
  CHECK(lab.frame_of(p1, "A", 3) == lab.frame_of(c1, "A", 3));
  lab.finish();
}

TEST_CASE("three sharers: the first two writers copy, the last one reuses", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  ProcId c2 = lab.fork(p1, "C2");
  EXPECT_USAGE(lab.u(p1), {.rss = 8, .pss = 8.0 / 3, .sd = 8});
  lab.write(c1, "A", pg(0));  // mapcount 3 -> copy, old frame now mapcount 2
  lab.write(c2, "A", pg(0));  // mapcount 2 -> copy, old frame now mapcount 1
  lab.write(p1, "A", pg(0));  // mapcount 1 -> reuse
  CHECK(lab.e.counters().cow_copies == 2);
  CHECK(lab.e.counters().cow_reuses == 1);
  CHECK(lab.frames() == 10);
  EXPECT_USAGE(lab.u(p1), {.rss = 8, .pss = 1 + 7.0 / 3, .sd = 7, .pd = 1});
  // A second write by the same task does not fault at all.
  uint64_t faults = lab.e.counters().faults;
  lab.write(c1, "A", pg(0));
  CHECK(lab.e.counters().faults == faults);
  lab.finish();
}

TEST_CASE("the survivor of a sharing pair reuses after exec, exit or munmap", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 16);
  lab.write(p1, "A");

  SECTION("exec") {
    ProcId c1 = lab.fork(p1, "C1");
    lab.exec(c1);
    CHECK(lab.u(c1).rss == 0);
  }
  SECTION("munmap of part, then of the rest") {
    ProcId c1 = lab.fork(p1, "C1");
    lab.munmap(c1, "A", pg(0, 7));
    EXPECT_USAGE(lab.u(p1), {.rss = 16, .pss = 8 + 4, .sd = 8, .pd = 8});
    lab.munmap(c1, "A");
  }
  CHECK(lab.frames() == 16);
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pss = 16, .sd = 0, .pd = 16});
  lab.write(p1, "A");
  CHECK(lab.e.counters().cow_copies == 0);
  CHECK(lab.e.counters().cow_reuses == 16);
  lab.finish();
}

TEST_CASE("frames go to the lowest free frame, deterministically", "[fork_cow]") {
  Lab lab(64);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.write(p1, "A");
  for (uint32_t q = 0; q < 4; ++q) CHECK(lab.frame_of(p1, "A", q) == q);
  lab.munmap(p1, "A", pg(1));  // frame 1 goes free
  lab.anon(p1, "B", 2);
  lab.write(p1, "B");
  CHECK(lab.frame_of(p1, "B", 0) == 1);
  CHECK(lab.frame_of(p1, "B", 1) == 4);
  ProcId c1 = lab.fork(p1, "C1");
  lab.write(c1, "A", pg(3));  // the copy of frame 3 lands in frame 5
  CHECK(lab.frame_of(c1, "A", 3) == 5);
  CHECK(lab.frame_of(p1, "A", 3) == 3);
  lab.finish();
}

// "fork skips VMAs a fault can fill again": whether fork copies a private VMA's PTEs
// depends on "has anonymous pages", which the first write sets and nothing clears.
TEST_CASE("a never-written private VMA is inherited without PTEs", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.read(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  EXPECT_USAGE(lab.u(p1), {.rss = 0, .ptes = 8, .zero = 8});
  EXPECT_USAGE(lab.u(c1), {.rss = 0, .ptes = 0, .zero = 0});
  CHECK(lab.e.counters().ptes_copied == 0);
  lab.finish();
}

TEST_CASE("has-anonymous-pages survives dontneed", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A", pg(0));
  lab.madvise(p1, "A", Advice::DontNeed);
  EXPECT_USAGE(lab.u(p1), {.rss = 0, .ptes = 0});
  lab.read(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  // The VMA still counts as having anonymous pages: its zero-page PTEs are copied.
  EXPECT_USAGE(lab.u(c1), {.rss = 0, .ptes = 8, .zero = 8});
  CHECK(lab.e.counters().ptes_copied == 8);
  lab.finish();
}

TEST_CASE("has-anonymous-pages survives a partial munmap", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A", pg(0));
  lab.munmap(p1, "A", pg(0, 3));  // the written page is gone
  lab.read(p1, "A", pg(4, 7));
  ProcId c1 = lab.fork(p1, "C1");
  EXPECT_USAGE(lab.u(c1), {.rss = 0, .ptes = 4, .zero = 4});
  CHECK(lab.r(c1, "A").pages == 4);
  lab.finish();
}

TEST_CASE("both halves of a split keep has-anonymous-pages", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A", pg(7));
  lab.mprotect(p1, "A", Prot::ReadOnly, pg(0, 3));  // split: 0-3 read-only, 4-7 rw
  lab.read(p1, "A", pg(0, 6));
  ProcId c1 = lab.fork(p1, "C1");
  EXPECT_USAGE(lab.u(c1), {.rss = 1, .sd = 1, .ptes = 8, .zero = 7});
  lab.finish();
}

TEST_CASE("a fork child inherits has-anonymous-pages", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A", pg(0));
  ProcId c1 = lab.fork(p1, "C1");
  lab.madvise(c1, "A", Advice::DontNeed);
  lab.read(c1, "A");  // only zero-page PTEs now
  ProcId g1 = lab.fork(c1, "G1");
  EXPECT_USAGE(lab.u(g1), {.rss = 0, .ptes = 8, .zero = 8});
  lab.finish();
}

TEST_CASE("under wipeonfork the child's VMA starts without anonymous pages", "[fork_cow]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A", pg(0));
  lab.madvise(p1, "A", Advice::WipeOnFork);
  ProcId c1 = lab.fork(p1, "C1");
  lab.read(c1, "A");  // reads never set has-anonymous-pages
  EXPECT_USAGE(lab.u(c1), {.rss = 0, .ptes = 8, .zero = 8});
  lab.madvise(c1, "A", Advice::KeepOnFork);
  ProcId g1 = lab.fork(c1, "G1");
  EXPECT_USAGE(lab.u(g1), {.rss = 0, .ptes = 0});
  lab.finish();
}
