// Transparent huge pages: which VMAs and which 2 MiB extents of them may be mapped by one
// huge PMD (Linux: thp_vma_allowable_order, thp_vma_suitable_order, vma_thp_disabled).
//
// Simplified: only PMD-sized (2 MiB) anonymous THPs; no mTHP sizes, no khugepaged
// collapse, no shmem or file THPs, no deferred split (docs/fidelity.md). The huge zero
// page is always enabled (use_zero_page = 1, the default).
#pragma once
#include <cstdint>

#include "types.h"
#include "vma.h"

namespace cow {

// Whether the THP policy allows huge pages in VMA v of mapping m at all: private anonymous
// memory only; `never` allows none, `madvise` only VM_HUGEPAGE VMAs, `always` every VMA
// without VM_NOHUGEPAGE (Linux: __thp_vma_allowable_orders, vma_thp_disabled).
inline bool vma_thp_allowed(ThpMode mode, const Mapping& m, const Vma& v) {
  if (m.backing != Backing::Anon || m.share != Share::Private) return false;
  if (v.nohugepage || mode == ThpMode::Never) return false;
  return mode == ThpMode::Always || v.hugepage;
}

// The first page of the 2 MiB extent that holds `page` (mappings start 1 GiB-aligned, so
// page indices aligned to 512 are 2 MiB-aligned addresses).
inline uint32_t huge_extent(uint32_t page) { return page & ~(kHugePages - 1); }

// Whether the aligned extent holding `page` lies wholly inside v (Linux:
// thp_vma_suitable_order for the PMD order).
inline bool thp_extent_suitable(const Vma& v, uint32_t page) {
  uint32_t first = huge_extent(page);
  return first >= v.first && uint64_t(first) + kHugePages <= v.end;
}

// "THPeligible" of /proc/PID/smaps: the policy allows THPs in v and v holds at least one
// whole aligned extent (Linux checks the last one that would end at vm_end).
inline bool vma_thp_eligible(ThpMode mode, const Mapping& m, const Vma& v) {
  return vma_thp_allowed(mode, m, v) && v.end >= kHugePages && thp_extent_suitable(v, v.end - kHugePages);
}

}  // namespace cow
