// Page table entries and the page table of one mapping (Linux: the PTE level of the
// x86-64 page table, pte_t, plus which PTE tables exist).
//
// Simplified: instead of one radix tree per mm, each mapping (one mmap call, placed at
// its own 1 GiB-aligned address) has a dense PTE array indexed by page. Which 2 MiB PTE
// tables exist is tracked so that VmPTE (PTE + PMD + PUD tables) matches x86-64 4-level
// paging. Page tables take no frames from the simulated RAM.
//
// A 2 MiB extent (512 pages, one PTE table's worth) is either unmapped at the PMD level
// (pmd_none), points to a PTE table, or is mapped by one huge PMD: a THP or the huge zero
// page. Under a huge PMD the dense array still holds one entry per 4 KiB page (its frame,
// and the PMD's write, dirty and anon-exclusive bits), so that accounting, the pagemap and
// the invariants read every page the same way; the PmdState says those entries are one
// PMD. Linux deposits a preallocated PTE table with each huge PMD
// (pgtable_trans_huge_deposit, counted by mm_inc_nr_ptes), which a split uses: a huge
// extent therefore counts as a PTE table too (VmPTE).
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "types.h"

namespace cow {

// A PTE packed in 32 bits: frame number (or Frames::kZeroPage) plus four flags.
//
// kAnonExclusive stands for Linux's PageAnonExclusive, a flag of the page, kept here in
// the one PTE that maps it: the anonymous page belongs to this address space alone. A
// zero-fill, a COW copy and a reuse set it; fork clears it on both sides and nothing
// sets it again but a write fault's reuse. mprotect back to writable makes exactly these
// private PTEs writable at once (docs/kernel-rules.md, "mprotect back to writable").
using Pte = uint32_t;
enum class Writable : uint8_t { No, Yes };
enum class Dirty : uint8_t { No, Yes };
namespace pte {
constexpr Pte kFrameMask = (1u << 25) - 1;
constexpr Pte kAnonExclusive = 1u << 28;
constexpr Pte kPresent = 1u << 29;
constexpr Pte kWritable = 1u << 30;
constexpr Pte kDirty = 1u << 31;
inline bool present(Pte p) { return p & kPresent; }
inline bool writable(Pte p) { return p & kWritable; }
inline bool dirty(Pte p) { return p & kDirty; }
inline bool anon_exclusive(Pte p) { return p & kAnonExclusive; }
inline FrameId frame(Pte p) { return p & kFrameMask; }
inline Pte make(FrameId f, Writable w, Dirty d) {
  return f | kPresent | (w == Writable::Yes ? kWritable : 0) | (d == Dirty::Yes ? kDirty : 0);
}
// The PTE of an anonymous page this address space alone owns, just written: writable,
// dirty, anon-exclusive (do_anonymous_page, wp_page_copy, do_cow_fault, wp_page_reuse).
inline Pte make_exclusive(FrameId f) { return make(f, Writable::Yes, Dirty::Yes) | kAnonExclusive; }
}  // namespace pte

// What the PMD entry of one 2 MiB extent holds.
enum class PmdState : uint8_t {
  None,      // pmd_none: no PTE table, nothing mapped
  Empty,     // pmd_none too, but a huge PMD was zapped here (MADV_DONTNEED): the PMD
             // table that held it stays, as in Linux, while its PTE table went with it
  Table,     // a PTE table
  Huge,      // a PMD-mapped THP (pmd_trans_huge), with its deposited PTE table
  HugeZero,  // the huge zero page (is_huge_zero_pmd), with its deposited PTE table
};

// Entries [lo, hi) of one PTE block, named by the block's address: what a reader of a
// state keys its work on, so that a block several page tables share (after a fork) is
// read once and its result reused for the others (BlockCache, block_cache.h).
struct BlockSpan {
  const Pte* block;
  uint32_t lo, hi;
  bool operator==(const BlockSpan&) const = default;
  size_t hash() const {
    return std::hash<const void*>()(block) ^ (size_t(lo) << 20 | hi) * 0x9E3779B97F4A7C15ull;
  }
};

// The dense PTE array of one mapping, stored as blocks of one PTE table (512 entries)
// that several page tables share until one of them writes: copy on write of the engine's
// own storage, not a model of Linux (whose fork copies PTE tables). A fork whose child
// ends up with the parent's PTEs, and a session snapshot (an Engine copy), share the
// blocks instead of copying them; the first write to a shared block copies it. A block
// never written reads as zeros and takes no memory. Reading never copies; writing goes
// through mut() or block_mut().
class PteArray {
 public:
  using Block = std::shared_ptr<Pte[]>;

  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Pte operator[](uint32_t i) const {
    const Pte* b = blocks_[i / kPtesPerTable].get();
    return b ? b[i % kPtesPerTable] : 0;
  }
  // The entry, writable: its block is made this array's own first.
  Pte& mut(uint32_t i) { return block_mut(i / kPtesPerTable)[i % kPtesPerTable]; }
  // Grows to n entries, the new ones zero (never shrinks).
  void resize(uint32_t n);

  // Calls f(t, lo, hi) for each block t that pages [first, end) reach, in order, with the
  // entries [lo, hi) of the block they cover (block-relative). `end` is not clamped to
  // size(): a caller reading past it checks t < block_count().
  template <typename F>
  static void for_each_block_span(uint32_t first, uint32_t end, F&& f) {
    for (uint32_t q = first; q < end;) {
      uint32_t t = q / kPtesPerTable, base = t * kPtesPerTable, stop = std::min(end, base + kPtesPerTable);
      f(t, q - base, stop - base);
      q = stop;
    }
  }

  // Calls f(page, pte) for every present PTE of pages [first, end), in order; blocks
  // never written are skipped whole.
  template <typename F>
  void for_each_present(uint32_t first, uint32_t end, F&& f) const {
    for_each_block_span(first, std::min(end, size_), [&](uint32_t t, uint32_t lo, uint32_t hi) {
      if (const Pte* b = blocks_[t].get())
        for (uint32_t i = lo; i < hi; ++i)
          if (pte::present(b[i])) f(t * kPtesPerTable + i, b[i]);
    });
  }

  // Blocks: entries [t*512, t*512 + block_size(t)).
  uint32_t block_count() const { return uint32_t(blocks_.size()); }
  uint32_t block_size(uint32_t t) const { return std::min(kPtesPerTable, size_ - t * kPtesPerTable); }
  const Pte* block(uint32_t t) const { return blocks_[t].get(); }  // null: all zero
  // This array's own copy of block t, allocated when null. Inline: it runs once per fault.
  Pte* block_mut(uint32_t t) {
    Block& b = blocks_[t];
    if (b && b.use_count() == 1) [[likely]]
      return b.get();
    return own_block(t);
  }
  bool block_shared(uint32_t t) const { return blocks_[t] && blocks_[t].use_count() > 1; }
  // Block t itself, shared: whoever holds it keeps its entries as they are now.
  const Block& block_ref(uint32_t t) const { return blocks_[t]; }
  // True when block t of this array and of `other` are one block (so hold equal entries).
  bool same_block(uint32_t t, const PteArray& other) const {
    return t < other.blocks_.size() && blocks_[t] == other.blocks_[t];
  }
  // Block t of this array becomes block t of `from`, shared (both of the same size).
  void share_block(uint32_t t, const PteArray& from) { blocks_[t] = from.blocks_[t]; }

  // Reading every entry in order (range-for).
  struct Iter {
    const PteArray* a;
    uint32_t i;
    Pte operator*() const { return (*a)[i]; }
    Iter& operator++() { return ++i, *this; }
    bool operator!=(const Iter& o) const { return i != o.i; }
  };
  Iter begin() const { return {this, 0}; }
  Iter end() const { return {this, size_}; }

 private:
  Pte* own_block(uint32_t t);  // allocates or copies block t
  std::vector<Block> blocks_;
  uint32_t size_ = 0;
};

// The PTEs of one mapping. `ptes` is empty until the first PTE table is needed.
struct PageTable {
  PteArray ptes;
  std::vector<PmdState> tables;  // per extent [i*512, i*512+512)

  // Makes room for `pages` PTEs and marks the PTE table holding `page` as present.
  // Returns true when that PTE table is new.
  bool ensure_table(uint32_t pages, uint32_t page);
  bool has_table(uint32_t page) const { return pmd(page) >= PmdState::Table; }
  bool pmd_none(uint32_t page) const { return pmd(page) <= PmdState::Empty; }
  PmdState pmd(uint32_t page) const {
    return page / kPtesPerTable < tables.size() ? tables[page / kPtesPerTable] : PmdState::None;
  }
  // True when one huge PMD maps the extent holding `page` (THP or huge zero page).
  bool huge(uint32_t page) const { return pmd(page) >= PmdState::Huge; }
  Pte get(uint32_t page) const { return page < ptes.size() ? ptes[page] : 0; }
  uint32_t table_count() const;
};

}  // namespace cow
