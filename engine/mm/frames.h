// Physical memory: RAM as an array of 4 KiB frames (Linux: struct page / folio) plus the
// one shared zero page (and the huge zero page, which the engine never stores either).
//
// A folio is one 4 KiB page, or for a transparent huge page (THP) 512 contiguous frames
// aligned to 512, each marked `large` (Linux: a PMD-order anonymous folio). Each frame
// keeps its own mapcount (Linux: folio_precise_page_mapcount: the page's PTE mappings
// plus the PMD mappings of its whole folio). A THP stays allocated while any of its pages
// is mapped: the engine never splits a partly mapped folio to free the rest (Linux's
// deferred split does that only under memory pressure).
//
// Simplified: no large page-cache folios; no swap, no reclaim, no per-CPU page cache;
// allocation is deterministic, always the lowest free frame (or 2 MiB block).
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "types.h"

namespace cow {

// One frame, packed into 8 bytes: with its 4-byte PTE a private page costs the engine
// 12 bytes. mapcount has 27 bits, more than the PTEs any engine can hold.
struct Frame {
  uint64_t mapcount : 27 = 0;  // PTEs and PMDs mapping this page (folio_precise_page_mapcount)
  bool large : 1 = false;      // one of the 512 pages of a THP (folio_test_large)
  uint64_t tag : 32 = 0;       // content: ProcId + 1 of the last writer, 0 = zeros or file data
  FrameKind kind : 2 = FrameKind::Free;
  bool dirty : 1 = false;      // the frame itself is dirty (folio_test_dirty)
  bool cache_ref : 1 = false;  // the page cache or a shmem object holds a reference
};
static_assert(sizeof(Frame) == 8);

// The frame table with a lowest-free allocator. Frame ids are indices. The table is
// filled on demand up to the highest frame ever allocated, so an engine with much RAM
// and little use is small to build and to copy (session checkpoints).
class Frames {
 public:
  static constexpr FrameId kZeroPage = kMaxFrames;  // never in the table, never counted

  explicit Frames(uint32_t count = 0);

  // Returns the lowest free frame, now of `kind` with mapcount 0, or kNone if RAM is full.
  // Inline: it runs once per page fault that needs a frame.
  FrameId alloc(FrameKind kind) {
    for (uint32_t w = lowest_hint_; w < free_bits_.size(); ++w) {
      if (!free_bits_[w]) continue;
      lowest_hint_ = w;
      uint32_t bit = uint32_t(std::countr_zero(free_bits_[w]));
      free_bits_[w] &= free_bits_[w] - 1;
      FrameId f = w * 64 + bit;
      if (f >= frames_.size()) grow(f + 1);
      frames_[f] = Frame{.kind = kind};
      ++used_;
      return f;
    }
    lowest_hint_ = uint32_t(free_bits_.size());
    return kNone;
  }
  // Returns a frame with no mappings and no cache reference to the free pool.
  void free(FrameId f);

  // Returns the first of the lowest 512 free frames aligned to 512, now one anonymous THP
  // (each frame `large`, mapcount 0, the folio's mapped-page count 512), or kNone when no
  // such block is free (Linux: vma_alloc_anon_folio_pmd failing: the fault falls back).
  FrameId alloc_huge();
  // The first frame of f's THP. Precondition: frames_[f].large.
  static FrameId huge_head(FrameId f) { return f & ~(kHugePages - 1); }
  // Pages of f's THP that are still mapped (mapcount >= 1); the caller keeps it when a
  // page's mapcount drops to 0, and frees the folio (free_huge) when it reaches 0.
  uint32_t& huge_mapped(FrameId f) { return huge_mapped_[f / kHugePages]; }
  uint32_t huge_mapped(FrameId f) const { return huge_mapped_[f / kHugePages]; }
  // Returns every frame of f's THP to the free pool. Precondition: none is mapped.
  void free_huge(FrameId f);

  // Precondition: f is allocated.
  Frame& operator[](FrameId f) { return frames_[f]; }
  // Any f below total(); frames never allocated read as free.
  const Frame& operator[](FrameId f) const { return f < frames_.size() ? frames_[f] : kUnused; }
  uint32_t total() const { return total_; }
  // Frames at or above this id have never been allocated (they are free); below it the
  // table may hold free frames too.
  uint32_t table_size() const { return uint32_t(frames_.size()); }
  // Frames [0, table_size()), to compare one state's table with another's.
  const Frame* table() const { return frames_.data(); }
  // Bytes of the frame table in use and of the free bitmap (for the memory benchmark);
  // the reserved, never touched rest of the table is address space only.
  size_t memory_bytes() const {
    return frames_.size() * sizeof(Frame) + free_bits_.capacity() * sizeof(uint64_t);
  }
  uint32_t used() const { return used_; }
  uint32_t free_count() const { return total() - used_; }
  // Slow recount of used frames, for check_invariants().
  uint32_t count_used_slow() const;

 private:
  static constexpr Frame kUnused{};
  void grow(uint32_t size);

  std::vector<Frame> frames_;        // frames [0, table_size()); the rest are free
  uint32_t total_ = 0;
  std::vector<uint64_t> free_bits_;  // bit set = frame free
  std::vector<uint32_t> huge_mapped_;  // per 512-frame block: mapped pages of its THP
  uint32_t lowest_hint_ = 0;         // no free frame below this word index
  uint32_t used_ = 0;
};

}  // namespace cow
