#include "frames.h"

#include <algorithm>
#include <bit>
#include <cassert>

namespace cow {

Frames::Frames(uint32_t count) : total_(count), free_bits_((count + 63) / 64, ~uint64_t(0)) {
  if (count % 64) free_bits_.back() = (uint64_t(1) << (count % 64)) - 1;
}

// Grows the table to hold frame size - 1, by half its size at least (so that growing is
// rare). The first growth reserves room for every frame: the table is never moved after
// that, and the reserved part that is never used costs address space, not memory.
void Frames::grow(uint32_t size) {
  size_t want = std::max<size_t>({size, frames_.size() + frames_.size() / 2, 1024});
  if (frames_.capacity() < total_) frames_.reserve(total_);
  frames_.resize(std::min<size_t>(want, total_));
}

void Frames::free(FrameId f) {
  assert(f < frames_.size() && frames_[f].kind != FrameKind::Free);
  assert(frames_[f].mapcount == 0 && !frames_[f].cache_ref);
  frames_[f] = Frame{};
  free_bits_[f / 64] |= uint64_t(1) << (f % 64);
  if (f / 64 < lowest_hint_) lowest_hint_ = f / 64;
  --used_;
}

FrameId Frames::alloc_huge() {
  constexpr uint32_t kWords = kHugePages / 64;
  for (uint32_t w = lowest_hint_ / kWords * kWords; w + kWords <= free_bits_.size(); w += kWords) {
    bool all_free = true;
    for (uint32_t k = 0; k < kWords && all_free; ++k) all_free = free_bits_[w + k] == ~uint64_t(0);
    if (!all_free) continue;
    FrameId head = w * 64;
    if (head + kHugePages > total_) break;
    if (head + kHugePages > frames_.size()) grow(head + kHugePages);
    for (uint32_t k = 0; k < kWords; ++k) free_bits_[w + k] = 0;
    for (uint32_t i = 0; i < kHugePages; ++i) frames_[head + i] = Frame{.large = true, .kind = FrameKind::Anon};
    if (huge_mapped_.size() <= head / kHugePages) huge_mapped_.resize(head / kHugePages + 1, 0);
    huge_mapped_[head / kHugePages] = kHugePages;
    used_ += kHugePages;
    return head;
  }
  return kNone;
}

void Frames::free_huge(FrameId f) {
  FrameId head = huge_head(f);
  assert(huge_mapped_[head / kHugePages] == 0);
  for (uint32_t i = 0; i < kHugePages; ++i) {
    frames_[head + i].large = false;
    free(head + i);
  }
}

uint32_t Frames::count_used_slow() const {
  uint32_t n = 0;
  for (uint32_t f = 0; f < total_; ++f) {
    bool is_free = (free_bits_[f / 64] >> (f % 64)) & 1;
    bool kind_free = (*this)[f].kind == FrameKind::Free;
    if (is_free != kind_free) return UINT32_MAX;  // bitmap and table disagree
    n += !is_free;
  }
  return n;
}

}  // namespace cow
