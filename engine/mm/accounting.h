// Memory accounting exactly as /proc/PID/smaps, /proc/PID/status and system-wide
// counters report it (Linux: smaps_account, smaps_page_accumulate, task_mem, vmstat).
//
// Usage is never cached: it is computed from the page tables on request, so it cannot
// drift. Pss is the sum of 1/mapcount over the PTEs in page order (smaps itself truncates
// to whole kB; we keep the exact value). The zero page counts in ptes and zero_ptes only.
#pragma once
#include <cstdint>

#include "frames.h"
#include "page_table.h"

namespace cow {

// How smaps sees one present PTE (Linux: smaps_pte_entry -> smaps_account). The one place
// that decides shared vs private and clean vs dirty, for Usage and for smaps text alike.
struct PageClass {
  const Frame* frame = nullptr;  // nullptr for the zero page: vm_normal_page() skips it
  bool shared = false;           // more than one PTE maps the frame (mapcount >= 2)
  bool dirty = false;            // the PTE or the frame (page cache, shmem) is dirty
};

inline PageClass classify(const Frames& frames, Pte e) {
  FrameId f = pte::frame(e);
  if (f == Frames::kZeroPage) return {};
  const Frame& fr = frames[f];
  return {.frame = &fr, .shared = fr.mapcount >= 2, .dirty = pte::dirty(e) || fr.dirty};
}

// One process or one region, in pages.
struct Usage {
  uint64_t pages = 0;  // pages mapped by VMAs (the region's current size)
  uint64_t rss = 0, uss = 0;
  double pss = 0;
  uint64_t shared_clean = 0, shared_dirty = 0, private_clean = 0, private_dirty = 0;
  uint64_t anon = 0, file = 0, shmem = 0;
  uint64_t ptes = 0, zero_ptes = 0;
  uint64_t anon_huge = 0;  // pages of THPs mapped by a huge PMD (smaps AnonHugePages)
  uint64_t vm_pte = 0;  // page-table pages: PTE + PMD + PUD tables (process only)
};

// Machine-wide event counters (docs/kernel-rules.md, "What the fault counters count").
// `faults` is the sum of every task's Process::min_flt, as Linux counts it per task; the
// rest break faults down by the handler that resolved them, which Linux does not count.
struct Counters {
  uint64_t faults = 0, faults_read = 0, faults_write = 0;  // handled faults, by access
  uint64_t cow_copies = 0;      // a page copied into a new anonymous frame
  uint64_t cow_reuses = 0;      // a write-protected anonymous page made writable in place
  uint64_t zero_fills = 0;      // a frame allocated zeroed (private anonymous or shmem)
  uint64_t zero_page_maps = 0;  // a read fault mapped the zero page
  uint64_t file_maps = 0;       // page-cache or shmem pages mapped by faults
  uint64_t ptes_copied = 0;     // PTEs fork copied into children (not those under huge PMDs)
  // Transparent huge pages (Linux's vmstat: thp_fault_alloc, thp_zero_page_alloc is per
  // boot, thp_split_pmd):
  uint64_t thp_faults = 0;      // a fault allocated a 2 MiB THP (first write, or a write
                                // to the huge zero page)
  uint64_t huge_zero_maps = 0;  // a read fault mapped the huge zero page by a PMD
  uint64_t pmds_copied = 0;     // huge PMDs (THP or huge zero page) fork copied into children
  uint64_t thp_splits = 0;      // huge PMDs split into 512 PTEs
  uint64_t fork_failures = 0, oom_kills = 0, segfaults = 0;
  uint64_t mmap_failures = 0, mprotect_failures = 0;  // commit charge refused (ENOMEM)
};

struct SystemUsage {
  uint64_t frames_total = 0, frames_used = 0, frames_free = 0;
  uint64_t frames_mapped = 0, frames_shared = 0, frames_private = 0;
  uint64_t page_cache = 0;  // frames of file page cache
  uint64_t shmem = 0;       // frames held by shmem objects
  uint64_t anon = 0;        // anonymous frames
  uint64_t committed_as = 0, commit_limit = 0;  // pages (/proc/meminfo; commit.h)
  uint64_t swap_total = 0;  // pages of swap (`swap`): only counted, never used
};

struct Vma;
// Pages of VMA v that THPs map by a huge PMD (smaps AnonHugePages; smaps_pmd_entry). A
// PTE-mapped THP and the huge zero page do not count.
uint64_t anon_huge_pages(const PageTable& pt, const Vma& v);

// Pss as text with exactly four decimals, identical on every platform.
void format_pss(double pss, char out[32]);

}  // namespace cow
