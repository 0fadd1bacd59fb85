// What a reader of successive engine states keeps from one state to the next: a value
// per span of a PTE block (an accounting tally, the page map's page bytes), computed once
// and reused for as long as the block and the frames it maps are unchanged. Not a kernel
// structure: it serves the readers of the engine's own storage (PteArray's shared blocks).
//
// A kept value is valid while
//   - its block is unchanged: the cache holds a reference to the block, so the engine
//     copies the block before writing to it (PteArray::block_mut), and a block's address
//     names the same entries for as long as it is kept;
//   - no frame the span maps changed in what readers read of it (mapcount, kind, dirty,
//     large, cache_ref): FrameChanges compares the frame table with that of the state
//     before, and next_state() drops the values that read a changed frame.
// Values not read in the last two states are dropped too, so the cache holds about the
// distinct blocks of the states a reader moves between (before and after an edit).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <unordered_map>
#include <vector>

#include "frames.h"
#include "page_table.h"

namespace cow {

// The frames that changed between two engine states a reader saw one after the other.
class FrameChanges {
 public:
  // Compares `frames` with the frames of the state given before (the first call: every
  // used frame changed) and remembers them.
  void update(const Frames& frames);
  bool changed(FrameId f) const { return all_ || (f / 64 < bits_.size() && (bits_[f / 64] >> (f % 64) & 1)); }
  // True when a frame in [first, last] may have changed (checked 64 frames at a time).
  bool any_in(FrameId first, FrameId last) const {
    auto it = std::lower_bound(words_.begin(), words_.end(), first / 64);
    return all_ || (it != words_.end() && *it <= last / 64);
  }
  bool any() const { return all_ || !words_.empty(); }

  // Frame tables larger than this (16 GiB of RAM used) are not kept: every frame counts
  // as changed, so values are kept within one state only.
  static constexpr uint32_t kMaxKept = 1u << 22;

 private:
  // What readers read of a frame, in 32 bits.
  static uint32_t key(const Frame& f) {
    return uint32_t(f.mapcount) | uint32_t(f.large) << 27 | uint32_t(f.kind) << 28 | uint32_t(f.dirty) << 30 |
           uint32_t(f.cache_ref) << 31;
  }
  std::vector<Frame> last_;      // the frame table of the last state
  std::vector<uint64_t> bits_;   // frames that changed, a bit each
  std::vector<uint32_t> words_;  // indices of the non-zero words of bits_, ascending
  bool all_ = false;             // the table was too large to keep: all changed
};

inline void FrameChanges::update(const Frames& frames) {
  const uint32_t table = frames.table_size(), n = std::max<uint32_t>(table, uint32_t(last_.size()));
  all_ = table > kMaxKept;
  if (all_) {
    last_ = {}, bits_ = {}, words_ = {};
    return;
  }
  last_.resize(n, Frame{});  // frames past a table are free
  bits_.assign((n + 63) / 64, 0);
  words_.clear();
  const Frame* now = frames.table();
  for (uint32_t w = 0; w < bits_.size(); ++w) {
    uint32_t f0 = w * 64, end = std::min(n, f0 + 64);
    if (end <= table && std::memcmp(now + f0, &last_[f0], (end - f0) * sizeof(Frame)) == 0) continue;
    uint64_t bits = 0;
    for (uint32_t f = f0; f < end; ++f) {
      Frame fr = f < table ? now[f] : Frame{};
      bits |= uint64_t(key(fr) != key(last_[f])) << (f % 64);
      last_[f] = fr;
    }
    if (bits) bits_[w] = bits, words_.push_back(w);
  }
  last_.resize(table);  // the rest are free, as frames past last_ read
}

// Values of type V per (block, entries [lo, hi), extra), where `extra` names what else
// the value depends on (a VMA's protection, say).
template <typename V>
class BlockCache {
 public:
  // The value for entries [lo, hi) of block t of `ptes` (not null), made by compute(V&)
  // when none is kept. Valid until the next call.
  template <typename F>
  const V& get(const PteArray& ptes, uint32_t t, uint32_t lo, uint32_t hi, uint32_t extra, F&& compute) {
    auto [it, fresh] = entries_.try_emplace(Key{{ptes.block(t), lo, hi}, extra});
    Entry& e = it->second;
    if (fresh) {
      e.hold = ptes.block_ref(t);
      compute(e.value);
    }
    e.used = state_;
    return e.value;
  }

  // A new state: drops the values that read a frame that changed (`changes`, updated for
  // the new state) or that were not read in the last two states.
  void next_state(const FrameChanges& changes) {
    ++state_;
    for (auto it = entries_.begin(); it != entries_.end();) {
      Entry& e = it->second;
      bool drop = e.used + 2 < state_ || (changes.any() && reads_changed(it->first, e, changes));
      it = drop ? entries_.erase(it) : std::next(it);
    }
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Key {
    BlockSpan span;
    uint32_t extra;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.span.hash() ^ size_t(k.extra) * 0xC2B2AE3D27D4EB4Full; }
  };
  struct Entry {
    PteArray::Block hold;                  // keeps the block as it is
    FrameId first = kNone, last = 0;       // the frames the span maps lie in [first, last]
    uint64_t used = 0;                     // the state it was last read in
    V value;
  };

  static bool reads_changed(const Key& k, Entry& e, const FrameChanges& changes) {
    if (e.first == kNone) {  // the range, found once
      e.first = kMaxFrames;
      for (uint32_t i = k.span.lo; i < k.span.hi; ++i) {
        Pte pte = k.span.block[i];
        FrameId f = pte::frame(pte);
        if (!pte::present(pte) || f == Frames::kZeroPage) continue;
        e.first = std::min(e.first, f), e.last = std::max(e.last, f);
      }
    }
    if (e.first > e.last || !changes.any_in(e.first, e.last)) return false;
    for (uint32_t i = k.span.lo; i < k.span.hi; ++i)
      if (pte::present(k.span.block[i]) && changes.changed(pte::frame(k.span.block[i]))) return true;
    return false;
  }

  std::unordered_map<Key, Entry, KeyHash> entries_;
  uint64_t state_ = 2;
};

}  // namespace cow
