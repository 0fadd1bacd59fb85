#include "page_states.h"

#include <algorithm>
#include <cstring>

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

// How the bytes of a cell are summed (page_bits or frame_bits): which bits are the kind,
// the mapcount bucket and the flags; a kind not counted at all; the present kinds
// [first, last]; the cell when none of the counted bytes is present, and when none is counted.
struct CellRule {
  uint8_t kind_mask, bucket_mask, flag_mask, skip;
  uint8_t first, last, none, empty;
};
constexpr CellRule kPageCells{page_bits::kKindMask, page_bits::kBucketMask,
                              page_bits::kDirty | page_bits::kCowWp, page_bits::Unmapped,
                              page_bits::Zero, page_bits::Shmem, page_bits::Absent, page_bits::Unmapped};
constexpr CellRule kFrameCells{frame_bits::kKindMask, frame_bits::kBucketMask,
                               frame_bits::kDirty | frame_bits::kCacheRef, 0xff,
                               uint8_t(FrameKind::Anon), uint8_t(FrameKind::Shmem), 0, 0};

// Sums a group of bytes into one cell: the most common present kind, its highest mapcount
// bucket, every flag, and the present share of the counted ones.
struct Aggregator {
  uint32_t count[8] = {}, counted = 0;
  uint8_t bucket[8] = {}, flags = 0;

  void add(uint8_t b, const CellRule& r) {
    uint8_t kind = b & r.kind_mask;
    if (kind == r.skip) return;
    ++counted;
    ++count[kind];
    bucket[kind] = std::max<uint8_t>(bucket[kind], b & r.bucket_mask);
    flags |= b & r.flag_mask;
  }
  uint16_t result(const CellRule& r) const {
    uint8_t best = 0;
    uint32_t present = 0;
    for (uint8_t k = r.first; k <= r.last; ++k) {
      present += count[k];
      if (count[k] > 0 && (best == 0 || count[k] >= count[best])) best = k;
    }
    if (counted == 0) return r.empty;
    if (present == 0) return r.none;
    uint32_t fill = std::max<uint32_t>(1, present * 255 / counted);
    return uint16_t((fill << 8) | best | bucket[best] | flags);
  }
};

// True when the n bytes from p are all equal (n >= 1). Reads 8 bytes at a time with no
// early exit, which the compiler vectorizes: most cells are uniform.
bool uniform(const uint8_t* p, size_t n) {
  uint64_t pattern = p[0] * 0x0101010101010101ull, diff = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    diff |= w ^ pattern;
  }
  for (; i < n; ++i) diff |= p[i] ^ p[0];
  return diff == 0;
}

// The cell of bytes all equal to b: b's kind is the most common, and all of them are
// present (fill 255) or none is (Aggregator::result of b alone).
uint16_t uniform_cell(uint8_t b, const CellRule& r) {
  uint8_t kind = b & r.kind_mask;
  if (kind == r.skip) return r.empty;
  if (kind < r.first || kind > r.last) return r.none;
  return uint16_t(255 << 8 | kind | (b & r.bucket_mask) | (b & r.flag_mask));
}

// The cell of the n bytes from p.
uint16_t aggregate_bytes(const uint8_t* p, size_t n, const CellRule& r) {
  if (n > 0 && uniform(p, n)) return uniform_cell(p[0], r);
  Aggregator a;
  for (size_t i = 0; i < n; ++i) a.add(p[i], r);
  return a.result(r);
}

// 1 + the index of the last non-zero byte; 0 when all are zero. Scans from the end, 8
// bytes at a time.
size_t last_nonzero(std::span<const uint8_t> b) {
  size_t n = b.size();
  for (; n % 8 != 0; --n)
    if (b[n - 1] != 0) return n;
  for (; n >= 8; n -= 8) {
    uint64_t w;
    std::memcpy(&w, b.data() + n - 8, 8);
    if (w != 0) break;
  }
  while (n > 0 && b[n - 1] == 0) --n;
  return n;
}

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

namespace {

uint64_t word_of(const Frame& f) {
  uint64_t w;
  std::memcpy(&w, &f, sizeof w);
  return w;
}

}  // namespace

std::vector<uint8_t> frame_states(const Frames& frames) {
  std::vector<uint8_t> out(frames.total(), 0);
  // Frames at or above table_size() were never allocated: free, 0.
  uint32_t end = std::min(frames.table_size(), frames.total());
  // Neighbouring frames mostly read alike (one fault's run, one fork's pages): a frame
  // whose bits that frame_state reads (all but its content tag and `large`) equal the
  // previous frame's takes its byte.
  const uint64_t read = ~word_of(Frame{.large = true, .tag = 0xffffffff});
  uint64_t last = word_of(Frame{}) & read;
  uint8_t byte = frame_state(Frame{});
  for (FrameId f = 0; f < end; ++f) {
    uint64_t bits = word_of(frames[f]) & read;
    if (bits != last) {
      last = bits;
      byte = frame_state(frames[f]);
    }
    out[f] = byte;
  }
  return out;
}

uint32_t frames_shown(std::span<const uint8_t> frames) {
  uint32_t highest = last_nonzero(frames);
  uint32_t shown = std::max<uint32_t>(256, (highest + 255) / 256 * 256);
  return std::min(shown, uint32_t(frames.size()));
}

uint64_t mm_pages(const AddressSpace& as) {
  uint64_t n = 0;
  for (const Mapping& m : as.mappings) n += m.pages;
  return n;
}

void aggregate_region(RegionMap& r, uint32_t ppc, const RegionMap* like) {
  ppc = std::max<uint32_t>(1, ppc);
  r.cells.assign((r.pages + ppc - 1) / ppc, 0);
  if (like && (like->page.size() != r.page.size() || like->cells.size() != r.cells.size())) like = nullptr;
  // Runs of whole cells, about one PTE block long. A run of one byte (the common case)
  // has every cell alike; a run whose bytes equal `like`'s takes its cells (a cell
  // depends on its own pages only).
  const uint8_t* page = r.page.data();
  size_t pages = r.page.size(), run = std::max<size_t>(1, kPtesPerTable / ppc);
  for (size_t c0 = 0; c0 < r.cells.size(); c0 += run) {
    size_t c1 = std::min(r.cells.size(), c0 + run);
    size_t q0 = std::min(pages, c0 * ppc), q1 = std::min(pages, c1 * ppc);
    if (q0 < q1 && uniform(page + q0, q1 - q0)) {
      std::fill(r.cells.begin() + c0, r.cells.begin() + c1, uniform_cell(page[q0], kPageCells));
      continue;
    }
    if (like && q0 < q1 && std::equal(page + q0, page + q1, like->page.begin() + q0)) {
      std::copy(like->cells.begin() + c0, like->cells.begin() + c1, r.cells.begin() + c0);
      continue;
    }
    for (size_t c = c0; c < c1; ++c) {
      size_t a = std::min(pages, c * ppc), b = std::min(pages, (c + 1) * ppc);
      r.cells[c] = aggregate_bytes(page + a, b - a, kPageCells);
    }
  }
}

std::vector<uint16_t> aggregate_frames(std::span<const uint8_t> frames, uint32_t fpc) {
  fpc = std::max<uint32_t>(1, fpc);
  std::vector<uint16_t> cells((frames.size() + fpc - 1) / fpc, 0);
  // Cells past the last used frame hold free frames only: 0.
  size_t used = last_nonzero(frames);
  for (size_t c = 0; c * fpc < used; ++c) {
    size_t f0 = c * fpc, f1 = std::min(frames.size(), f0 + fpc);
    cells[c] = aggregate_bytes(frames.data() + f0, f1 - f0, kFrameCells);
  }
  return cells;
}

}  // namespace cow::figure
