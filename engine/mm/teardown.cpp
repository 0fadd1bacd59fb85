// Taking memory away: munmap, MADV_DONTNEED, exit and exec (Linux: zap_page_range,
// free_pgtables, exit_mmap). A frame whose last reference goes returns to the free pool.
#include <algorithm>
#include <cassert>
#include <utility>

#include "engine.h"

namespace cow {

void Engine::free_frame(FrameId f) {
  frames_.free(f);
  emit_detail({.kind = EventKind::FramesFreed, .frame = f, .count = 1});
}

bool Engine::ensure_table(PageTable& pt, uint32_t pages, uint32_t page) {
  size_t before = pt.ptes.size();
  bool fresh = pt.ensure_table(pages, page);
  pte_entries_ += pt.ptes.size() - before;
  return fresh;
}

void Engine::drop_page_table(PageTable& pt) {
  pte_entries_ -= pt.ptes.size();
  pt = PageTable{};
}

// zap_present_ptes for n PTEs of one PTE table: each present PTE's frame loses a mapping,
// the dirt of a PTE that goes away moving into a shared frame. Returns the present PTEs.
// The caller clears or drops the entries.
uint32_t Engine::put_pte_frames(const Pte* ptes, uint32_t n) {
  uint32_t present = 0;
  for (uint32_t i = 0; i < n; ++i) {
    Pte e = ptes[i];
    if (!pte::present(e)) continue;
    ++present;
    if (pte::frame(e) == Frames::kZeroPage) continue;
    if (pte::dirty(e) && frames_[pte::frame(e)].kind != FrameKind::Anon) frames_[pte::frame(e)].dirty = true;
    put_frame(pte::frame(e));
  }
  return present;
}

void Engine::zap_range(MmId mm, uint32_t mapping, uint32_t first, uint32_t end) {
  AddressSpace& as = mms_[mm];
  PageTable& pt = as.mappings[mapping].pt;
  end = std::min<uint32_t>(end, uint32_t(pt.ptes.size()));
  for (uint32_t q = first; q < end;) {
    uint32_t t = q / kPtesPerTable, lo = q % kPtesPerTable;
    uint32_t hi = std::min(pt.ptes.block_size(t), end - t * kPtesPerTable);
    q = t * kPtesPerTable + hi;
    if (pt.huge(t * kPtesPerTable)) {  // wholly inside: the caller split a PMD the range cuts
      zap_huge_pmd(as, pt, t * kPtesPerTable);
      continue;
    }
    const Pte* ptes = pt.ptes.block(t);
    if (!ptes || std::none_of(ptes + lo, ptes + hi, pte::present)) continue;  // a shared block stays so
    as.present -= put_pte_frames(ptes + lo, hi - lo);
    Pte* w = pt.ptes.block_mut(t);
    std::fill(w + lo, w + hi, 0);
  }
}

// zap_range over a whole mapping whose page table then goes (exit_mmap): the same frames
// lose the same mappings in the same order, but no PTE is cleared, so that PTE blocks
// shared with another page table are only let go.
void Engine::zap_whole(MmId mm, uint32_t mapping) {
  AddressSpace& as = mms_[mm];
  PageTable& pt = as.mappings[mapping].pt;
  for (uint32_t t = 0; t < pt.ptes.block_count(); ++t) {
    const Pte* ptes = pt.ptes.block(t);
    if (!ptes) continue;
    as.present -= put_pte_frames(ptes, pt.huge(t * kPtesPerTable) ? kHugePages : pt.ptes.block_size(t));
  }
  drop_page_table(pt);
}

void Engine::free_unused_tables(MmId mm, uint32_t mapping) {
  AddressSpace& as = mms_[mm];
  PageTable& pt = as.mappings[mapping].pt;
  for (uint32_t t = 0; t < pt.tables.size(); ++t) {
    if (pt.tables[t] == PmdState::None) continue;
    uint32_t lo = t * kPtesPerTable, hi = lo + kPtesPerTable;
    bool covered = std::any_of(as.vmas.begin(), as.vmas.end(), [&](const Vma& v) {
      return v.mapping == mapping && v.first < hi && v.end > lo;
    });
    if (!covered) pt.tables[t] = PmdState::None;
  }
  if (!as.maps_any(mapping)) drop_page_table(pt);
}

void Engine::maybe_destroy_shmem(ShmemId s) {
  ShmemObject& obj = shmem_[s];
  if (!obj.alive) return;
  for (const AddressSpace& as : mms_) {
    if (!as.alive) continue;
    for (const Vma& v : as.vmas) {
      const Mapping& m = as.mappings[v.mapping];
      if (m.backing == Backing::Anon && m.share == Share::Shared && m.object == s) return;
    }
  }
  obj.alive = false;
  uncharge(std::exchange(obj.charged, 0));  // shmem_unacct_size, when the inode goes
  for (FrameId f : obj.pages) {
    if (f == kNone) continue;
    frames_[f].cache_ref = false;
    if (frames_[f].mapcount == 0) frames_.free(f);
  }
  obj.pages.clear();
}

static bool is_shmem(const Mapping& m) { return m.backing == Backing::Anon && m.share == Share::Shared; }

OpResult Engine::munmap(ProcId p, NameId region, const Pages& pages) {
  settle();
  uint32_t m;
  if (OpResult r = resolve_region(p, region, pages, &m); r.rejected()) return r;
  MmId mm = procs_[p].mm;
  AddressSpace& as = mms_[mm];
  emit({.kind = EventKind::Munmap, .proc = p, .region = region});
  if (m == kNone || !as.maps_any(m)) return {};  // munmap of nothing succeeds
  Pages spans = pages;
  if (spans.empty()) spans.push_back({0, as.mappings[m].pages - 1});
  split_spans(p, m, spans);
  for (const PageSpan& s : spans) {
    std::erase_if(as.vmas, [&](const Vma& v) {
      bool gone = v.mapping == m && v.first >= s.first && v.end <= s.last + 1;
      if (gone) uncharge_vma(as, v);  // vm_unacct_memory in vms_complete_munmap_vmas
      return gone;
    });
    zap_range(mm, m, s.first, s.last + 1);
  }
  free_unused_tables(mm, m);
  if (is_shmem(as.mappings[m])) maybe_destroy_shmem(as.mappings[m].object);
  return {};
}

// A live address space other than mm that holds the PTE block of mm's first page table
// with any entries (pointer-equal: a fork child and its parent, neither written since);
// mm itself when it holds no block; else kNone.
static MmId block_sharer(const std::vector<AddressSpace>& mms, MmId mm) {
  for (uint32_t m = 0; m < mms[mm].mappings.size(); ++m) {
    const PteArray& ptes = mms[mm].mappings[m].pt.ptes;
    for (uint32_t t = 0; t < ptes.block_count(); ++t) {
      if (!ptes.block(t)) continue;
      for (MmId o = 0; o < mms.size(); ++o)
        if (o != mm && mms[o].alive && m < mms[o].mappings.size() && ptes.same_block(t, mms[o].mappings[m].pt.ptes))
          return o;
      return kNone;
    }
  }
  return mm;
}

// When one live address space holds every PTE block of mm (same mapping, same place),
// each frame mm maps keeps a mapping after mm goes, so none can be freed: the teardown
// is recorded per block (pending_puts_) for settle(), and the page tables go. (An mm with
// no block maps nothing: nothing to record.)
bool Engine::defer_puts(MmId mm) {
  MmId other = block_sharer(mms_, mm);
  if (other == kNone) return false;
  AddressSpace& as = mms_[mm];
  for (uint32_t m = 0; m < as.mappings.size() && other != mm; ++m) {
    const PteArray& ptes = as.mappings[m].pt.ptes;
    for (uint32_t t = 0; t < ptes.block_count(); ++t)
      if (ptes.block(t) && !ptes.same_block(t, mms_[other].mappings[m].pt.ptes)) return false;
  }
  for (uint32_t m = 0; m < as.mappings.size(); ++m) {
    PageTable& pt = as.mappings[m].pt;
    for (uint32_t t = 0; t < pt.ptes.block_count(); ++t) {
      if (!pt.ptes.block(t)) continue;
      PendingPut& p = pending_puts_[pt.ptes.block(t)];
      if (!p.block) p = {.block = pt.ptes.block_ref(t), .n = pt.huge(t * kPtesPerTable) ? kHugePages : pt.ptes.block_size(t)};
      ++p.count;
    }
    drop_page_table(pt);
  }
  as.present = 0;
  return true;
}

// put_pte_frames for each pending block, `count` times at once.
void Engine::apply_pending_puts() const {
  for (auto& [entries, p] : pending_puts_)
    for (uint32_t i = 0; i < p.n; ++i) {
      Pte e = entries[i];
      if (!pte::present(e) || pte::frame(e) == Frames::kZeroPage) continue;
      Frame& fr = frames_[pte::frame(e)];
      if (pte::dirty(e) && fr.kind != FrameKind::Anon) fr.dirty = true;
      assert(fr.mapcount > p.count);  // defer_puts: another page table maps it still
      fr.mapcount -= p.count;
    }
  pending_puts_.clear();
}

void Engine::release_mm(MmId mm, Puts puts) {
  AddressSpace& as = mms_[mm];
  std::vector<ShmemId> shmem;
  bool deferred = puts == Puts::MayDefer && defer_puts(mm);
  if (!deferred) settle();
  for (uint32_t m = 0; m < as.mappings.size(); ++m) {
    if (!deferred) zap_whole(mm, m);
    if (is_shmem(as.mappings[m])) shmem.push_back(as.mappings[m].object);
  }
  for (const Vma& v : as.vmas) uncharge_vma(as, v);  // exit_mmap
  as.vmas.clear();
  as.alive = false;
  for (ShmemId s : shmem) maybe_destroy_shmem(s);
}

}  // namespace cow
