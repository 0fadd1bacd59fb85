// Building the View's page and frame bytes: one byte per page of every live address
// space and one per physical frame, then cells of 2^zoom of them for the panels, and the
// reverse map (frame -> a few PTEs) when a hover asks for it.
#include <algorithm>

#include "panels.h"

namespace cow::web {

namespace {

// Pages (over all address spaces) the page map keeps bytes for; past it, the remaining
// address spaces are listed but not drawn unless the page map is filtered to them.
constexpr uint64_t kPageBudget = 48u << 20;
// Frames the reverse map covers (4 references per frame are kept).
constexpr uint32_t kReverseMapFrames = 1u << 20;

// The page map's byte for one page of a VMA.
uint8_t classify(Pte e, const Frames& frames, const Mapping& map, const Vma& vma) {
  using namespace page_bits;
  if (!pte::present(e)) return Absent;
  FrameId f = pte::frame(e);
  if (f == Frames::kZeroPage) return Zero;
  if (f >= frames.total()) return Absent;  // a broken PTE: the engine's invariants catch it
  const Frame& fr = frames[f];
  uint8_t kind = fr.kind == FrameKind::PageCache ? File : fr.kind == FrameKind::Shmem ? Shmem : Anon;
  uint8_t b = kind | uint8_t(mapcount_bucket(fr.mapcount) << kBucketShift);
  if (pte::dirty(e) || fr.dirty) b |= kDirty;
  if (kind == Anon && !pte::writable(e) && map.share == Share::Private && vma.prot == Prot::ReadWrite)
    b |= kCowWp;
  return b;
}

// The THP extents of a region: huge PMDs, and PTE tables whose pages belong to a THP
// folio (Frame::large), which a split left behind.
void find_huge_extents(RegionMap& r, const Mapping& m, const Frames& frames) {
  r.huge.clear();
  for (uint32_t x = 0; x < m.pt.tables.size(); ++x) {
    uint32_t first = x * kHugePages;
    PmdState s = m.pt.tables[x];
    if (s == PmdState::Huge || s == PmdState::HugeZero) {
      r.huge.push_back({first, s == PmdState::Huge ? HugeState::Pmd : HugeState::ZeroPmd});
      continue;
    }
    if (s != PmdState::Table) continue;
    uint32_t end = std::min<uint32_t>(first + kHugePages, uint32_t(m.pt.ptes.size()));
    for (uint32_t q = first; q < end; ++q) {
      Pte e = m.pt.ptes[q];
      FrameId f = pte::frame(e);
      if (pte::present(e) && f < frames.total() && frames[f].large) {
        r.huge.push_back({first, HugeState::Split});
        break;
      }
    }
  }
}

// One address space's regions (mappings that some VMA still covers), page by page.
void build_mm(MmMap& out, const Engine& e, const AddressSpace& as) {
  out.regions.clear();
  std::vector<int> region_of(as.mappings.size(), -1);
  for (const Vma& v : as.vmas) {
    if (v.mapping >= as.mappings.size()) continue;
    const Mapping& m = as.mappings[v.mapping];
    if (region_of[v.mapping] < 0) {
      region_of[v.mapping] = int(out.regions.size());
      RegionMap r;
      r.name = e.name(m.name);
      r.mapping = v.mapping;
      r.pages = m.pages;
      r.backing = m.backing;
      r.share = m.share;
      r.page.assign(m.pages, page_bits::Unmapped);
      out.regions.push_back(std::move(r));
    }
    RegionMap& r = out.regions[region_of[v.mapping]];
    uint32_t end = std::min(v.end, m.pages);
    for (uint32_t q = v.first; q < end; ++q) {
      uint8_t b = classify(m.pt.get(q), e.frames(), m, v);
      r.page[q] = b;
      r.present += page_bits::kind(b) >= page_bits::Zero;
    }
    r.mapped += end > v.first ? end - v.first : 0;
  }
  for (RegionMap& r : out.regions) find_huge_extents(r, as.mappings[r.mapping], e.frames());
  out.built = true;
}

uint64_t mm_pages(const AddressSpace& as) {
  uint64_t n = 0;
  for (const Mapping& m : as.mappings) n += m.pages;
  return n;
}

void build_frames(View& v, const Frames& frames) {
  uint32_t total = frames.total();
  v.frames.assign(total, 0);
  uint32_t highest = 0;
  for (FrameId f = 0; f < total; ++f) {
    const Frame& fr = frames[f];
    if (fr.kind == FrameKind::Free) continue;
    uint8_t b = uint8_t(fr.kind) & frame_bits::kKindMask;
    b |= uint8_t(mapcount_bucket(fr.mapcount) << frame_bits::kBucketShift);
    if (fr.dirty) b |= frame_bits::kDirty;
    if (fr.cache_ref) b |= frame_bits::kCacheRef;
    v.frames[f] = b;
    highest = f + 1;
  }
  uint32_t shown = std::max<uint32_t>(256, (highest + 255) / 256 * 256);
  v.frames_shown = std::min(shown, total);
}

// Sums a group of bytes into one cell: the most common present kind (kinds >= `first`),
// its highest mapcount bucket, every flag, and the present share of the `counted` ones.
struct Aggregator {
  uint32_t count[8] = {}, counted = 0;
  uint8_t bucket[8] = {}, flags = 0;

  void add(uint8_t b, uint8_t kind, uint8_t bucket_bits, uint8_t flag_mask, uint8_t skip) {
    if (kind == skip) return;
    ++counted;
    ++count[kind];
    bucket[kind] = std::max<uint8_t>(bucket[kind], bucket_bits);
    flags |= b & flag_mask;
  }
  uint16_t result(uint8_t first, uint8_t last, uint8_t none, uint8_t empty) const {
    uint8_t best = 0;
    uint32_t present = 0;
    for (uint8_t k = first; k <= last; ++k) {
      present += count[k];
      if (count[k] > 0 && (best == 0 || count[k] >= count[best])) best = k;
    }
    if (counted == 0) return empty;
    if (present == 0) return none;
    uint32_t fill = std::max<uint32_t>(1, present * 255 / counted);
    return uint16_t((fill << 8) | best | bucket[best] | flags);
  }
};

}  // namespace

void build_page_states(View& v, const Engine& e, int only_process) {
  const auto& mms = e.address_spaces();
  v.mms.assign(mms.size(), MmMap{});
  v.pages_limited = false;
  uint64_t budget = kPageBudget;
  auto build = [&](MmId mm, bool forced) {
    if (mm >= mms.size() || v.mms[mm].built) return;
    uint64_t n = mm_pages(mms[mm]);
    if (!forced && n > budget) {
      v.pages_limited = true;
      return;
    }
    budget -= std::min(budget, n);
    build_mm(v.mms[mm], e, mms[mm]);
  };
  const auto& procs = e.processes();
  if (only_process >= 0 && size_t(only_process) < procs.size() && procs[only_process].live())
    build(procs[only_process].mm, true);
  for (const ProcRow& r : v.procs)
    if (r.id < procs.size() && procs[r.id].live()) build(r.mm, false);
  v.max_region_pages = 0;
  v.total_pages = 0;
  for (const MmMap& m : v.mms) {
    for (const RegionMap& r : m.regions) {
      v.max_region_pages = std::max(v.max_region_pages, r.pages);
      v.total_pages += r.pages;
    }
  }
  build_frames(v, e.frames());
  v.pages_per_cell = 0;  // cells must be aggregated again
  v.frames_per_cell = 0;
}

void aggregate_pages(View& v, uint32_t ppc) {
  using namespace page_bits;
  ppc = std::max<uint32_t>(1, ppc);
  for (MmMap& m : v.mms) {
    for (RegionMap& r : m.regions) {
      r.cells.assign((r.pages + ppc - 1) / ppc, 0);
      for (size_t c = 0; c < r.cells.size(); ++c) {
        Aggregator a;
        size_t end = std::min<size_t>(r.page.size(), (c + 1) * ppc);
        for (size_t q = c * ppc; q < end; ++q) {
          uint8_t b = r.page[q];
          a.add(b, b & kKindMask, b & kBucketMask, kDirty | kCowWp, Unmapped);
        }
        r.cells[c] = a.result(Zero, Shmem, Absent, Unmapped);
      }
    }
  }
  v.pages_per_cell = ppc;
}

void aggregate_frames(View& v, uint32_t fpc) {
  using namespace frame_bits;
  fpc = std::max<uint32_t>(1, fpc);
  v.frame_cells.assign((v.frames.size() + fpc - 1) / fpc, 0);
  for (size_t c = 0; c < v.frame_cells.size(); ++c) {
    Aggregator a;
    size_t end = std::min<size_t>(v.frames.size(), (c + 1) * fpc);
    for (size_t f = c * fpc; f < end; ++f) {
      uint8_t b = v.frames[f];
      a.add(b, b & kKindMask, b & kBucketMask, kDirty | kCacheRef, 0xff);
    }
    v.frame_cells[c] = a.result(uint8_t(FrameKind::Anon), uint8_t(FrameKind::Shmem), 0, 0);
  }
  v.frames_per_cell = fpc;
}

void build_reverse_map(View& v, const Engine& e) {
  ReverseMap& rm = v.rmap;
  // Frames past the highest used one are free: nobody maps them.
  uint32_t frames = std::min<uint32_t>({e.frames().total(), v.frames_shown, kReverseMapFrames});
  rm.kept.assign(frames, 0);
  rm.refs.assign(size_t(frames) * ReverseMap::kKept, ReverseMap::Ref{});
  const auto& procs = e.processes();
  const auto& mms = e.address_spaces();
  std::vector<uint8_t> done(mms.size(), 0);
  for (const ProcRow& row : v.procs) {
    if (row.id >= procs.size() || !procs[row.id].live() || row.mm >= mms.size() || done[row.mm]) continue;
    done[row.mm] = 1;
    const AddressSpace& as = mms[row.mm];
    const MmMap& mm = v.mms[row.mm];
    for (uint32_t r = 0; r < mm.regions.size(); ++r) {
      const Mapping& m = as.mappings[mm.regions[r].mapping];
      for (uint32_t q = 0; q < m.pt.ptes.size(); ++q) {
        Pte p = m.pt.ptes[q];
        FrameId f = pte::frame(p);
        if (!pte::present(p) || f >= frames || rm.kept[f] >= ReverseMap::kKept) continue;
        rm.refs[size_t(f) * ReverseMap::kKept + rm.kept[f]++] = {row.id, r, q};
      }
    }
  }
  rm.built = true;
}

}  // namespace cow::web
