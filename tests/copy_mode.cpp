// Fork mode `copy` (xv6 before copy-on-write) against COW, including xv6 cowtest's
// "simple" test: a process holding two thirds of RAM can fork only under COW.
// Expected values are derived by hand from docs/kernel-rules.md.
#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("xv6 cowtest simple: two thirds of RAM forks under COW, not in copy mode", "[copy_mode]") {
  Lab lab;  // 65536 frames = 256 MiB
  const uint32_t two_thirds = 65536 / 3 * 2;  // 43690 pages
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", two_thirds);
  lab.write(p1, "A");

  SECTION("COW: the fork succeeds and copies no page") {
    ProcId c1 = lab.fork(p1, "C1");
    CHECK(lab.e.system().frames_used == two_thirds);
    EXPECT_USAGE(lab.u(c1), {.rss = two_thirds, .sd = two_thirds});
    CHECK(lab.e.counters().fork_failures == 0);
  }
  SECTION("copy: the fork fails with ENOMEM and changes nothing") {
    lab.mode(ForkMode::Copy);
    OpResult r = lab.try_fork(p1, "C1");
    CHECK(r.outcome == Outcome::ForkFailed);
    CHECK(r.created == kNone);
    CHECK(lab.e.find_process("C1") == kNone);
    CHECK(lab.e.processes().size() == 1);
    CHECK(lab.e.counters().fork_failures == 1);
    CHECK(lab.e.system().frames_used == two_thirds);
    EXPECT_USAGE(lab.u(p1), {.rss = two_thirds, .pss = two_thirds, .pd = two_thirds});
    uint64_t faults = lab.e.counters().faults;
    lab.write(p1, "A", pg(0, 99));  // not write-protected: no faults
    CHECK(lab.e.counters().faults == faults);
  }
  lab.finish();
}

TEST_CASE("copy mode with room: one third of RAM forks, copying every page", "[copy_mode]") {
  Lab lab(96);
  lab.mode(ForkMode::Copy);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 32);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.frames() == 64);
  EXPECT_USAGE(lab.u(p1), {.rss = 32, .pss = 32, .sd = 0, .pd = 32});
  EXPECT_USAGE(lab.u(c1), {.rss = 32, .pss = 32, .sd = 0, .pd = 32, .anon = 32});
  CHECK(lab.sees(c1, "A", 7) == Lab::pid(p1));  // the data was copied
  // Nothing is write-protected: no write faults afterwards, no COW.
  uint64_t faults = lab.e.counters().faults;
  lab.write(p1, "A");
  lab.write(c1, "A");
  CHECK(lab.e.counters().faults == faults);
  CHECK(lab.e.counters().cow_copies == 0);
  // A second fork needs 32 more frames and exactly 32 are free.
  ProcId c2 = lab.fork(p1, "C2");
  CHECK(lab.e.system().frames_free == 0);
  CHECK(lab.try_fork(c2, "C3").outcome == Outcome::ForkFailed);
  CHECK(lab.e.counters().fork_failures == 1);
  lab.finish();
}

TEST_CASE("copy mode: zero-page PTEs stay zero-page PTEs", "[copy_mode]") {
  Lab lab;
  lab.mode(ForkMode::Copy);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 16);
  lab.write(p1, "A", pg(0));
  lab.read(p1, "A", pg(1, 15));
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.frames() == 2);
  EXPECT_USAGE(lab.u(c1), {.rss = 1, .pss = 1, .pd = 1, .ptes = 16, .zero = 15});
  CHECK(lab.frame_of(c1, "A", 9) == Frames::kZeroPage);
  lab.finish();
}

TEST_CASE("copy mode: page-cache pages of a file-private mapping stay shared", "[copy_mode]") {
  Lab lab;
  lab.mode(ForkMode::Copy);
  FileId f = lab.file("f", 32);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Private);
  lab.read(p1, "F");
  lab.write(p1, "F", pg(0));  // the VMA now has anonymous pages: fork copies its PTEs
  ProcId c1 = lab.fork(p1, "C1");
  // 31 page-cache pages shared read-only, page 0 duplicated: 31 + 2 frames mapped.
  CHECK(lab.frames() == 33);
  EXPECT_USAGE(lab.u(p1), {.rss = 32, .pss = 16.5, .sc = 31, .sd = 0, .pc = 0, .pd = 1, .anon = 1, .file = 31});
  EXPECT_USAGE(lab.u(c1), {.rss = 32, .pss = 16.5, .sc = 31, .sd = 0, .pc = 0, .pd = 1, .anon = 1, .file = 31});
  CHECK(lab.frame_of(c1, "F", 5) == lab.frame_of(p1, "F", 5));
  CHECK(lab.frame_of(c1, "F", 0) != lab.frame_of(p1, "F", 0));
  // Writing a shared page-cache page still copies it, as under COW.
  lab.write(c1, "F", pg(5));
  CHECK(lab.e.counters().cow_copies == 2);
  lab.finish();
}

TEST_CASE("copy mode: shared mappings behave as under COW", "[copy_mode]") {
  Lab lab;
  lab.mode(ForkMode::Copy);
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 8);
  lab.write(p1, "S");
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.frames() == 8);
  EXPECT_USAGE(lab.u(c1), {.rss = 0});
  lab.write(c1, "S");
  CHECK(lab.frames() == 8);
  EXPECT_USAGE(lab.u(c1), {.rss = 8, .pss = 4, .sd = 8, .shmem = 8});
  lab.finish();
}
