// madvise (docs/kernel-rules.md, "madvise: dontfork, wipeonfork, dontneed"): dontfork /
// dofork, wipeonfork / keeponfork (with VMA splits) and dontneed on private anonymous,
// file and shmem memory. Expected values are derived from docs/kernel-rules.md, whose
// numbers come from the real kernel (Linux 6.18).
#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("dontfork: the child has no such VMA", "[madvise]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 16);
  lab.write(p1, "A");
  lab.madvise(p1, "A", Advice::DontFork);
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.r(c1, "A").pages == 0);
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pss = 16, .sd = 0, .pd = 16});  // nothing was shared
  CHECK(lab.e.counters().ptes_copied == 0);
  // The parent's PTEs were not write-protected: its writes do not fault.
  uint64_t faults = lab.e.counters().faults;
  lab.write(p1, "A");
  CHECK(lab.e.counters().faults == faults);
  CHECK(lab.try_read(c1, "A", pg(0)).outcome == Outcome::ActorKilled);
  CHECK(lab.state(c1) == ProcState::Killed);
  lab.finish();
}

TEST_CASE("dontfork on part of a VMA splits it, only the rest is inherited", "[madvise]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 64);
  lab.write(p1, "A");
  lab.madvise(p1, "A", Advice::DontFork, pg(0, 15));
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.r(c1, "A").pages == 48);
  EXPECT_USAGE(lab.u(c1), {.rss = 48, .pss = 24, .sd = 48, .pd = 0});
  EXPECT_USAGE(lab.u(p1), {.rss = 64, .pss = 40, .sd = 48, .pd = 16});
  CHECK(lab.try_write(c1, "A", pg(5)).outcome == Outcome::ActorKilled);
  CHECK(lab.e.counters().segfaults == 1);
  lab.finish();
}

TEST_CASE("dofork undoes dontfork, also on part of the range", "[madvise]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 64);
  lab.write(p1, "A");
  lab.madvise(p1, "A", Advice::DontFork);

  SECTION("whole range") {
    lab.madvise(p1, "A", Advice::DoFork);
    ProcId c1 = lab.fork(p1, "C1");
    EXPECT_USAGE(lab.u(c1), {.rss = 64, .pss = 32, .sd = 64});
  }
  SECTION("part of the range") {
    lab.madvise(p1, "A", Advice::DoFork, pg(16, 31));
    ProcId c1 = lab.fork(p1, "C1");
    CHECK(lab.r(c1, "A").pages == 16);
    EXPECT_USAGE(lab.u(c1), {.rss = 16, .pss = 8, .sd = 16});
    EXPECT_USAGE(lab.u(p1), {.rss = 64, .pss = 56, .sd = 16, .pd = 48});
    CHECK(lab.present(c1, "A", 16));
    CHECK_FALSE(lab.present(c1, "A", 15));
  }
  lab.finish();
}

TEST_CASE("wipeonfork: the child gets the VMA empty, and so do grandchildren", "[madvise]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 16);
  lab.write(p1, "A");
  lab.madvise(p1, "A", Advice::WipeOnFork);
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.r(c1, "A").pages == 16);
  EXPECT_USAGE(lab.u(c1), {.rss = 0, .ptes = 0});
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pss = 16, .pd = 16});
  CHECK(lab.sees(c1, "A", 3) == 0);  // zeros, from the zero page
  CHECK(lab.frame_of(c1, "A", 3) == Frames::kZeroPage);

  lab.write(c1, "A");  // zero-fills, never copies from P1
  CHECK(lab.e.counters().cow_copies == 0);
  EXPECT_USAGE(lab.u(c1), {.rss = 16, .pss = 16, .pd = 16});
  ProcId g1 = lab.fork(c1, "G1");  // the flag was inherited
  EXPECT_USAGE(lab.u(g1), {.rss = 0, .ptes = 0});
  CHECK(lab.r(g1, "A").pages == 16);
  CHECK(lab.sees(g1, "A", 0) == 0);
  lab.finish();
}

TEST_CASE("keeponfork undoes wipeonfork, also on part of the range", "[madvise]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 16);
  lab.write(p1, "A");
  lab.madvise(p1, "A", Advice::WipeOnFork);

  SECTION("whole range") {
    lab.madvise(p1, "A", Advice::KeepOnFork);
    ProcId c1 = lab.fork(p1, "C1");
    EXPECT_USAGE(lab.u(c1), {.rss = 16, .pss = 8, .sd = 16});
  }
  SECTION("part of the range") {
    lab.madvise(p1, "A", Advice::KeepOnFork, pg(0, 3));
    ProcId c1 = lab.fork(p1, "C1");
    CHECK(lab.r(c1, "A").pages == 16);
    EXPECT_USAGE(lab.u(c1), {.rss = 4, .pss = 2, .sd = 4});
    CHECK(lab.sees(c1, "A", 2) == Lab::pid(p1));
    CHECK(lab.sees(c1, "A", 4) == 0);
  }
  lab.finish();
}

TEST_CASE("wipeonfork is refused on shared and file mappings", "[madvise]") {
  Lab lab;
  FileId f = lab.file("f", 4);
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 4);
  lab.map_file(p1, "F", f, Share::Private);
  CHECK(lab.checked(lab.e.madvise(p1, lab.name("S"), kAll, Advice::WipeOnFork)).outcome == Outcome::Error);
  CHECK(lab.checked(lab.e.madvise(p1, lab.name("F"), kAll, Advice::WipeOnFork)).outcome == Outcome::Error);
  lab.finish();
}

TEST_CASE("dontneed on private anonymous memory frees it, a read then sees zeros", "[madvise]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A");
  lab.madvise(p1, "A", Advice::DontNeed, pg(0, 3));
  CHECK(lab.e.system().frames_used == 4);
  EXPECT_USAGE(lab.u(p1), {.rss = 4, .pd = 4, .ptes = 4});
  CHECK(lab.r(p1, "A").pages == 8);  // the VMA stays
  CHECK(lab.sees(p1, "A", 0) == 0);
  CHECK(lab.frame_of(p1, "A", 0) == Frames::kZeroPage);
  CHECK(lab.sees(p1, "A", 4) == Lab::pid(p1));
  lab.finish();
}

TEST_CASE("dontneed on a shared COW page drops only the caller's reference", "[madvise]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.madvise(c1, "A", Advice::DontNeed);
  EXPECT_USAGE(lab.u(c1), {.rss = 0, .ptes = 0});
  EXPECT_USAGE(lab.u(p1), {.rss = 8, .pss = 8, .sd = 0, .pd = 8});
  CHECK(lab.sees(c1, "A", 1) == 0);  // the child's data is gone: zeros, not P1's page
  lab.write(p1, "A");
  CHECK(lab.e.counters().cow_reuses == 8);
  CHECK(lab.e.counters().cow_copies == 0);
  lab.finish();
}

TEST_CASE("dontneed on a file-private mapping: a read sees the file again", "[madvise]") {
  Lab lab;
  FileId f = lab.file("f", 16);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Private);
  lab.write(p1, "F", pg(0));
  CHECK(lab.sees(p1, "F", 0) == Lab::pid(p1));
  lab.madvise(p1, "F", Advice::DontNeed);
  CHECK(lab.frames() == 0);
  CHECK(lab.e.system().anon == 0);  // the private copy is gone
  CHECK(lab.sees(p1, "F", 0) == 0);
  CHECK(lab.frame_of(p1, "F", 0) == lab.e.files()[f].pages[0]);
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pc = 16, .anon = 0, .file = 16});
  lab.finish();
}

TEST_CASE("dontneed on a shared file mapping keeps the written data in the cache", "[madvise]") {
  Lab lab;
  FileId f = lab.file("f", 16);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Shared);
  lab.write(p1, "F", pg(4));
  lab.madvise(p1, "F", Advice::DontNeed);
  CHECK(lab.u(p1).rss == 0);
  CHECK(lab.sees(p1, "F", 4) == Lab::pid(p1));
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pc = 15, .pd = 1});  // the page-cache frame is still dirty
  lab.finish();
}

TEST_CASE("dontneed on shmem: the data stays and a re-read maps the same frames", "[madvise]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 8);
  lab.write(p1, "S");
  std::vector<FrameId> before;
  for (uint32_t q = 0; q < 8; ++q) before.push_back(lab.frame_of(p1, "S", q));
  lab.madvise(p1, "S", Advice::DontNeed);
  EXPECT_USAGE(lab.u(p1), {.rss = 0, .ptes = 0});
  CHECK(lab.frames() == 0);
  CHECK(lab.e.system().shmem == 8);
  CHECK(lab.sees(p1, "S", 5) == Lab::pid(p1));
  for (uint32_t q = 0; q < 8; ++q) CHECK(lab.frame_of(p1, "S", q) == before[q]);
  CHECK(lab.e.counters().faults_read == 1);  // the whole 8-page VMA in one fault-around
  EXPECT_USAGE(lab.u(p1), {.rss = 8, .pd = 8, .shmem = 8});  // the frames stay dirty
  lab.finish();
}
