// fork (Linux: copy_process -> dup_mmap -> copy_page_range).
//
// COW mode: every VMA the child inherits gets the parent's VMA; only VMAs that have
// anonymous pages (vma_needs_copy) get their PTEs copied, and those PTEs are
// write-protected in parent and child. No page data is copied.
// Copy mode (xv6 before COW): the same PTEs are copied, but each anonymous frame is
// duplicated at once; zero-page PTEs and page-cache pages stay shared.
// A huge PMD is copied as one entry (copy_huge_pmd), write-protected on both sides, the
// huge zero page as is; in copy mode the child gets 4 KiB copies of a THP's pages instead.
// Each VMA's decision is one ForkVma event.
#include <algorithm>
#include <cassert>
#include <optional>
#include <set>

#include "engine.h"

namespace cow {

struct ForkOp {
  // What copying one VMA did.
  struct VmaCopy {
    uint32_t copied = 0, write_protected = 0, frames_copied = 0, pmds = 0;
    PageTableCounts tables;  // allocated in the child
  };

  // The child's page-table pages as fork allocates them: PUD and PMD tables are implied
  // by the PTE tables under them (page_walk.h), so a new PTE table may bring new ones.
  struct ChildTables {
    std::set<uint64_t> gibs, slots;
    void add(const Mapping& m, uint32_t page, PageTableCounts& added) {
      uint64_t gib = m.address(page) >> 30;
      ++added.pte;
      added.pmd += gibs.insert(gib).second;
      added.pud += slots.insert(gib / kGiBPerPud).second;
    }
  };

  // fork's decision for VMA v of mapping m (Linux: dup_mmap, then vma_needs_copy: copy
  // when the VMA has an anon_vma).
  static ForkDecision decide(const Mapping& m, const Vma& v) {
    if (v.dontfork) return ForkDecision::DontFork;
    if (v.wipeonfork) return ForkDecision::WipeOnFork;
    return m.share == Share::Private && v.has_anon ? ForkDecision::CopyPtes : ForkDecision::NoAnonVma;
  }

  // dup_mmap's charges: each accountable VMA the child gets is charged to the child, in
  // VMA order, judged against the parent's mm. On a refusal every charge made so far is
  // undone (the fail_nomem path) and the refusal records the child's whole charge.
  // Returns the pages charged, or nullopt when refused.
  static std::optional<uint64_t> charge_child(Engine& e, ProcId parent) {
    const AddressSpace& from = e.mms_[e.procs_[parent].mm];
    uint64_t charged = 0, total = 0;
    for (const Vma& v : from.vmas)
      if (v.account && !v.dontfork) total += v.end - v.first;
    for (const Vma& v : from.vmas) {
      if (!v.account || v.dontfork) continue;
      if (!e.charge(parent, CommitOp::Fork, from.mappings[v.mapping].name, v.end - v.first)) {
        e.uncharge(charged);
        e.refusals_.back().fork_total = total;
        return std::nullopt;
      }
      charged += v.end - v.first;
    }
    return charged;
  }

  // Frames an eager-copy fork of `as` would allocate, and how many of them copy pages of THPs.
  struct EagerFrames {
    uint64_t total = 0, of_thps = 0;
  };
  static EagerFrames frames_needed(const Engine& e, const AddressSpace& as) {
    EagerFrames n;
    for (const Vma& v : as.vmas) {
      const Mapping& m = as.mappings[v.mapping];
      if (decide(m, v) != ForkDecision::CopyPtes) continue;
      for (uint32_t q = v.first; q < v.end && q < m.pt.ptes.size(); ++q) {  // (reads only)
        Pte x = m.pt.ptes[q];
        if (!pte::present(x) || pte::frame(x) == Frames::kZeroPage) continue;
        const Frame& f = e.frames_[pte::frame(x)];
        n.total += f.kind == FrameKind::Anon;
        n.of_thps += f.kind == FrameKind::Anon && f.large;
      }
    }
    return n;
  }

  // copy_present_pte for every PTE of PTE table t, which the VMA covers whole: each frame
  // one mapping more; every PTE write-protected and no longer anon-exclusive, on both
  // sides. Parent and child then hold equal PTEs, so the child shares the parent's block
  // (PteArray), which is written only when some PTE changes. Counts into r.
  static void share_pte_table(Engine& e, PteArray& from, PteArray& to, uint32_t t, VmaCopy& r) {
    constexpr Pte kDrop = pte::kWritable | pte::kAnonExclusive;
    const Pte* src = from.block(t);
    if (!src) return;  // nothing present
    uint32_t copied = 0, write_protected = 0, n = from.block_size(t);
    Pte drop = 0;
    for (uint32_t i = 0; i < n; ++i) {
      Pte x = src[i];
      if (!pte::present(x)) continue;
      ++copied;
      drop |= x;
      FrameId f = pte::frame(x);
      if (f == Frames::kZeroPage) continue;
      ++e.frames_[f].mapcount;
      write_protected += pte::writable(x);
    }
    if (drop & kDrop) {  // the zero page's PTEs and absent ones carry neither bit
      Pte* w = from.block_mut(t);
      for (uint32_t i = 0; i < n; ++i) w[i] &= ~kDrop;
    }
    to.share_block(t, from);
    r.copied += copied, r.write_protected += write_protected;
  }

  // copy_huge_pmd: the child's PMD maps the same THP (each page one mapping more) or the
  // huge zero page; a THP's PMD is write-protected and no longer anon-exclusive on both
  // sides. `first` is the extent's first page; the child's deposited table exists.
  static void copy_huge_pmd(Engine& e, PageTable& from, PageTable& to, uint32_t first) {
    VmaCopy ignored;
    share_pte_table(e, from.ptes, to.ptes, first / kHugePages, ignored);
    to.tables[first / kHugePages] = from.tables[first / kHugePages];
  }

  // Copies the PTEs (and huge PMDs) of VMA v from parent to child.
  static VmaCopy copy_ptes(Engine& e, Mapping& from, Mapping& to, const Vma& v, AddressSpace& child,
                           ChildTables& tables) {
    VmaCopy r;
    bool eager = e.config_.modes.fork == ForkMode::Copy;
    for (uint32_t t = v.first / kPtesPerTable; t * kPtesPerTable < v.end; ++t) {
      uint32_t first = t * kPtesPerTable;
      if (!from.pt.has_table(first)) continue;
      if (e.ensure_table(to.pt, to.pages, first)) tables.add(to, first, r.tables);
      if (from.pt.huge(first) && !eager) {
        copy_huge_pmd(e, from.pt, to.pt, first);
        child.present += kHugePages;
        ++r.pmds;
        continue;
      }
      bool whole = v.first <= first && v.end >= first + from.pt.ptes.block_size(t);
      if (whole && !eager && !to.pt.ptes.block(t))
        share_pte_table(e, from.pt.ptes, to.pt.ptes, t, r);
      else
        copy_pte_range(e, from, to, v, first, r);
    }
    child.present += r.copied;
    return r;
  }

  // copy_pte_range for the pages of VMA v in the PTE table starting at `first`. (Counts
  // and PTE arrays in locals: the compiler would otherwise reload them after each store,
  // as they might alias.)
  static void copy_pte_range(Engine& e, Mapping& from, Mapping& to, const Vma& v, uint32_t first, VmaCopy& r) {
    uint32_t end = std::min<uint32_t>({v.end, first + kPtesPerTable, uint32_t(from.pt.ptes.size())});
    bool eager = e.config_.modes.fork == ForkMode::Copy;
    if (!from.pt.ptes.block(first / kPtesPerTable)) return;  // nothing present
    Pte* src = from.pt.ptes.block_mut(first / kPtesPerTable);  // [q - first]
    Pte* dst = to.pt.ptes.block_mut(first / kPtesPerTable);
    uint32_t copied = 0, write_protected = 0, frames_copied = 0;
    for (uint32_t q = std::max(v.first, first); q < end; ++q) {
      Pte x = src[q - first];
      if (!pte::present(x)) continue;
      FrameId f = pte::frame(x);
      ++copied;
      if (f == Frames::kZeroPage) {
        dst[q - first] = x;
      } else if (eager && e.frames_[f].kind == FrameKind::Anon) {
        // copy_present_page: the child's own copy, writable when the VMA is.
        FrameId g = e.frames_.alloc(FrameKind::Anon);  // frames_needed() checked there is room
        e.frames_[g] = Frame{.mapcount = 1, .tag = e.frames_[f].tag, .kind = FrameKind::Anon, .dirty = true};
        Pte copy = pte::make_exclusive(g);
        dst[q - first] = v.prot == Prot::ReadWrite ? copy : copy & ~pte::kWritable;
        ++frames_copied;
      } else {
        // copy_present_pte: both sides write-protected and no longer anon-exclusive.
        ++e.frames_[f].mapcount;
        write_protected += pte::writable(x);
        src[q - first] = x & ~(pte::kWritable | pte::kAnonExclusive);
        dst[q - first] = x & ~(pte::kWritable | pte::kAnonExclusive);
      }
    }
    r.copied += copied, r.write_protected += write_protected, r.frames_copied += frames_copied;
  }
};

OpResult Engine::fork(ProcId parent, std::string_view name) {
  if (OpResult r = check_actor(parent); r.rejected()) return r;
  if (find_process(name) != kNone)
    return {.outcome = Outcome::Error, .error = "process '" + std::string(name) + "' already exists"};
  MmId pmm = procs_[parent].mm;
  std::optional<uint64_t> charged = ForkOp::charge_child(*this, parent);
  if (!charged) {  // the CommitRefused event tells the story
    ++counters_.fork_failures;
    return {.outcome = Outcome::ForkFailed};
  }
  ForkOp::EagerFrames eager = config_.modes.fork == ForkMode::Copy ? ForkOp::frames_needed(*this, mms_[pmm])
                                                                   : ForkOp::EagerFrames{};
  if (eager.total > frames_.free_count()) {
    uncharge(*charged);
    ++counters_.fork_failures;
    emit({.kind = EventKind::ForkFailed, .proc = parent, .count = uint32_t(eager.total)});
    return {.outcome = Outcome::ForkFailed};
  }
  MmId cmm = new_mm();
  ProcId child = ProcId(procs_.size());  // the id add_task gives it below
  emit({.kind = EventKind::Fork, .proc = parent, .other = child});
  AddressSpace& from = mms_[pmm];
  AddressSpace& to = mms_[cmm];
  to.next_gib = from.next_gib;
  to.committed = *charged;
  for (const Mapping& m : from.mappings)
    to.mappings.push_back({.name = m.name, .base_gib = m.base_gib, .pages = m.pages,
                           .backing = m.backing, .share = m.share, .object = m.object});
  uint64_t copied = 0, protected_now = 0, pmds = 0;
  ForkOp::ChildTables tables;
  for (const Vma& v : from.vmas) {
    const Mapping& m = from.mappings[v.mapping];
    Event ev{.kind = EventKind::ForkVma, .decision = ForkOp::decide(m, v), .proc = parent, .mm = cmm,
             .region = m.name, .page = v.first, .pages = v.end - v.first, .other = child};
    if (ev.decision != ForkDecision::DontFork) {
      Vma cv = v;
      if (v.wipeonfork) cv.has_anon = false;  // the child starts without anon_vma
      to.vmas.push_back(cv);
    }
    if (ev.decision == ForkDecision::CopyPtes) {
      ForkOp::VmaCopy c = ForkOp::copy_ptes(*this, from.mappings[v.mapping], to.mappings[v.mapping], v, to, tables);
      copied += c.copied;
      pmds += c.pmds;
      protected_now += c.write_protected;
      ev.pmds_copied = c.pmds;
      ev.count = c.copied;
      ev.write_protected = c.write_protected;
      ev.frames_copied = c.frames_copied;
      ev.tables = c.tables;
    }
    emit_detail(ev);
  }
  counters_.ptes_copied += copied;
  counters_.pmds_copied += pmds;
  ProcId added = add_task({.name = std::string(name), .parent = parent, .leader = child, .mm = cmm});
  assert(added == child);
  (void)added;
  if (copied) emit({.kind = EventKind::PtesCopied, .proc = parent, .count = uint32_t(copied), .other = child});
  if (eager.total)
    emit({.kind = EventKind::FramesCopied, .proc = parent, .pages = uint32_t(eager.of_thps),
          .count = uint32_t(eager.total), .other = child});
  if (protected_now) emit({.kind = EventKind::WriteProtect, .proc = parent, .count = uint32_t(protected_now), .other = child});
  return {.created = child};
}

}  // namespace cow
