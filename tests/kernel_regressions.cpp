// Regressions found by `cowlab validate` on the real kernel (Linux 6.18 on this machine):
// each scenario once disagreed with /proc/PID/smaps, and these numbers are the kernel's.
#include "engine_helpers.h"

using namespace cowtest;

// do_fault_around() starts the window at the later of the aligned 16-page block and the
// VMA start, then spans 16 pages from there: after munmap of pages 0-4 of a 32-page
// file mapping, a read of page 5 maps pages 5-20 (the kernel showed Rss 64 kB).
TEST_CASE("fault_around_window_starts_at_vma_start", "[regression][file_mappings]") {
  Lab lab;
  FileId f = lab.file("f", 32);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "m", f, Share::Private);
  lab.munmap(p1, "m", pg(0, 4));
  lab.read(p1, "m", pg(5));
  EXPECT_USAGE(lab.r(p1, "m"), {.rss = 16, .pc = 16, .ptes = 16});
  CHECK(lab.present(p1, "m", 20));
  CHECK_FALSE(lab.present(p1, "m", 21));
  lab.finish();
}

// zap_present_ptes() moves a dirty PTE's dirt into a non-anonymous frame as the PTE goes:
// shmem frames first faulted by a read stay clean while P1 writes through its PTEs, and
// become dirty when P1 exits, so C1, which only read them, reports them Private_Dirty.
TEST_CASE("zapping_a_dirty_pte_dirties_the_shmem_frame", "[regression][shared_mappings]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "s", 4);
  lab.read(p1, "s");
  lab.write(p1, "s");
  ProcId c1 = lab.fork(p1, "C1");
  lab.read(c1, "s");
  EXPECT_USAGE(lab.r(c1, "s"), {.rss = 4, .sc = 4, .sd = 0});  // C1's PTEs are clean
  EXPECT_USAGE(lab.r(p1, "s"), {.rss = 4, .sd = 4});           // P1's PTEs are dirty
  lab.exit(p1);
  EXPECT_USAGE(lab.r(c1, "s"), {.rss = 4, .pc = 0, .pd = 4});
  lab.finish();
}
