// smaps-style accounting, computed from the page tables (Linux: smaps_pte_entry ->
// smaps_account -> smaps_page_accumulate; task_mem for VmPTE, from page_walk.h).
#include "accounting.h"

#include <cmath>
#include <cstdio>

#include "engine.h"

namespace cow {

void format_pss(double pss, char out[32]) {
  long long v = std::llround(pss * 10000.0);
  std::snprintf(out, 32, "%lld.%04lld", v / 10000, v % 10000);
}

// Adds one present PTE to `u` exactly as smaps_account does: "shared" means mapcount >= 2,
// "dirty" means the PTE is dirty or the frame itself is.
static void account_pte(const Frames& frames, Pte e, Usage& u) {
  ++u.ptes;
  PageClass c = classify(frames, e);
  if (!c.frame) {
    ++u.zero_ptes;
    return;
  }
  const Frame& fr = *c.frame;
  ++u.rss;
  if (c.shared) {
    u.pss += 1.0 / fr.mapcount;
    ++(c.dirty ? u.shared_dirty : u.shared_clean);
  } else {
    u.pss += 1.0;
    ++(c.dirty ? u.private_dirty : u.private_clean);
  }
  if (fr.kind == FrameKind::Anon) ++u.anon;
  if (fr.kind == FrameKind::PageCache) ++u.file;
  if (fr.kind == FrameKind::Shmem) ++u.shmem;
}

uint64_t anon_huge_pages(const PageTable& pt, const Vma& v) {
  uint64_t n = 0;
  for (uint32_t first = v.first & ~(kHugePages - 1); first < v.end; first += kHugePages)
    n += pt.pmd(first) == PmdState::Huge ? kHugePages : 0;  // a huge PMD lies inside one VMA
  return n;
}

static void account_mapping(const Frames& frames, const AddressSpace& as, uint32_t m, Usage& u) {
  const PageTable& pt = as.mappings[m].pt;
  for (const Vma& v : as.vmas) {
    if (v.mapping != m) continue;
    u.pages += v.end - v.first;
    pt.ptes.for_each_present(v.first, v.end, [&](uint32_t, Pte x) { account_pte(frames, x, u); });
    u.anon_huge += anon_huge_pages(pt, v);
  }
}

Usage Engine::usage(ProcId p) const {
  settle();
  Usage u;
  if (p >= procs_.size() || !procs_[p].live()) return u;
  const AddressSpace& as = mms_[procs_[p].mm];
  for (uint32_t m = 0; m < as.mappings.size(); ++m) account_mapping(frames_, as, m, u);
  u.uss = u.private_clean + u.private_dirty;
  u.vm_pte = vm_pte(procs_[p].mm);
  return u;
}

Usage Engine::region_usage(ProcId p, NameId region) const {
  settle();
  Usage u;
  if (p >= procs_.size() || !procs_[p].live()) return u;
  const AddressSpace& as = mms_[procs_[p].mm];
  for (uint32_t m = 0; m < as.mappings.size(); ++m)
    if (as.mappings[m].name == region) account_mapping(frames_, as, m, u);
  u.uss = u.private_clean + u.private_dirty;
  return u;
}

PageTableCounts Engine::page_tables(MmId mm) const { return PageTables(mms_[mm]).counts(); }

Walk Engine::walk(ProcId p, uint64_t address) const {
  if (p >= procs_.size()) return Walk{.address = address, .index = walk_indices(address)};
  return PageTables(mms_[procs_[p].mm]).walk(address);
}

SystemUsage Engine::system() const {
  settle();
  SystemUsage s;
  s.frames_total = frames_.total();
  s.frames_used = frames_.used();
  s.frames_free = frames_.free_count();
  for (FrameId f = 0; f < frames_.table_size(); ++f) {  // the rest were never allocated
    const Frame& fr = frames_[f];
    s.frames_mapped += fr.mapcount >= 1;
    s.frames_shared += fr.mapcount >= 2;
    s.frames_private += fr.mapcount == 1;
    s.page_cache += fr.kind == FrameKind::PageCache;
    s.shmem += fr.kind == FrameKind::Shmem;
    s.anon += fr.kind == FrameKind::Anon;
  }
  s.committed_as = committed_as_;
  s.commit_limit = commit_limit();
  s.swap_total = config_.modes.swap_pages;
  return s;
}

}  // namespace cow
