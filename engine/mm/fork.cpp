// fork (Linux: copy_process -> dup_mmap -> copy_page_range).
//
// COW mode: every VMA the child inherits gets the parent's VMA; only VMAs that have
// anonymous pages (vma_needs_copy) get their PTEs copied, and those PTEs are
// write-protected in parent and child. No page data is copied.
// Copy mode (xv6 before COW): the same PTEs are copied, but each anonymous frame is
// duplicated at once; zero-page PTEs and page-cache pages stay shared.
#include "engine.h"

namespace cow {

struct ForkOp {
  // True when fork copies the PTEs of this VMA (Linux: vma_needs_copy).
  static bool needs_copy(const Mapping& m, const Vma& v) {
    return m.share == Share::Private && v.has_anon && !v.wipeonfork;
  }

  // Frames an eager-copy fork of `as` would allocate.
  static uint64_t frames_needed(const Engine& e, const AddressSpace& as) {
    uint64_t n = 0;
    for (const Vma& v : as.vmas) {
      const Mapping& m = as.mappings[v.mapping];
      if (v.dontfork || !needs_copy(m, v)) continue;
      for (uint32_t q = v.first; q < v.end && q < m.pt.ptes.size(); ++q) {
        Pte x = m.pt.ptes[q];
        n += pte::present(x) && pte::frame(x) != Frames::kZeroPage &&
             e.frames_[pte::frame(x)].kind == FrameKind::Anon;
      }
    }
    return n;
  }

  // Copies the PTEs of VMA v from parent to child. Returns {PTEs copied, write-protected}.
  static std::pair<uint32_t, uint32_t> copy_ptes(Engine& e, Mapping& from, Mapping& to, const Vma& v,
                                                 AddressSpace& child) {
    uint32_t copied = 0, protected_now = 0;
    for (uint32_t t = v.first / kPtesPerTable; t * kPtesPerTable < v.end; ++t)
      if (from.pt.has_table(t * kPtesPerTable)) e.ensure_table(to.pt, to.pages, t * kPtesPerTable);
    uint32_t end = std::min<uint32_t>(v.end, uint32_t(from.pt.ptes.size()));
    bool eager = e.fork_mode_ == ForkMode::Copy;
    for (uint32_t q = v.first; q < end; ++q) {
      Pte x = from.pt.ptes[q];
      if (!pte::present(x)) continue;
      FrameId f = pte::frame(x);
      ++copied;
      if (f == Frames::kZeroPage) {
        to.pt.ptes[q] = x;
      } else if (eager && e.frames_[f].kind == FrameKind::Anon) {
        FrameId g = e.frames_.alloc(FrameKind::Anon);  // frames_needed() checked there is room
        e.frames_[g] = Frame{.mapcount = 1, .tag = e.frames_[f].tag, .kind = FrameKind::Anon, .dirty = true};
        to.pt.ptes[q] = pte::make(g, pte::writable(x), true);
      } else {
        ++e.frames_[f].mapcount;
        protected_now += pte::writable(x);
        from.pt.ptes[q] = x & ~pte::kWritable;
        to.pt.ptes[q] = x & ~pte::kWritable;
      }
    }
    child.present += copied;
    return {copied, protected_now};
  }
};

OpResult Engine::fork(ProcId parent, std::string_view name) {
  if (OpResult r = check_actor(parent); r.rejected()) return r;
  if (find_process(name) != kNone)
    return {.outcome = Outcome::Error, .error = "process '" + std::string(name) + "' already exists"};
  MmId pmm = procs_[parent].mm;
  if (fork_mode_ == ForkMode::Copy && ForkOp::frames_needed(*this, mms_[pmm]) > frames_.free_count()) {
    ++counters_.fork_failures;
    emit({.kind = EventKind::ForkFailed, .proc = parent,
          .count = uint32_t(ForkOp::frames_needed(*this, mms_[pmm]))}, false);
    return {.outcome = Outcome::ForkFailed};
  }
  uint64_t eager_frames = fork_mode_ == ForkMode::Copy ? ForkOp::frames_needed(*this, mms_[pmm]) : 0;
  MmId cmm = new_mm();
  AddressSpace& from = mms_[pmm];
  AddressSpace& to = mms_[cmm];
  to.next_gib = from.next_gib;
  for (const Mapping& m : from.mappings)
    to.mappings.push_back({.name = m.name, .base_gib = m.base_gib, .pages = m.pages,
                           .backing = m.backing, .share = m.share, .object = m.object});
  uint64_t copied = 0, protected_now = 0;
  for (const Vma& v : from.vmas) {
    if (v.dontfork) continue;
    Vma cv = v;
    if (v.wipeonfork) cv.has_anon = false;  // the child starts without anon_vma
    to.vmas.push_back(cv);
    if (!ForkOp::needs_copy(from.mappings[v.mapping], v)) continue;
    auto [c, w] = ForkOp::copy_ptes(*this, from.mappings[v.mapping], to.mappings[v.mapping], v, to);
    copied += c;
    protected_now += w;
  }
  counters_.ptes_copied += copied;
  ProcId child = ProcId(procs_.size());
  procs_.push_back({.name = std::string(name), .parent = parent, .leader = child, .mm = cmm});
  emit({.kind = EventKind::Fork, .proc = parent, .other = child}, false);
  if (copied) emit({.kind = EventKind::PtesCopied, .proc = parent, .count = uint32_t(copied), .other = child}, false);
  if (eager_frames) emit({.kind = EventKind::FramesCopied, .proc = parent, .count = uint32_t(eager_frames), .other = child}, false);
  if (protected_now) emit({.kind = EventKind::WriteProtect, .proc = parent, .count = uint32_t(protected_now)}, false);
  return {.created = child};
}

}  // namespace cow
