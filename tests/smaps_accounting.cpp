// smaps accounting (docs/kernel-rules.md: "Shared and Private count mappings, not the
// mapping type", "What Dirty means", "The cost of fork is page tables"): Shared vs
// Private counts mappings (mapcount), Dirty means the PTE or the frame is dirty, Pss sums
// 1/mapcount, and VmPTE counts PTE, PMD and PUD tables the way x86-64 4-level paging
// needs them. Expected values are derived from docs/kernel-rules.md, whose numbers come
// from the real kernel (Linux 6.18).
#include <cstring>

#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("a MAP_SHARED page mapped once is Private_Dirty", "[smaps_accounting]") {
  Lab lab;
  FileId f = lab.file("f", 16);
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 4);
  lab.map_file(p1, "F", f, Share::Shared);
  lab.write(p1, "S");
  lab.write(p1, "F", pg(0, 1));
  EXPECT_USAGE(lab.r(p1, "S"), {.rss = 4, .pss = 4, .sc = 0, .sd = 0, .pc = 0, .pd = 4, .anon = 0, .shmem = 4});
  EXPECT_USAGE(lab.r(p1, "F"), {.rss = 2, .pss = 2, .sc = 0, .sd = 0, .pc = 0, .pd = 2, .anon = 0, .file = 2});
  CHECK(lab.u(p1).uss == 6);
  lab.finish();
}

TEST_CASE("one process mapping a file twice counts twice", "[smaps_accounting]") {
  Lab lab;
  FileId f = lab.file("f", 16);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "X", f, Share::Private);
  lab.map_file(p1, "Y", f, Share::Shared);
  lab.read(p1, "X", pg(0));
  lab.read(p1, "Y", pg(0));
  CHECK(lab.frames() == 16);
  CHECK(lab.e.system().frames_shared == 16);
  EXPECT_USAGE(lab.u(p1), {.rss = 32, .pss = 16, .sc = 32, .sd = 0, .pc = 0, .pd = 0, .file = 32});
  EXPECT_USAGE(lab.r(p1, "X"), {.rss = 16, .pss = 8, .sc = 16});
  CHECK(lab.u(p1).uss == 0);
  lab.finish();
}

TEST_CASE("threads share one page table and count once", "[smaps_accounting]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.thread(p1, "T1");
  lab.thread(p1, "T2");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A");
  EXPECT_USAGE(lab.u(p1), {.rss = 8, .pss = 8, .sd = 0, .pd = 8});
  CHECK(lab.e.system().frames_private == 8);
  CHECK(lab.e.system().frames_shared == 0);
  lab.finish();
}

TEST_CASE("fork keeps the dirty bit, a never-written page stays clean", "[smaps_accounting]") {
  Lab lab;
  FileId f = lab.file("f", 16);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.map_file(p1, "F", f, Share::Private);
  lab.write(p1, "A");
  lab.read(p1, "F");
  lab.write(p1, "F", pg(0));  // gives F anonymous pages, so fork copies its PTEs
  ProcId c1 = lab.fork(p1, "C1");
  EXPECT_USAGE(lab.r(c1, "A"), {.rss = 4, .sc = 0, .sd = 4});
  EXPECT_USAGE(lab.r(c1, "F"), {.rss = 16, .pss = 8, .sc = 15, .sd = 1, .pc = 0, .pd = 0, .anon = 1, .file = 15});
  lab.finish();
}

TEST_CASE("a dirty frame is Dirty for a mapper whose PTE is clean", "[smaps_accounting]") {
  Lab lab;
  FileId f = lab.file("f", 16);
  ProcId p1 = lab.spawn("P1");
  ProcId p2 = lab.spawn("P2");
  lab.map_file(p1, "F", f, Share::Shared);
  lab.map_file(p2, "F", f, Share::Shared, Prot::ReadOnly);
  lab.read(p2, "F");
  lab.write(p1, "F", pg(3));
  EXPECT_USAGE(lab.u(p2), {.rss = 16, .pss = 15.5, .sc = 0, .sd = 1, .pc = 15, .pd = 0});
  lab.finish();
}

TEST_CASE("Pss is the exact sum of 1/mapcount, printed with four decimals", "[smaps_accounting]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 64);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.fork(p1, "C2");
  EXPECT_USAGE(lab.u(c1), {.rss = 64, .pss = 64.0 / 3, .sd = 64});
  char text[32];
  format_pss(lab.u(c1).pss, text);
  CHECK(std::strcmp(text, "21.3333") == 0);  // smaps itself would truncate to 21.25
  format_pss(32.5, text);
  CHECK(std::strcmp(text, "32.5000") == 0);
  CHECK(lab.e.system().frames_shared == 64);
  lab.finish();
}

TEST_CASE("region usage splits a process's usage by region name", "[smaps_accounting]") {
  Lab lab;
  FileId f = lab.file("f", 16);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.shmem(p1, "S", 8);
  lab.map_file(p1, "F", f, Share::Private);
  lab.write(p1, "A", pg(0, 2));
  lab.read(p1, "A", pg(3, 7));
  lab.read(p1, "S", pg(0));
  lab.read(p1, "F", pg(0));
  EXPECT_USAGE(lab.u(p1), {.rss = 20, .pss = 20, .pc = 17, .pd = 3, .anon = 3, .file = 16, .shmem = 1,
                     .ptes = 25, .zero = 5});
  EXPECT_USAGE(lab.r(p1, "A"), {.rss = 3, .anon = 3, .ptes = 8, .zero = 5});
  EXPECT_USAGE(lab.r(p1, "S"), {.rss = 1, .pc = 1, .shmem = 1});
  EXPECT_USAGE(lab.r(p1, "F"), {.rss = 16, .pc = 16, .file = 16});
  CHECK(lab.r(p1, "A").pages == 8);
  CHECK(lab.u(p1).pages == 32);
  lab.finish();
}

TEST_CASE("vm_pte: 1 GiB of written anonymous memory is 512 PTE tables + 1 PMD + 1 PUD", "[smaps_accounting]") {
  Lab lab(kPagesPerGiB + 1024);
  ProcId p1 = lab.spawn("P1");
  CHECK(lab.vm_pte(p1) == 0);
  lab.anon(p1, "A", kPagesPerGiB);
  CHECK(lab.vm_pte(p1) == 0);  // mmap alone allocates no page table
  lab.write(p1, "A", pg(0));
  CHECK(lab.vm_pte(p1) == 3);
  lab.write(p1, "A");
  CHECK(lab.vm_pte(p1) == 512 + 1 + 1);
  CHECK(lab.u(p1).vm_pte == 514);
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.vm_pte(c1) == 514);
  CHECK(lab.e.counters().ptes_copied == kPagesPerGiB);
  // The cost of fork is page tables: the child's PTEs cost 8 bytes each, 2 MiB per GiB.
  CHECK(uint64_t(lab.vm_pte(c1) - 2) * kPageSize == 2u * 1024 * 1024);
  lab.finish();
}

TEST_CASE("vm_pte: the child gets page tables only for the VMAs fork copies", "[smaps_accounting]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 1024);  // 2 PTE tables when fully written
  lab.shmem(p1, "S", 4);
  lab.write(p1, "A");
  lab.write(p1, "S");
  CHECK(lab.vm_pte(p1) == 2 + 1 + 1 + 2);  // A: 2 PTE + 1 PMD, S: 1 PTE + 1 PMD, 1 PUD
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.vm_pte(c1) == 2 + 1 + 1);  // S is inherited without PTEs
  lab.read(c1, "S");
  CHECK(lab.vm_pte(c1) == 6);
  lab.finish();
}
