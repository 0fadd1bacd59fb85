// smaps-style accounting, computed from the page tables (Linux: smaps_pte_entry ->
// smaps_account -> smaps_page_accumulate; task_mem for VmPTE, from page_walk.h).
#include "accounting.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine.h"

namespace cow {

void format_pss(double pss, char out[32]) {
  long long v = std::llround(pss * 10000.0);
  std::snprintf(out, 32, "%lld.%04lld", v / 10000, v % 10000);
}

void UsageTally::add_shared(uint32_t mapcount, uint64_t pages) {
  if (!shared.empty() && shared.back().first == mapcount) {
    shared.back().second += pages;
    return;
  }
  auto at = std::lower_bound(shared.begin(), shared.end(), mapcount,
                             [](const std::pair<uint32_t, uint64_t>& s, uint32_t m) { return s.first < m; });
  if (at != shared.end() && at->first == mapcount) at->second += pages;
  else shared.insert(at, {mapcount, pages});
}

void UsageTally::add(const UsageTally& t) {
  const Usage& b = t.u;
  u.pages += b.pages, u.rss += b.rss, u.uss += b.uss;
  u.shared_clean += b.shared_clean, u.shared_dirty += b.shared_dirty;
  u.private_clean += b.private_clean, u.private_dirty += b.private_dirty;
  u.anon += b.anon, u.file += b.file, u.shmem += b.shmem;
  u.ptes += b.ptes, u.zero_ptes += b.zero_ptes, u.anon_huge += b.anon_huge, u.vm_pte += b.vm_pte;
  for (const auto& [mapcount, pages] : t.shared) add_shared(mapcount, pages);
}

Usage UsageTally::usage() const {
  Usage out = u;
  out.pss = double(u.private_clean + u.private_dirty);
  for (const auto& [mapcount, pages] : shared) out.pss += double(pages) / mapcount;
  return out;
}

// Adds one present PTE exactly as smaps_account does: "shared" means mapcount >= 2,
// "dirty" means the PTE is dirty or the frame itself is.
static void account_pte(const Frames& frames, Pte e, UsageTally& t) {
  Usage& u = t.u;
  ++u.ptes;
  PageClass c = classify(frames, e);
  if (!c.frame) {
    ++u.zero_ptes;
    return;
  }
  const Frame& fr = *c.frame;
  ++u.rss;
  if (c.shared) {
    t.add_shared(fr.mapcount, 1);
    ++(c.dirty ? u.shared_dirty : u.shared_clean);
  } else {
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

namespace {

void tally_entries(const Frames& frames, const Pte* b, uint32_t lo, uint32_t hi, UsageTally& t) {
  for (uint32_t i = lo; i < hi; ++i)
    if (pte::present(b[i])) account_pte(frames, b[i], t);
}

// Adds mapping m of `as` to t, block by block; with `memo`, each block's part is tallied
// once and reused: for the other page tables that share the block, and for later states
// while the block and its frames are unchanged (block_cache.h).
void tally_mapping(const Frames& frames, const AddressSpace& as, uint32_t m, UsageTally& t, BlockTallies* memo) {
  const PteArray& ptes = as.mappings[m].pt.ptes;
  for (const Vma& v : as.vmas) {
    if (v.mapping != m) continue;
    t.u.pages += v.end - v.first;
    t.u.anon_huge += anon_huge_pages(as.mappings[m].pt, v);
    PteArray::for_each_block_span(v.first, std::min(v.end, ptes.size()), [&](uint32_t k, uint32_t lo, uint32_t hi) {
      const Pte* b = ptes.block(k);
      if (!b) return;
      if (!memo) return tally_entries(frames, b, lo, hi, t);
      t.add(memo->get(ptes, k, lo, hi, 0, [&](UsageTally& part) { tally_entries(frames, b, lo, hi, part); }));
    });
  }
}

// A task's or a region's Usage from the tally of its mappings (a region has no vm_pte).
Usage task_usage(const UsageTally& t, uint32_t vm_pte) {
  Usage u = t.usage();
  u.uss = u.private_clean + u.private_dirty;
  u.vm_pte = vm_pte;
  return u;
}

}  // namespace

Usage Engine::usage(ProcId p) const {
  settle();
  if (p >= procs_.size() || !procs_[p].live()) return {};
  const AddressSpace& as = mms_[procs_[p].mm];
  UsageTally t;
  for (uint32_t m = 0; m < as.mappings.size(); ++m) tally_mapping(frames_, as, m, t, nullptr);
  return task_usage(t, vm_pte(procs_[p].mm));
}

Usage Engine::region_usage(ProcId p, NameId region) const {
  settle();
  if (p >= procs_.size() || !procs_[p].live()) return {};
  const AddressSpace& as = mms_[procs_[p].mm];
  UsageTally t;
  for (uint32_t m = 0; m < as.mappings.size(); ++m)
    if (as.mappings[m].name == region) tally_mapping(frames_, as, m, t, nullptr);
  return task_usage(t, 0);
}

UsageTable::UsageTable(const Engine& e, UsageCache* cache)
    : mm_of_(e.processes().size(), kNone), mms_(e.address_spaces().size()), system_(e.system()) {
  BlockTallies this_state;
  BlockTallies& memo = cache ? cache->tallies : this_state;
  if (cache) {
    cache->frames.update(e.frames());
    cache->tallies.next_state(cache->frames);
  }
  std::vector<uint8_t> done(mms_.size(), 0);
  for (ProcId p = 0; p < mm_of_.size(); ++p) {
    const Process& task = e.processes()[p];
    if (!task.live()) continue;
    mm_of_[p] = task.mm;
    if (done[task.mm]) continue;  // threads share their leader's
    done[task.mm] = 1;
    const AddressSpace& as = e.address_spaces()[task.mm];
    Mm& mm = mms_[task.mm];
    mm.tallies.resize(as.mappings.size());
    UsageTally all;
    for (uint32_t m = 0; m < as.mappings.size(); ++m) {
      mm.names.push_back(as.mappings[m].name);
      tally_mapping(e.frames(), as, m, mm.tallies[m], &memo);
      all.add(mm.tallies[m]);
    }
    mm.total = task_usage(all, e.vm_pte(task.mm));
  }
}

Usage UsageTable::process(ProcId p) const {
  return p < mm_of_.size() && mm_of_[p] != kNone ? mms_[mm_of_[p]].total : Usage{};
}

Usage UsageTable::region(ProcId p, NameId region) const {
  if (p >= mm_of_.size() || mm_of_[p] == kNone) return {};
  const Mm& mm = mms_[mm_of_[p]];
  UsageTally t;
  for (size_t m = 0; m < mm.names.size(); ++m)
    if (mm.names[m] == region) t.add(mm.tallies[m]);
  return task_usage(t, 0);
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
  auto count = [&s](const Frame& fr, uint64_t n) {
    s.frames_mapped += fr.mapcount >= 1 ? n : 0;
    s.frames_shared += fr.mapcount >= 2 ? n : 0;
    s.frames_private += fr.mapcount == 1 ? n : 0;
    s.page_cache += fr.kind == FrameKind::PageCache ? n : 0;
    s.shmem += fr.kind == FrameKind::Shmem ? n : 0;
    s.anon += fr.kind == FrameKind::Anon ? n : 0;
  };
  // Frames below table_size() (the rest were never allocated), by runs alike in mapcount
  // and kind: neighbouring frames mostly are (one fault's, one fork's).
  const Frame* run = nullptr;
  uint64_t n = 0;
  for (FrameId f = 0; f < frames_.table_size(); ++f) {
    const Frame& fr = frames_[f];
    if (run && fr.mapcount == run->mapcount && fr.kind == run->kind) {
      ++n;
      continue;
    }
    if (run) count(*run, n);
    run = &fr;
    n = 1;
  }
  if (run) count(*run, n);
  s.committed_as = committed_as_;
  s.commit_limit = commit_limit();
  s.swap_total = config_.modes.swap_pages;
  return s;
}

}  // namespace cow
