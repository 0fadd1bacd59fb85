// File mappings (docs/kernel-rules.md, "File mappings and fault-around" and "What Dirty
// means"): the page cache, fault-around, file-private copies and file-shared writes that
// dirty the page cache for every mapper.
// The worked-example numbers come from the real kernel's measurements (Linux 6.18).
#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("worked example: file mapped private, read, fork, child writes 4, reads page 20", "[file_mappings]") {
  Lab lab;
  FileId f = lab.file("f", 32);
  CHECK(lab.e.system().page_cache == 32);
  CHECK(lab.frames() == 0);  // cached, but mapped by nobody
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Private);
  lab.read(p1, "F");
  CHECK(lab.e.counters().faults_read == 2);  // pages 0 and 16; fault-around maps the rest
  CHECK(lab.e.counters().file_maps == 32);
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.u(c1).ptes == 0);  // a file-private VMA that was only read: no PTEs copied

  lab.write(c1, "F", pg(0, 3));
  // Kernel: frames 36; P1 R32 P32 PC32 An0; C1 R4 P4 PD4 An4.
  CHECK(lab.frames() == 36);
  EXPECT_USAGE(lab.u(p1), {.rss = 32, .pss = 32, .sc = 0, .sd = 0, .pc = 32, .pd = 0, .anon = 0, .file = 32});
  EXPECT_USAGE(lab.u(c1), {.rss = 4, .pss = 4, .sc = 0, .sd = 0, .pc = 0, .pd = 4, .anon = 4, .file = 0});

  lab.read(c1, "F", pg(20));
  // Kernel: frames 36; P1 R32 P24 SC16 PC16; C1 R20 P12 SC16 PD4 An4.
  CHECK(lab.frames() == 36);
  EXPECT_USAGE(lab.u(p1), {.rss = 32, .pss = 24, .sc = 16, .sd = 0, .pc = 16, .pd = 0, .anon = 0});
  EXPECT_USAGE(lab.u(c1), {.rss = 20, .pss = 12, .sc = 16, .sd = 0, .pc = 0, .pd = 4, .anon = 4, .file = 16});
  lab.finish();
}

TEST_CASE("fault-around maps the aligned 16-page window", "[file_mappings]") {
  Lab lab;
  FileId f = lab.file("f", 64);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Private);
  lab.read(p1, "F", pg(21));
  for (uint32_t q = 0; q < 64; ++q) {
    INFO("page " << q);
    CHECK(lab.present(p1, "F", q) == (q >= 16 && q < 32));
  }
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pc = 16, .file = 16});
  CHECK(lab.e.counters().faults == 1);
  CHECK(lab.e.counters().file_maps == 16);
  CHECK(lab.frame_of(p1, "F", 21) == lab.e.files()[f].pages[21]);
  lab.finish();
}

TEST_CASE("fault-around stays inside the VMA", "[file_mappings]") {
  Lab lab;
  FileId f = lab.file("f", 40);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Private);

  SECTION("the start of the window was unmapped") {
    lab.munmap(p1, "F", pg(0, 19));
    // do_fault_around: the window starts at the VMA start (20) and spans 16 pages, 20-35;
    // the real kernel agrees (see kernel_regressions.cpp).
    lab.read(p1, "F", pg(21));
    CHECK(lab.u(p1).rss == 16);
    CHECK_FALSE(lab.present(p1, "F", 19));
    CHECK(lab.present(p1, "F", 20));
    CHECK(lab.present(p1, "F", 35));
    CHECK_FALSE(lab.present(p1, "F", 36));
  }
  SECTION("the window runs past the end of the mapping") {
    lab.read(p1, "F", pg(37));  // window 32-47, file and mapping end at 40
    CHECK(lab.u(p1).rss == 8);
    CHECK(lab.present(p1, "F", 32));
    CHECK(lab.present(p1, "F", 39));
  }
  SECTION("a VMA split by mprotect bounds the window") {
    lab.mprotect(p1, "F", Prot::ReadOnly, pg(24, 39));
    lab.read(p1, "F", pg(21));  // window 16-31, this VMA is 0-23
    CHECK(lab.u(p1).rss == 8);
    CHECK(lab.present(p1, "F", 16));
    CHECK(lab.present(p1, "F", 23));
    CHECK_FALSE(lab.present(p1, "F", 24));
  }
  lab.finish();
}

TEST_CASE("fault-around skips pages already mapped", "[file_mappings]") {
  Lab lab;
  FileId f = lab.file("f", 32);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Private);
  lab.write(p1, "F", pg(5));  // a write maps only its own page: a private anonymous copy
  CHECK(lab.u(p1).rss == 1);
  CHECK(lab.e.counters().file_maps == 0);
  FrameId copy = lab.frame_of(p1, "F", 5);
  lab.read(p1, "F", pg(0));
  CHECK(lab.e.counters().file_maps == 15);
  CHECK(lab.frame_of(p1, "F", 5) == copy);  // the copy stays
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pc = 15, .pd = 1, .anon = 1, .file = 15});
  CHECK(lab.sees(p1, "F", 5) == Lab::pid(p1));
  CHECK(lab.sees(p1, "F", 6) == 0);
  lab.finish();
}

TEST_CASE("a write to a file-private page copies it into anonymous memory", "[file_mappings]") {
  Lab lab;
  FileId f = lab.file("f", 16);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Private);
  lab.read(p1, "F");
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pc = 16, .anon = 0, .file = 16});
  lab.write(p1, "F", pg(3));  // present, read-only page-cache page: copy, never reuse
  CHECK(lab.e.counters().cow_copies == 1);
  CHECK(lab.e.counters().cow_reuses == 0);
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pc = 15, .pd = 1, .anon = 1, .file = 15});
  CHECK(lab.frames() == 16);  // 15 cached pages + 1 copy; page-cache page 3 is unmapped
  CHECK(lab.e.system().page_cache == 16);
  CHECK_FALSE(lab.e.frames()[lab.e.files()[f].pages[3]].dirty);  // the file is unchanged
  lab.finish();
}

TEST_CASE("a write through a shared file mapping maps one page and dirties the cache", "[file_mappings]") {
  Lab lab;
  FileId f = lab.file("f", 32);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Shared);
  lab.write(p1, "F", pg(3));
  CHECK(lab.u(p1).rss == 1);
  CHECK(lab.present(p1, "F", 3));
  CHECK_FALSE(lab.present(p1, "F", 2));
  // Shared and Private count mappings: a MAP_SHARED page mapped once is Private_Dirty.
  EXPECT_USAGE(lab.u(p1), {.rss = 1, .pss = 1, .sc = 0, .sd = 0, .pc = 0, .pd = 1, .anon = 0, .file = 1});
  CHECK(lab.frame_of(p1, "F", 3) == lab.e.files()[f].pages[3]);
  CHECK(lab.e.frames()[lab.e.files()[f].pages[3]].dirty);
  CHECK(lab.e.counters().cow_copies == 0);
  lab.finish();
}

TEST_CASE("a shared-file write after a read makes the read-only PTE writable, no copy", "[file_mappings]") {
  Lab lab;
  FileId f = lab.file("f", 16);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Shared);
  lab.read(p1, "F", pg(0));
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pc = 16, .pd = 0});
  lab.write(p1, "F", pg(0));
  CHECK(lab.e.counters().cow_copies == 0);
  CHECK(lab.frames() == 16);
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pc = 15, .pd = 1});
  lab.finish();
}

TEST_CASE("every mapper of a written page-cache page reports it dirty, private ones too", "[file_mappings]") {
  Lab lab;
  FileId f = lab.file("f", 32);
  ProcId p1 = lab.spawn("P1");
  ProcId p2 = lab.spawn("P2");
  lab.map_file(p1, "FS", f, Share::Shared);
  lab.map_file(p2, "FP", f, Share::Private);
  lab.read(p2, "FP");
  EXPECT_USAGE(lab.u(p2), {.rss = 32, .pc = 32});

  lab.write(p1, "FS", pg(0));
  EXPECT_USAGE(lab.u(p1), {.rss = 1, .pss = 0.5, .sc = 0, .sd = 1, .pc = 0, .pd = 0});
  // P2 never wrote, but the frame itself is dirty.
  EXPECT_USAGE(lab.u(p2), {.rss = 32, .pss = 31.5, .sc = 0, .sd = 1, .pc = 31, .pd = 0});
  CHECK(lab.sees(p2, "FP", 0) == Lab::pid(p1));  // MAP_PRIVATE sees the file's new data

  lab.read(p1, "FS", pg(1));  // window 0-15; page 0 is already mapped
  EXPECT_USAGE(lab.u(p1), {.rss = 16, .pss = 8, .sc = 15, .sd = 1, .pc = 0, .pd = 0});
  EXPECT_USAGE(lab.u(p2), {.rss = 32, .pss = 24, .sc = 15, .sd = 1, .pc = 16, .pd = 0});
  CHECK(lab.frames() == 32);
  lab.finish();
}

TEST_CASE("the page cache outlives every mapper", "[file_mappings]") {
  Lab lab;
  FileId f = lab.file("f", 8);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Shared);
  lab.write(p1, "F", pg(2));
  lab.exit(p1);
  CHECK(lab.e.system().page_cache == 8);
  ProcId p2 = lab.spawn("P2");
  lab.map_file(p2, "F", f, Share::Private);
  CHECK(lab.sees(p2, "F", 2) == Lab::pid(p1));
  EXPECT_USAGE(lab.u(p2), {.rss = 8, .pc = 7, .pd = 1, .anon = 0, .file = 8});
  lab.finish();
}
