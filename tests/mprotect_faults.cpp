// mprotect back to writable and the fault counters (docs/kernel-rules.md, "mprotect back
// to writable", "What the fault counters count"): mprotect(PROT_READ|PROT_WRITE) makes
// anon-exclusive private PTEs, shmem PTEs and dirty shared file PTEs writable at once, so
// a write after a readonly -> readwrite round trip faults only where Linux's would.
//
// Every fault count below was measured on Linux 6.18 (x86-64, 4 KiB pages, transparent
// huge pages off for the region, one CPU) with getrusage(RUSAGE_SELF) around each step
// of the same scenario, as ru_minflt differences; the region sits at the engine's
// address (1 TiB), so fault-around windows line up.
#include "engine_helpers.h"

using namespace cowtest;

namespace {
void round_trip(Lab& lab, ProcId p, std::string_view region) {
  lab.mprotect(p, region, Prot::ReadOnly);
  lab.mprotect(p, region, Prot::ReadWrite);
}
}  // namespace

TEST_CASE("a write after mprotect readonly -> readwrite takes no second round of faults", "[mprotect_faults]") {
  // The user's script: spawn P1 / mmap heap 8 / write / readonly / readwrite / write.
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "heap", 8);
  lab.write(p1, "heap");
  CHECK(lab.e.counters().faults == 8);  // Linux 6.18: 8 faults (zero-fills)
  lab.mprotect(p1, "heap", Prot::ReadOnly);
  CHECK_FALSE(pte::writable(lab.pte_of(p1, "heap", 0)));
  CHECK(pte::anon_exclusive(lab.pte_of(p1, "heap", 0)));  // readonly keeps the mark
  lab.mprotect(p1, "heap", Prot::ReadWrite);
  CHECK(pte::writable(lab.pte_of(p1, "heap", 0)));        // writable again at once
  lab.write(p1, "heap");
  // Linux 6.18: 0 faults for the second write (also with 64 pages); engine before: 16.
  CHECK(lab.e.counters().faults == 8);
  CHECK(lab.e.counters().faults_write == 8);
  CHECK(lab.e.counters().cow_reuses == 0);
  CHECK(lab.e.counters().zero_fills == 8);
  CHECK(lab.e.min_flt(p1) == 8);
  EXPECT_USAGE(lab.u(p1), {.rss = 8, .pss = 8, .pd = 8, .anon = 8});
  lab.finish();
}

TEST_CASE("after a fork whose child exited, one fault per page reuses, then none", "[mprotect_faults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "heap", 64);
  lab.write(p1, "heap");
  ProcId c1 = lab.fork(p1, "C1");
  CHECK_FALSE(pte::anon_exclusive(lab.pte_of(p1, "heap", 0)));  // fork clears it on both sides
  CHECK_FALSE(pte::anon_exclusive(lab.pte_of(c1, "heap", 0)));
  lab.exit(c1);
  CHECK_FALSE(pte::anon_exclusive(lab.pte_of(p1, "heap", 0)));  // the partner's exit does not set it
  uint64_t before = lab.e.min_flt(p1);
  CHECK(before == 64);

  // Round trip one: write; readonly; readwrite; write. Linux 6.18: 64 faults, all in the
  // first write (each a reuse, which marks the page exclusive), 0 in the second.
  lab.write(p1, "heap");
  CHECK(lab.e.min_flt(p1) - before == 64);
  CHECK(lab.e.counters().cow_reuses == 64);
  round_trip(lab, p1, "heap");
  lab.write(p1, "heap");
  CHECK(lab.e.min_flt(p1) - before == 64);

  // Round trip two. Linux 6.18: 0 faults.
  round_trip(lab, p1, "heap");
  lab.write(p1, "heap");
  CHECK(lab.e.min_flt(p1) - before == 64);
  CHECK(lab.e.counters().cow_reuses == 64);
  CHECK(lab.e.counters().cow_copies == 0);
  lab.finish();
}

TEST_CASE("after a fork whose child exited, a round trip alone leaves the PTEs write-protected", "[mprotect_faults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "heap", 64);
  lab.write(p1, "heap");
  lab.exit(lab.fork(p1, "C1"));
  round_trip(lab, p1, "heap");
  CHECK_FALSE(pte::writable(lab.pte_of(p1, "heap", 0)));
  lab.write(p1, "heap");  // Linux 6.18: 64 faults (reuses)
  CHECK(lab.e.min_flt(p1) == 64 + 64);
  CHECK(lab.e.counters().cow_reuses == 64);
  round_trip(lab, p1, "heap");
  lab.write(p1, "heap");  // Linux 6.18: 0 faults
  CHECK(lab.e.min_flt(p1) == 128);
  lab.finish();
}

TEST_CASE("while the child lives, the parent's writes copy; the copies are exclusive", "[mprotect_faults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "heap", 64);
  lab.write(p1, "heap");
  ProcId c1 = lab.fork(p1, "C1");
  round_trip(lab, p1, "heap");
  lab.write(p1, "heap");  // Linux 6.18: 64 faults, each a copy
  CHECK(lab.e.min_flt(p1) == 128);
  CHECK(lab.e.counters().cow_copies == 64);
  round_trip(lab, p1, "heap");
  lab.write(p1, "heap");  // Linux 6.18: 0 faults
  CHECK(lab.e.min_flt(p1) == 128);
  CHECK(lab.e.min_flt(c1) == 0);
  EXPECT_USAGE(lab.u(c1), {.rss = 64, .pd = 64});
  lab.finish();
}

TEST_CASE("zero-page PTEs are not exclusive: a write after the round trip still faults", "[mprotect_faults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "heap", 64);
  lab.read(p1, "heap");  // Linux 6.18: 64 faults, zero page
  round_trip(lab, p1, "heap");
  lab.write(p1, "heap");  // Linux 6.18: 64 faults, zero-fills
  CHECK(lab.e.min_flt(p1) == 128);
  CHECK(lab.e.counters().zero_page_maps == 64);
  CHECK(lab.e.counters().zero_fills == 64);
  lab.finish();
}

TEST_CASE("shmem read, round trip, write: no fault after the reads", "[mprotect_faults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "sh", 16);
  lab.read(p1, "sh");  // Linux 6.18: 16 faults (fault-around finds nothing else cached)
  CHECK(lab.e.min_flt(p1) == 16);
  lab.mprotect(p1, "sh", Prot::ReadOnly);
  CHECK_FALSE(pte::writable(lab.pte_of(p1, "sh", 3)));
  lab.mprotect(p1, "sh", Prot::ReadWrite);
  CHECK(pte::writable(lab.pte_of(p1, "sh", 3)));  // clean, and writable all the same
  CHECK_FALSE(pte::dirty(lab.pte_of(p1, "sh", 3)));
  lab.write(p1, "sh");  // Linux 6.18: 0 faults
  CHECK(lab.e.min_flt(p1) == 16);
  CHECK(lab.e.counters().faults_write == 0);
  lab.finish();
}

TEST_CASE("shared file mapping: after the round trip dirty PTEs are writable, clean ones fault", "[mprotect_faults]") {
  Lab lab;
  FileId f = lab.file("data", 32);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "m", f, Share::Shared);
  lab.write(p1, "m", pg(0, 7));  // Linux 6.18: 8 faults
  lab.read(p1, "m", pg(8, 31));  // Linux 6.18: 2 faults (windows 0-15 and 16-31)
  CHECK(lab.e.min_flt(p1) == 10);
  round_trip(lab, p1, "m");
  CHECK(pte::writable(lab.pte_of(p1, "m", 0)));       // dirty: the FS was told already
  CHECK_FALSE(pte::writable(lab.pte_of(p1, "m", 8)));  // clean: writenotify needs a fault
  lab.write(p1, "m", pg(0, 7));  // Linux 6.18: 0 faults
  CHECK(lab.e.min_flt(p1) == 10);
  lab.write(p1, "m", pg(8, 31));  // Linux 6.18: 24 faults
  CHECK(lab.e.min_flt(p1) == 34);
  CHECK(lab.e.counters().cow_copies == 0);
  lab.finish();
}

TEST_CASE("private file mapping: COW copies are writable at once after the round trip", "[mprotect_faults]") {
  Lab lab;
  FileId f = lab.file("data", 32);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "m", f, Share::Private);
  lab.write(p1, "m", pg(0, 3));  // Linux 6.18: 4 faults (do_cow_fault)
  lab.read(p1, "m", pg(4, 31));  // Linux 6.18: 2 faults
  CHECK(lab.e.min_flt(p1) == 6);
  round_trip(lab, p1, "m");
  CHECK(pte::writable(lab.pte_of(p1, "m", 0)));       // an anonymous copy, exclusive
  CHECK_FALSE(pte::writable(lab.pte_of(p1, "m", 4)));  // still the page-cache page
  lab.write(p1, "m", pg(0, 3));  // Linux 6.18: 0 faults
  CHECK(lab.e.min_flt(p1) == 6);
  lab.write(p1, "m", pg(4, 7));  // Linux 6.18: 4 faults, each a copy
  CHECK(lab.e.min_flt(p1) == 10);
  CHECK(lab.e.counters().cow_copies == 8);
  EXPECT_USAGE(lab.r(p1, "m"), {.rss = 32, .pc = 24, .pd = 8, .anon = 8});
  lab.finish();
}

TEST_CASE("mprotect of part of a region changes only that part's PTEs", "[mprotect_faults]") {
  // Derived from the rule: each VMA of the range is changed, the rest is left alone.
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "heap", 8);
  lab.write(p1, "heap");
  lab.mprotect(p1, "heap", Prot::ReadOnly);
  lab.mprotect(p1, "heap", Prot::ReadWrite, pg(0, 3));
  CHECK(pte::writable(lab.pte_of(p1, "heap", 3)));
  CHECK_FALSE(pte::writable(lab.pte_of(p1, "heap", 4)));
  CHECK(lab.try_write(p1, "heap", pg(4)).outcome == Outcome::ActorKilled);  // still read-only
  lab.finish();
}

TEST_CASE("faults count per task and add up over a process's threads", "[mprotect_faults]") {
  // min_flt is per task; getrusage(RUSAGE_SELF) and /proc/PID/stat add up every thread
  // of the process, ended ones included, and keep counting across exec.
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "heap", 16);
  ProcId t1 = lab.thread(p1, "T1");
  lab.write(p1, "heap", pg(0, 3));
  lab.write(t1, "heap", pg(4, 9));
  CHECK(lab.e.processes()[p1].min_flt == 4);
  CHECK(lab.e.processes()[t1].min_flt == 6);
  CHECK(lab.e.min_flt(p1) == 10);
  CHECK(lab.e.min_flt(t1) == 10);
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.e.min_flt(c1) == 0);  // a child starts from zero
  lab.exit(t1);
  CHECK(lab.e.min_flt(p1) == 10);
  lab.exec(p1);
  CHECK(lab.e.min_flt(p1) == 10);
  CHECK(lab.e.counters().faults == 10);
  lab.finish();
}
