// An address space (Linux: struct mm_struct): its mappings, VMAs and page tables.
//
// Shared by threads and by a vfork child until it execs. `users` counts the live tasks
// that use it (mm_users); when it reaches 0 every mapping is torn down.
// Simplified: no stack, heap or libraries; only the script's own regions exist.
#pragma once
#include <cstdint>
#include <vector>

#include "types.h"
#include "vma.h"

namespace cow {

struct AddressSpace {
  std::vector<Mapping> mappings;   // in mmap order; kept after munmap (for SIGSEGV)
  std::vector<Vma> vmas;           // sorted by (mapping, first); never overlapping
  uint64_t next_gib = kFirstMappingGiB;
  uint32_t users = 0;
  bool alive = true;
  uint32_t present = 0;            // cached: present PTEs, zero page included
  uint64_t committed = 0;          // cached: pages of accountable VMAs (commit.h)

  // Index of the live VMA of `mapping` that holds `page`, or kNone.
  uint32_t find_vma(uint32_t mapping, uint32_t page) const;
  // Index of the newest mapping called `name`, or kNone.
  uint32_t find_mapping(NameId name) const;
  // True when some VMA still maps part of `mapping`.
  bool maps_any(uint32_t mapping) const;
  // The first still-mapped mapping of each region name, in mmap order: the regions a
  // report lists, each once (a name mapped again after munmap has several mappings).
  std::vector<uint32_t> region_mappings() const;
  // Splits VMAs so that `page` starts a VMA, when a VMA spans it.
  void split_at(uint32_t mapping, uint32_t page);
  // Joins neighbouring VMAs of one mapping whose flags are equal (Linux: vma_merge).
  void merge_adjacent();
};

}  // namespace cow
