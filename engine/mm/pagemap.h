// One page of a region as Linux's /proc/PID/pagemap and /proc/kpagecount show it (present,
// frame, mapcount), with the PTE's flags, the four-level walk (page_walk.h) and whether a
// write would be a copy-on-write fault. For `cowlab run --pagemap`, its JSON, and the web
// page's inspector.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine.h"

namespace cow {

struct PageEntry {
  uint32_t page = 0;
  Walk walk;                  // walk.address, indices, tables; walk.pte is the PTE
  bool present = false;
  // When present:
  FrameId frame = kNone;      // Frames::kZeroPage for the zero page
  bool zero_page = false;
  bool writable = false, dirty = false;  // the PTE's bits
  bool frame_dirty = false;   // the frame's own dirty flag (smaps: Dirty if either is set)
  FrameKind kind = FrameKind::Free;      // Free for the zero page
  uint32_t mapcount = 0;      // PTEs mapping the frame (0 for the zero page: never counted)
  // A present PTE, not writable, in a private VMA that allows writes: a write faults
  // and copies or reuses. (In a read-only VMA a write is SIGSEGV, not COW.)
  bool cow = false;
  // A huge PMD maps the page's 2 MiB extent (a THP or the huge zero page); pagemap still
  // reports the page's own frame, as /proc/PID/pagemap does.
  bool huge = false;
  // When cow: what the next write decides (Fault::wp_can_reuse): reuse in place, else copy.
  bool write_reuses = false;
  // The VMA holding the page.
  Share share = Share::Private;
  Backing backing = Backing::Anon;
  Prot prot = Prot::ReadWrite;
};

// Every page of `region` that p's address space still maps (its VMAs), in page order;
// empty when p is not live or does not map the region.
std::vector<PageEntry> pagemap(const Engine& e, ProcId p, NameId region);

// One page; nullopt when p is not live or no VMA of it maps region[page].
std::optional<PageEntry> page_entry(const Engine& e, ProcId p, NameId region, uint32_t page);

// "anon", "file" or "shmem": the kind of a frame as the pagemap shows it ("zero" for
// the zero page).
const char* kind_name(const PageEntry& pe);

// "0x10000003000": an address in lower-case hex, as the pagemap and the sentences show it.
std::string hex_address(uint64_t address);

}  // namespace cow
