// A mapping and its VMAs (Linux: struct vm_area_struct, plus the file/shmem/anon_vma
// it points to).
//
// A Mapping is what one `mmap` created: a name, a 1 GiB-aligned base, a size, what backs
// it, and its page table. VMAs are page ranges of a mapping that are still mapped, each
// with its own protection and madvise flags; munmap, madvise and mprotect split them.
// Page indices always count from the start of the original mapping.
// Simplified: `has_anon` stands for the VMA's anon_vma pointer, which decides whether fork
// copies the PTEs (docs/kernel-rules.md, "fork skips VMAs a fault can fill again").
#pragma once
#include <cstdint>

#include "page_table.h"
#include "types.h"

namespace cow {

struct Mapping {
  NameId name = kNone;
  uint64_t base_gib = 0;   // virtual address = base_gib GiB + page * 4 KiB
  uint32_t pages = 0;      // size of the original mapping
  Backing backing = Backing::Anon;
  Share share = Share::Private;
  uint32_t object = kNone; // FileId for file mappings, ShmemId for anonymous shared ones
  PageTable pt;

  // The virtual address of `page` (the mapping may hold fewer pages).
  uint64_t address(uint32_t page) const { return (base_gib << 30) + uint64_t(page) * kPageSize; }
};

struct Vma {
  uint32_t mapping = 0;    // index into Mm::mappings
  uint32_t first = 0;      // first page, inclusive
  uint32_t end = 0;        // last page + 1
  Prot prot = Prot::ReadWrite;
  bool dontfork = false;   // VM_DONTCOPY
  bool wipeonfork = false; // VM_WIPEONFORK
  bool has_anon = false;   // anon_vma != NULL: a private page was written, or a huge
                           // zero page read in (vma_needs_copy)
  bool hugepage = false;   // VM_HUGEPAGE (MADV_HUGEPAGE)
  bool nohugepage = false; // VM_NOHUGEPAGE (MADV_NOHUGEPAGE)
  bool account = false;    // VM_ACCOUNT: its pages are in the mm's commit charge (commit.h)
  bool noreserve = false;  // VM_NORESERVE: MAP_NORESERVE outside mode never; mprotect
                           // to writable does not charge it either

  bool contains(uint32_t page) const { return page >= first && page < end; }
  bool same_flags(const Vma& o) const {
    return mapping == o.mapping && prot == o.prot && dontfork == o.dontfork &&
           wipeonfork == o.wipeonfork && has_anon == o.has_anon && hugepage == o.hugepage &&
           nohugepage == o.nohugepage && account == o.account && noreserve == o.noreserve;
  }
};

}  // namespace cow
