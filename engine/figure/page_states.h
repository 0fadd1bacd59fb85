// What the maps of memory show, one byte per page and per frame: the state a cell is
// coloured by (the page map's present/absent/zero page/anonymous/file/shmem, the mapcount
// bucket, dirty, write-protected for COW; physical memory's frame kind and mapcount). The
// web page's panels and the figures (svg.h) read the same bytes, so a state is drawn alike
// in both. Read from the engine's page tables (Linux: the PTEs and struct page); what it
// simplifies is the view, not the model: mapcounts above 64 share one bucket, and cells
// of many pages keep only their most common state.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/mm/block_cache.h"
#include "engine/mm/engine.h"

namespace cow::figure {

// One page of a region, as the page map colours it.
namespace page_bits {
enum Kind : uint8_t { Unmapped = 0, Absent, Zero, Anon, File, Shmem, kKinds };
constexpr uint8_t kKindMask = 0x7;
constexpr uint8_t kBucketShift = 3;   // 3 bits: mapcount bucket (mapcount_bucket())
constexpr uint8_t kBucketMask = 0x7 << kBucketShift;
constexpr uint8_t kDirty = 1 << 6;    // PTE dirty or frame dirty (smaps' Dirty)
constexpr uint8_t kCowWp = 1 << 7;    // anon page write-protected for COW
inline Kind kind(uint8_t b) { return Kind(b & kKindMask); }
inline int bucket(uint8_t b) { return (b & kBucketMask) >> kBucketShift; }
}  // namespace page_bits

// One physical frame, as the physical-memory panel colours it.
namespace frame_bits {
// FrameKind in the low 2 bits (Free, Anon, PageCache, Shmem), then the mapcount bucket.
constexpr uint8_t kKindMask = 0x3;
constexpr uint8_t kBucketShift = 2;
constexpr uint8_t kBucketMask = 0x7 << kBucketShift;
constexpr uint8_t kDirty = 1 << 5;
constexpr uint8_t kCacheRef = 1 << 6;
inline FrameKind kind(uint8_t b) { return FrameKind(b & kKindMask); }
inline int bucket(uint8_t b) { return (b & kBucketMask) >> kBucketShift; }
}  // namespace frame_bits

// An aggregated cell: the bits of its most common present kind (or Absent/Unmapped when
// none is present) in the low byte, and the share of its mapped pages (frames: of its
// frames) that are present (used), 0..255, in the high byte.
inline uint8_t cell_bits(uint16_t c) { return uint8_t(c & 0xff); }
inline uint8_t cell_fill(uint16_t c) { return uint8_t(c >> 8); }

// 0: unmapped, 1: 1, 2: 2, 3: 3-4, 4: 5-8, 5: 9-16, 6: 17-64, 7: 65+.
int mapcount_bucket(uint32_t mapcount);
const char* bucket_label(int bucket);

// A 2 MiB extent of a region that a THP maps: one huge PMD (a THP or the huge zero
// page), or a THP folio whose PMD was split into PTEs (__split_huge_pmd).
enum class HugeState : uint8_t { Pmd, ZeroPmd, Split };
struct HugeExtent {
  uint32_t first_page = 0;                      // aligned to kHugePages
  HugeState state = HugeState::Pmd;
};

// One region of an address space (a mapping some VMA still covers), page by page.
struct RegionMap {
  std::string name;
  uint32_t mapping = 0;                         // index into the mm's mappings
  uint32_t pages = 0;                           // size of the original mapping
  uint32_t mapped = 0;                          // pages still covered by VMAs
  uint32_t present = 0;                         // present PTEs (zero page included)
  Backing backing = Backing::Anon;
  Share share = Share::Private;
  std::vector<uint8_t> page;                    // page_bits, one per page
  std::vector<uint16_t> cells;                  // per pages_per_cell pages (aggregate_region)
  std::vector<HugeExtent> huge;                 // THP extents, in page order
};

struct MmMap {
  bool built = false;                           // false: dead, or not drawn
  std::vector<RegionMap> regions;
};

// The page byte of one page of `vma` whose PTE is `e`.
uint8_t page_state(Pte e, const Frames& frames, const Mapping& map, const Vma& vma);
// The frame byte of one frame (0 for a free one).
uint8_t frame_state(const Frame& f);

// The page bytes of PTE block spans, kept from one state to the next (block_cache.h):
// a block several page tables share (after a fork) is read once per VMA range and
// protection, and a block whose entries and frames did not change since the state before
// is not read again. Call next_state() before building the MmMaps of each state.
struct PageBytesCache {
  struct Span {
    std::vector<uint8_t> page;  // hi - lo bytes
    uint32_t present = 0;       // of them, present
  };
  FrameChanges frames;
  BlockCache<Span> spans;  // extra: the mapping's share and the VMA's protection
  BlockCache<bool> large;  // the whole block: maps a page of a THP folio
  void next_state(const Engine& e);
};

// Every region of address space `as`, page by page, with its THP extents (cells empty).
// With a `cache`, blocks are read once (see PageBytesCache).
void build_mm(MmMap& out, const Engine& e, const AddressSpace& as, PageBytesCache* cache = nullptr);
// Every frame of RAM, one byte each.
std::vector<uint8_t> frame_states(const Frames& frames);
// How many frames from 0 a map of physical memory shows: up to the highest used one,
// rounded up to 256 (all of RAM when smaller); the rest are free.
uint32_t frames_shown(std::span<const uint8_t> frames);
// Pages of all mappings of `as` (what build_mm would hold).
uint64_t mm_pages(const AddressSpace& as);

// Fills r.cells: one cell per `pages_per_cell` pages (the most common present state).
// `like`: a region aggregated already at the same size (another task's copy after a
// fork): where their pages are equal, its cells are copied instead of counted again.
void aggregate_region(RegionMap& r, uint32_t pages_per_cell, const RegionMap* like = nullptr);
// One cell per `frames_per_cell` frames.
std::vector<uint16_t> aggregate_frames(std::span<const uint8_t> frames, uint32_t frames_per_cell);

}  // namespace cow::figure
