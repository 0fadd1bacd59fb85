#include "page_states.h"

#include <algorithm>

namespace cow::figure {

namespace {

// True when a PTE of [first, end) maps a page of a THP folio (Frame::large).
bool maps_large(const PageTable& pt, const Frames& frames, uint32_t first, uint32_t end) {
  for (uint32_t q = first; q < end; ++q) {
    Pte e = pt.ptes[q];
    FrameId f = pte::frame(e);
    if (pte::present(e) && f < frames.total() && frames[f].large) return true;
  }
  return false;
}

// The THP extents of a region: huge PMDs, and PTE tables whose pages belong to a THP
// folio (Frame::large), which a split left behind. With a cache, a block is read once.
void find_huge_extents(RegionMap& r, const Mapping& m, const Frames& frames, PageBytesCache* cache) {
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
    bool large = false;
    if (cache && x < m.pt.ptes.block_count() && m.pt.ptes.block(x)) {
      large = cache->large.get(m.pt.ptes, x, 0, end - first, 0,
                               [&](bool& l) { l = maps_large(m.pt, frames, first, end); });
    } else {
      large = maps_large(m.pt, frames, first, end);
    }
    if (large) r.huge.push_back({first, HugeState::Split});
  }
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

int mapcount_bucket(uint32_t mc) {
  if (mc <= 2) return int(mc);
  if (mc <= 4) return 3;
  if (mc <= 8) return 4;
  if (mc <= 16) return 5;
  if (mc <= 64) return 6;
  return 7;
}

const char* bucket_label(int b) {
  static const char* kLabels[] = {"0", "1", "2", "3-4", "5-8", "9-16", "17-64", "65+"};
  return b >= 0 && b < 8 ? kLabels[b] : "?";
}

uint8_t page_state(Pte e, const Frames& frames, const Mapping& map, const Vma& vma) {
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

uint8_t frame_state(const Frame& fr) {
  if (fr.kind == FrameKind::Free) return 0;
  uint8_t b = uint8_t(fr.kind) & frame_bits::kKindMask;
  b |= uint8_t(mapcount_bucket(fr.mapcount) << frame_bits::kBucketShift);
  if (fr.dirty) b |= frame_bits::kDirty;
  if (fr.cache_ref) b |= frame_bits::kCacheRef;
  return b;
}

void PageBytesCache::next_state(const Engine& e) {
  frames.update(e.frames());
  spans.next_state(frames);
  large.next_state(frames);
}

namespace {

// Entries [lo, hi) of block k of VMA v's mapping into r.page, counting the present ones;
// with a cache, a block's bytes are built once and copied after (PageBytesCache).
void build_span(RegionMap& r, const Frames& frames, const Mapping& m, const Vma& v, uint32_t k, uint32_t lo,
                uint32_t hi, PageBytesCache* cache) {
  uint32_t first = k * kPtesPerTable + lo, end = k * kPtesPerTable + hi;
  auto build = [&](uint8_t* out) {
    uint32_t present = 0;
    for (uint32_t q = first; q < end; ++q) {
      uint8_t bits = page_state(m.pt.get(q), frames, m, v);
      out[q - first] = bits;
      present += page_bits::kind(bits) >= page_bits::Zero;
    }
    return present;
  };
  if (!cache || k >= m.pt.ptes.block_count() || !m.pt.ptes.block(k)) {
    r.present += build(r.page.data() + first);
    return;
  }
  const PageBytesCache::Span& span =
      cache->spans.get(m.pt.ptes, k, lo, hi, uint32_t(m.share) << 8 | uint32_t(v.prot), [&](PageBytesCache::Span& s) {
        s.page.resize(hi - lo);
        s.present = build(s.page.data());
      });
  std::copy(span.page.begin(), span.page.end(), r.page.begin() + first);
  r.present += span.present;
}

}  // namespace

void build_mm(MmMap& out, const Engine& e, const AddressSpace& as, PageBytesCache* cache) {
  out.regions.clear();
  out.regions.reserve(as.mappings.size());
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
    PteArray::for_each_block_span(v.first, end, [&](uint32_t k, uint32_t lo, uint32_t hi) {
      build_span(r, e.frames(), m, v, k, lo, hi, cache);
    });
    r.mapped += end > v.first ? end - v.first : 0;
  }
  for (RegionMap& r : out.regions) find_huge_extents(r, as.mappings[r.mapping], e.frames(), cache);
  out.built = true;
}

std::vector<uint8_t> frame_states(const Frames& frames) {
  std::vector<uint8_t> out(frames.total(), 0);
  for (FrameId f = 0; f < frames.total(); ++f) out[f] = frame_state(frames[f]);
  return out;
}

uint32_t frames_shown(std::span<const uint8_t> frames) {
  uint32_t highest = 0;
  for (uint32_t f = 0; f < frames.size(); ++f)
    if (frames[f] != 0) highest = f + 1;
  uint32_t shown = std::max<uint32_t>(256, (highest + 255) / 256 * 256);
  return std::min(shown, uint32_t(frames.size()));
}

uint64_t mm_pages(const AddressSpace& as) {
  uint64_t n = 0;
  for (const Mapping& m : as.mappings) n += m.pages;
  return n;
}

namespace {

uint16_t aggregate_cell(const RegionMap& r, size_t c, uint32_t ppc) {
  using namespace page_bits;
  Aggregator a;
  size_t end = std::min<size_t>(r.page.size(), (c + 1) * ppc);
  for (size_t q = c * ppc; q < end; ++q) {
    uint8_t b = r.page[q];
    a.add(b, b & kKindMask, b & kBucketMask, kDirty | kCowWp, Unmapped);
  }
  return a.result(Zero, Shmem, Absent, Unmapped);
}

}  // namespace

void aggregate_region(RegionMap& r, uint32_t ppc, const RegionMap* like) {
  ppc = std::max<uint32_t>(1, ppc);
  r.cells.assign((r.pages + ppc - 1) / ppc, 0);
  if (like && (like->page.size() != r.page.size() || like->cells.size() != r.cells.size())) like = nullptr;
  // Runs of whole cells, about one PTE block long: a run whose bytes equal `like`'s takes
  // its cells (a cell depends on its own pages only).
  size_t run = std::max<size_t>(1, kPtesPerTable / ppc);
  for (size_t c0 = 0; c0 < r.cells.size(); c0 += run) {
    size_t c1 = std::min(r.cells.size(), c0 + run);
    size_t q0 = c0 * ppc, q1 = std::min(r.page.size(), c1 * ppc);
    if (like && q0 < q1 && std::equal(r.page.begin() + q0, r.page.begin() + q1, like->page.begin() + q0)) {
      std::copy(like->cells.begin() + c0, like->cells.begin() + c1, r.cells.begin() + c0);
      continue;
    }
    for (size_t c = c0; c < c1; ++c) r.cells[c] = aggregate_cell(r, c, ppc);
  }
}

std::vector<uint16_t> aggregate_frames(std::span<const uint8_t> frames, uint32_t fpc) {
  using namespace frame_bits;
  fpc = std::max<uint32_t>(1, fpc);
  std::vector<uint16_t> cells((frames.size() + fpc - 1) / fpc, 0);
  for (size_t c = 0; c < cells.size(); ++c) {
    Aggregator a;
    size_t end = std::min<size_t>(frames.size(), (c + 1) * fpc);
    for (size_t f = c * fpc; f < end; ++f) {
      uint8_t b = frames[f];
      a.add(b, b & kKindMask, b & kBucketMask, kDirty | kCacheRef, 0xff);
    }
    cells[c] = a.result(uint8_t(FrameKind::Anon), uint8_t(FrameKind::Shmem), 0, 0);
  }
  return cells;
}

}  // namespace cow::figure
