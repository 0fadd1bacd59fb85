// Page faults: what happens when a task reads or writes one page (Linux:
// handle_mm_fault -> handle_pte_fault and the cases it dispatches to).
//
//   not present, private anon   do_anonymous_page: read maps the zero page, write zero-fills
//   not present, read, file/shmem  do_read_fault: maps the 16-page fault-around window
//   not present, write, private file  do_cow_fault: copies the page-cache page
//   not present, write, shared  do_shared_fault: maps the shared page, dirties it
//   present, write-protected    do_wp_page: shared -> make writable; private -> reuse or
//                               copy, decided in wp_can_reuse() and nowhere else
//
// Before the PTE level, handle_mm_fault looks at the PMD (transparent huge pages,
// huge_memory.cpp; docs/kernel-rules.md, "Transparent huge pages"):
//   pmd_none, THP-eligible VMA, extent inside it   do_huge_pmd_anonymous_page: read maps
//                               the huge zero page, write allocates a 2 MiB THP
//   huge zero PMD, write        do_huge_zero_wp_pmd: a new THP replaces it
//   THP PMD write-protected     do_huge_pmd_wp_page: reuse the whole PMD (wp_can_reuse),
//                               or split it and go on at the PTE level
// A huge handler that cannot map a PMD returns Fallback, and the PTE level handles the page.
//
// A handler that needs a frame and finds none returns OutOfMemory without changing
// anything; the caller runs the OOM killer and retries from scratch.
#pragma once
#include <cstdint>

#include "events.h"
#include "page_table.h"
#include "types.h"

namespace cow {

class Engine;
class Frames;
struct Counters;
struct AddressSpace;
struct Mapping;
struct Vma;

// Everything a fault handler needs, looked up once.
struct FaultCtx {
  Engine& e;
  Frames& frames;
  Counters& counters;
  AddressSpace& as;
  Mapping& map;
  Vma& vma;
  ProcId actor;
  MmId mm;
  uint32_t page;
  uint32_t tag;             // what a write by this task stores
  HandlerPath huge_prefix;  // set when a huge handler split the PMD and fell back
  uint32_t resume = 0;      // a read mapped a huge PMD: the run goes on from here
};

struct Fault {
  // Accesses by task `actor` to pages [first, end) of mapping `mapping`, all inside VMA
  // `vma` of its address space, in order, each through handle_pte_fault. Precondition: the
  // VMA permits the access (the caller checked prot). Returns how many resolved: fewer
  // than end - first means page first + result found no free frame (run the OOM killer).
  static uint32_t touch_run(Engine& e, ProcId actor, uint32_t mapping, uint32_t vma,
                            uint32_t first, uint32_t end, Access access);

  // The one reuse-or-copy decision, for the write-protected private page `page` of page
  // table pt (Linux: wp_can_reuse_anon_folio, and do_huge_pmd_wp_page for a huge PMD).
  // A 4 KiB folio is reused when it is anonymous, mapped once, and nothing else (page
  // cache, shmem) holds it. A THP mapped by a huge PMD is reused whole when that PMD
  // alone maps it. A page of a PTE-mapped THP is reused when every mapping of the THP is
  // in this page table and more than one page of it is mapped
  // (__wp_can_reuse_large_anon_folio). Everything else is copied.
  // `why` says which case decided (LastMapper, HugeLastMapper or FolioExclusive reuse;
  // AnonShared, FolioShared or FolioLastPage copy). Precondition: the PTE maps a frame.
  struct Reuse {
    bool reuse;
    FaultReason why;
  };
  static Reuse wp_can_reuse(const Frames& frames, const PageTable& pt, uint32_t page);

  // The PMD level, then handle_pte_fault (Linux: __handle_mm_fault).
  static FaultResult handle_mm_fault(FaultCtx& c, Access access);
  static FaultResult do_huge_pmd_anonymous_page(FaultCtx& c, Access access);
  static FaultResult do_huge_zero_wp_pmd(FaultCtx& c);
  static FaultResult do_huge_pmd_wp_page(FaultCtx& c);

  // The cases, named as in Linux's mm/memory.c. handle_pte_fault picks one.
  static FaultResult handle_pte_fault(FaultCtx& c, Access access);
  static FaultResult do_anonymous_page(FaultCtx& c, Access access);
  static FaultResult do_read_fault(FaultCtx& c);
  static FaultResult do_shared_fault(FaultCtx& c);
  static FaultResult do_wp_page(FaultCtx& c, uint32_t pte);
  // wp_page_copy, do_cow_fault; `why` is the reason recorded for a copy of an anonymous
  // frame (the zero page and page-cache pages have reasons of their own).
  static FaultResult copy_page(FaultCtx& c, FrameId from, FaultReason why);

 private:
  static void set_pte(FaultCtx& c, uint32_t page, uint32_t value);
  static void map_cache_page(FaultCtx& c, uint32_t page, FrameId f, Writable w);
  static void record(FaultCtx& c, PageStep s);
  static void record_huge(FaultCtx& c, PageStep s);  // s covers the extent of c.page
  static void count_fault(FaultCtx& c, Access access);
  // Maps a new THP at the extent of c.page, written at c.page (the other pages zeroed).
  static void map_new_thp(FaultCtx& c, FrameId head);
  static FrameId shmem_page(FaultCtx& c, uint32_t page);
};

}  // namespace cow
