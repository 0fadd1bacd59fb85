// Memory accounting exactly as /proc/PID/smaps, /proc/PID/status and system-wide
// counters report it (Linux: smaps_account, smaps_page_accumulate, task_mem, vmstat).
//
// Usage is never cached: it is computed from the page tables on request, so it cannot
// drift. Pss is the number of private pages plus, for each mapcount m >= 2, the shared
// pages of mapcount m divided by m (smaps itself adds a truncated 1/m per page and
// truncates to whole kB; we keep the exact value, summed so that it does not depend on the
// order pages are visited in). The zero page counts in ptes and zero_ptes only.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "block_cache.h"
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

// A Usage while it is being summed: the page counts, and the shared pages counted by
// mapcount, so that the sum of parts (one PTE block, one mapping) equals the sum of pages
// in any order, Pss included.
struct UsageTally {
  Usage u;  // u.pss is 0 until usage()
  std::vector<std::pair<uint32_t, uint64_t>> shared;  // (mapcount, pages), by mapcount

  void add_shared(uint32_t mapcount, uint64_t pages);
  void add(const UsageTally& t);
  // u with Pss = private pages + sum, over mapcounts m ascending, of (pages of m) / m.
  Usage usage() const;
};

class Engine;
struct AddressSpace;

// Each PTE block span's tally (block_cache.h): reused by every page table that shares
// the block in one state, and across states while the block and its frames are unchanged.
using BlockTallies = BlockCache<UsageTally>;
// What a reader that builds a UsageTable for each state it shows keeps between them.
struct UsageCache {
  FrameChanges frames;
  BlockTallies tallies;
};

// The Usage of every task and every region of one engine state, and the machine's frame
// counts (Engine::system), from one pass over the
// page tables. After a fork the children's page tables share the parent's PTE blocks
// (PteArray): each shared block's part is tallied once (keyed by the block and the range
// of it a VMA covers) and added for every page table that holds it, so the pass costs the
// distinct blocks, not tasks x PTEs. With a `cache`, blocks and frames unchanged since
// the state the cache saw before are not read again either. Equal to Engine::usage and
// Engine::region_usage (tests/accounting.cpp); it holds no reference to the engine and
// does not follow it.
class UsageTable {
 public:
  explicit UsageTable(const Engine& e, UsageCache* cache = nullptr);
  Usage process(ProcId p) const;  // zero for exited/killed tasks, as Engine::usage
  Usage region(ProcId p, NameId region) const;
  const SystemUsage& system() const { return system_; }  // Engine::system() of the state

 private:
  struct Mm {
    std::vector<NameId> names;        // by mapping
    std::vector<UsageTally> tallies;  // by mapping
    Usage total;                      // the task's Usage (uss and vm_pte included)
  };
  std::vector<MmId> mm_of_;  // by ProcId; kNone when not live
  std::vector<Mm> mms_;      // by MmId; empty when no live task uses it
  SystemUsage system_;
};

struct Vma;
// Pages of VMA v that THPs map by a huge PMD (smaps AnonHugePages; smaps_pmd_entry). A
// PTE-mapped THP and the huge zero page do not count.
uint64_t anon_huge_pages(const PageTable& pt, const Vma& v);

// Pss as text with exactly four decimals, identical on every platform.
void format_pss(double pss, char out[32]);

}  // namespace cow
