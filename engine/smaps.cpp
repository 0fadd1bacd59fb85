// Per-VMA smaps entries (Linux: show_smap and smaps_account in fs/proc/task_mmu.c).
#include "smaps.h"

#include <algorithm>

namespace cow {

// Adds one present PTE the way smaps_account + smaps_page_accumulate do: "shared" means
// mapcount >= 2, "dirty" means the PTE or the frame is dirty, Pss is an integer division.
static void account_pte(const Frames& frames, Pte e, SmapsEntry& s) {
  FrameId f = pte::frame(e);
  if (f == Frames::kZeroPage) return;  // vm_normal_page() is NULL for the zero page
  const Frame& fr = frames[f];
  ++s.rss;
  ++s.referenced;
  if (fr.kind == FrameKind::Anon) ++s.anonymous;
  uint64_t pss = kPageSize << kPssShift;
  bool shared = fr.mapcount >= 2;
  if (shared) pss /= fr.mapcount;
  s.pss += pss;
  if (fr.kind == FrameKind::Anon) s.pss_anon += pss;
  else if (fr.kind == FrameKind::Shmem) s.pss_shmem += pss;
  else s.pss_file += pss;
  if (pte::dirty(e) || fr.dirty) {
    s.pss_dirty += pss;
    ++(shared ? s.shared_dirty : s.private_dirty);
  } else {
    ++(shared ? s.shared_clean : s.private_clean);
  }
}

std::vector<SmapsEntry> smaps_entries(const Engine& e, ProcId p) {
  std::vector<SmapsEntry> out;
  if (p >= e.processes().size() || !e.processes()[p].live()) return out;
  const AddressSpace& as = e.address_spaces()[e.processes()[p].mm];
  for (uint32_t i = 0; i < as.vmas.size(); ++i) {
    const Vma& v = as.vmas[i];
    const Mapping& m = as.mappings[v.mapping];
    SmapsEntry s;
    s.mapping = v.mapping;
    s.vma = i;
    uint64_t base = m.base_gib << 30;
    s.start = base + uint64_t(v.first) * kPageSize;
    s.end = base + uint64_t(v.end) * kPageSize;
    bool has_object = m.backing == Backing::File || m.share == Share::Shared;
    s.pgoff = has_object ? uint64_t(v.first) * kPageSize : 0;
    s.size = v.end - v.first;
    uint32_t end = std::min<uint32_t>(v.end, uint32_t(m.pt.ptes.size()));
    for (uint32_t q = v.first; q < end; ++q)
      if (pte::present(m.pt.ptes[q])) account_pte(e.frames(), m.pt.ptes[q], s);
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const SmapsEntry& a, const SmapsEntry& b) { return a.start < b.start; });
  return out;
}

SmapsEntry smaps_rollup(const std::vector<SmapsEntry>& entries) {
  SmapsEntry r;
  if (entries.empty()) return r;
  r.start = entries.front().start;
  r.end = entries.back().end;
  for (const SmapsEntry& s : entries) {
    r.size += s.size;
    r.rss += s.rss;
    r.referenced += s.referenced;
    r.anonymous += s.anonymous;
    r.shared_clean += s.shared_clean;
    r.shared_dirty += s.shared_dirty;
    r.private_clean += s.private_clean;
    r.private_dirty += s.private_dirty;
    r.pss += s.pss;
    r.pss_dirty += s.pss_dirty;
    r.pss_anon += s.pss_anon;
    r.pss_file += s.pss_file;
    r.pss_shmem += s.pss_shmem;
  }
  return r;
}

}  // namespace cow
