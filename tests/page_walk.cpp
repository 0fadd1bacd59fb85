// The x86-64 four-level walk (engine/mm/page_walk.h): PGD, PUD, PMD and PTE indices from
// address bits 47-39, 38-30, 29-21 and 20-12, which tables exist, and the page-table
// pages per level, whose sum is VmPTE (docs/kernel-rules.md "The cost of fork is page
// tables"; Linux: mm_pgtables_bytes, which does not count the PGD). Every index below is
// computed by hand in its comment.
#include "engine_helpers.h"

#include "engine/mm/page_walk.h"

using namespace cowtest;

namespace {
constexpr uint64_t kTiB = uint64_t(1) << 40;
constexpr uint64_t kGiB = uint64_t(1) << 30;
}  // namespace

TEST_CASE("walk indices of hand-computed addresses", "[page_walk]") {
  using Idx = std::array<uint16_t, 4>;
  // 1 TiB = 2^40: 2^40 >> 39 = 2; bits 38-30 of 2^40 are 0 (2^40 >> 30 = 1024 = 2 * 512).
  CHECK(walk_indices(kTiB) == Idx{2, 0, 0, 0});
  // The second region's slot, 1 TiB + 1 GiB: (2^40 + 2^30) >> 30 = 1025, and 1025 % 512 = 1.
  CHECK(walk_indices(kTiB + kGiB) == Idx{2, 1, 0, 0});
  // Page 1000 of the first region: + 4,096,000 bytes = 0x3e8000; 0x3e8000 >> 21 = 1;
  // 0x3e8000 >> 12 = 1000, and 1000 % 512 = 488.
  CHECK(walk_indices(kTiB + 1000 * kPageSize) == Idx{2, 0, 1, 488});
  // 0x8040203000: >> 39 = 1; >> 30 = 0x201 = 513 -> 1; >> 21 = 0x40201 -> 1; >> 12 = 0x8040203 -> 3.
  CHECK(walk_indices(0x8040203000) == Idx{1, 1, 1, 3});
  // The top of the lower half, 0x7ffffffff000: every index is all ones but the PGD's top bit.
  CHECK(walk_indices(0x7ffffffff000) == Idx{255, 511, 511, 511});
  // Bits below 12 do not matter.
  CHECK(walk_indices(kTiB + 0xfff) == walk_indices(kTiB));
}

TEST_CASE("walk: which tables exist follows the PTE tables", "[page_walk]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 1024);  // at 1 TiB: PTE tables for pages 0-511 and 512-1023
  lab.anon(p1, "B", 8);     // at 1 TiB + 1 GiB
  lab.write(p1, "A", pg(600));  // only the second PTE table of A

  Walk w = lab.e.walk(p1, kTiB + 600 * kPageSize);
  CHECK(w.index == std::array<uint16_t, 4>{2, 0, 1, 88});  // 600 * 4096 >> 21 = 1; 600 % 512 = 88
  CHECK(w.table == std::array<bool, 4>{true, true, true, true});
  CHECK(pte::present(w.pte));
  CHECK(pte::frame(w.pte) == 0);

  Walk no_pte = lab.e.walk(p1, kTiB + 10 * kPageSize);  // same PMD table, PTE table 0 never made
  CHECK(no_pte.table == std::array<bool, 4>{true, true, true, false});
  CHECK(no_pte.pte == 0);

  Walk b = lab.e.walk(p1, kTiB + kGiB);  // B: same PUD table (same 512 GiB), no PMD table yet
  CHECK(b.index == std::array<uint16_t, 4>{2, 1, 0, 0});
  CHECK(b.table == std::array<bool, 4>{true, true, false, false});

  Walk far = lab.e.walk(p1, 0x7ffffffff000);  // nothing mapped there: only the PGD
  CHECK(far.table == std::array<bool, 4>{true, false, false, false});

  lab.write(p1, "B", pg(0));
  CHECK(lab.e.walk(p1, kTiB + kGiB).table == std::array<bool, 4>{true, true, true, true});
  lab.exit(p1);
  CHECK(lab.e.walk(p1, kTiB + 600 * kPageSize).table == std::array<bool, 4>{false, false, false, false});
  lab.finish();
}

TEST_CASE("page-table counts per level add up to vm_pte", "[page_walk]") {
  Lab lab;
  lab.e.set_overcommit(Overcommit::Always);  // A is larger than RAM: the heuristic refuses it
  ProcId p1 = lab.spawn("P1");
  MmId mm = lab.e.processes()[p1].mm;
  CHECK(lab.e.page_tables(mm) == PageTableCounts{});
  lab.anon(p1, "A", 262144 + 8);  // 1 GiB and 8 pages: spans two GiB slots
  lab.anon(p1, "B", 8);           // the next free slot: 1 TiB + 2 GiB
  CHECK(lab.e.page_tables(mm) == PageTableCounts{});  // mmap alone allocates no table

  lab.write(p1, "A", pg(0));
  // One PTE table, its PMD table and the PUD table: VmPTE 3 pages, as measured on Linux
  // for one touched region (smaps_accounting).
  CHECK(lab.e.page_tables(mm) == PageTableCounts{.pud = 1, .pmd = 1, .pte = 1});
  CHECK(lab.vm_pte(p1) == 3);

  lab.write(p1, "A", pg(262144 + 1));  // the second GiB of A: a new PMD table, the same PUD
  lab.write(p1, "A", pg(511));          // the first PTE table again: nothing new
  lab.write(p1, "B", pg(0));            // B: a new PMD table
  CHECK(lab.e.page_tables(mm) == PageTableCounts{.pud = 1, .pmd = 3, .pte = 3});
  CHECK(lab.vm_pte(p1) == 1 + 3 + 3);
  CHECK(lab.u(p1).vm_pte == 7);

  lab.munmap(p1, "B");  // B's PTE table and, with it, its PMD table go
  CHECK(lab.e.page_tables(mm) == PageTableCounts{.pud = 1, .pmd = 2, .pte = 2});
  CHECK(lab.vm_pte(p1) == lab.e.page_tables(mm).total());
  lab.finish();
}

TEST_CASE("tables(): every table that exists, level by level, with its entries in use", "[page_walk]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 1024);  // at 1 TiB: PTE tables for pages 0-511 and 512-1023
  lab.anon(p1, "B", 8);     // at 1 TiB + 1 GiB
  lab.write(p1, "A", pg(600, 602));  // pages 600-602: the second PTE table of A only
  lab.write(p1, "B", pg(0));
  const AddressSpace& as = lab.e.address_spaces()[lab.e.processes()[p1].mm];
  std::vector<TableInfo> t = PageTables(as).tables();
  // PGD: one entry (the PUD table of the 512 GiB slot that holds 1 TiB: 1024 / 512 = slot
  // 2, from 1 TiB on); that PUD table: two entries (the GiBs of A and B); A's PMD table:
  // one PTE table; B's PMD table: one.
  REQUIRE(t.size() == 6);
  CHECK(t[0].level == Level::Pgd);
  CHECK(t[0].entries == 1);
  CHECK(t[1].level == Level::Pud);
  CHECK(t[1].address == kTiB);
  CHECK(t[1].entries == 2);
  CHECK(t[2].level == Level::Pmd);
  CHECK(t[2].address == kTiB);
  CHECK(t[2].entries == 1);
  CHECK(t[3].level == Level::Pmd);
  CHECK(t[3].address == kTiB + kGiB);
  CHECK(t[4].level == Level::Pte);
  CHECK(t[4].address == kTiB + 512 * kPageSize);  // the second PTE table of A
  CHECK(t[4].entries == 3);
  CHECK(t[4].region == lab.e.find_name("A"));
  CHECK(t[5].level == Level::Pte);
  CHECK(t[5].address == kTiB + kGiB);
  CHECK(t[5].entries == 1);
  CHECK(std::string(level_name(Level::Pmd)) == "PMD");
  lab.exit(p1);
  CHECK(PageTables(lab.e.address_spaces()[lab.e.processes()[p1].mm]).tables().empty());
}
