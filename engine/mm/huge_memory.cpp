// Transparent huge pages at fault time, split, zap (Linux: mm/huge_memory.c). The rules
// are in docs/kernel-rules.md, "Transparent huge pages"; which VMAs and extents may get a
// huge PMD is in thp.h.
#include <algorithm>
#include <utility>

#include "engine.h"
#include "fault.h"
#include "thp.h"

namespace cow {

namespace {
using H = Handler;
constexpr HandlerPath kHugeAnonPath{H::CreateHugePmd, H::DoHugePmdAnonymousPage};
constexpr HandlerPath kHugeZeroWpPath{H::WpHugePmd, H::DoHugePmdWpPage, H::DoHugeZeroWpPmd};
constexpr HandlerPath kHugeReusePath{H::WpHugePmd, H::DoHugePmdWpPage};
constexpr HandlerPath kSplitPrefix{H::WpHugePmd, H::DoHugePmdWpPage, H::SplitHugePmd};
}  // namespace

void Fault::record_huge(FaultCtx& c, PageStep s) {
  s.page = c.page & ~(kHugePages - 1);
  s.span = kHugePages;
  c.e.emit_page(c.actor, c.mm, c.map.name, s);
}

void Fault::map_new_thp(FaultCtx& c, FrameId head) {
  uint32_t first = c.page & ~(kHugePages - 1);
  Pte* ptes = c.map.pt.ptes.block_mut(first / kHugePages);  // a huge extent is one whole block
  for (uint32_t i = 0; i < kHugePages; ++i) {
    c.frames[head + i].mapcount = 1;
    c.frames[head + i].dirty = true;
    ptes[i] = pte::make_exclusive(head + i);
  }
  c.frames[head + (c.page - first)].tag = c.tag;
  c.map.pt.tables[first / kHugePages] = PmdState::Huge;
  ++c.counters.thp_faults;
}

// First touch of the extent. anon_vma_prepare runs first, so even a read gives the VMA
// an anon_vma (fork then copies the huge zero PMD). A read maps the huge zero page; a
// write allocates a THP, or falls back to 4 KiB pages when no 2 MiB block is free.
FaultResult Fault::do_huge_pmd_anonymous_page(FaultCtx& c, Access access) {
  c.vma.has_anon = true;
  uint32_t first = c.page & ~(kHugePages - 1);
  FrameId head = Frames::kZeroPage;
  if (access == Access::Write) {
    head = c.frames.alloc_huge();
    if (head == kNone) return FaultResult::Fallback;
  }
  c.e.ensure_table(c.map.pt, c.map.pages, first);  // the table deposited with the PMD
  c.as.present += kHugePages;
  if (access == Access::Read) {
    Pte zero = pte::make(Frames::kZeroPage, Writable::No, Dirty::No);
    std::fill_n(c.map.pt.ptes.block_mut(first / kHugePages), kHugePages, zero);
    c.map.pt.tables[first / kHugePages] = PmdState::HugeZero;
    ++c.counters.huge_zero_maps;
    c.resume = first + kHugePages;
    record_huge(c, {.kind = EventKind::ZeroPageMap, .reason = FaultReason::HugeFirstRead, .path = kHugeAnonPath,
                    .frame = Frames::kZeroPage, .pte_after = zero});
    return FaultResult::Resolved;
  }
  map_new_thp(c, head);
  record_huge(c, {.kind = EventKind::ZeroFill, .reason = FaultReason::HugeFirstWrite, .path = kHugeAnonPath,
                  .frame = head, .pte_after = pte::make_exclusive(head), .mapcount_after = 1});
  return FaultResult::Resolved;
}

// Write to the huge zero page: a new THP takes its place; without a free 2 MiB block the
// PMD is split into 512 zero-page PTEs and the PTE level zero-fills one page.
FaultResult Fault::do_huge_zero_wp_pmd(FaultCtx& c) {
  FrameId head = c.frames.alloc_huge();
  if (head == kNone) {
    c.e.split_huge_pmd(c.map.pt, c.page);
    c.huge_prefix = kSplitPrefix;
    return FaultResult::Fallback;
  }
  Pte zero = c.map.pt.ptes[c.page];
  map_new_thp(c, head);
  record_huge(c, {.kind = EventKind::ZeroFill, .reason = FaultReason::HugeZeroPage, .path = kHugeZeroWpPath,
                  .frame = Frames::kZeroPage, .pte_before = zero, .pte_after = pte::make_exclusive(head),
                  .mapcount_after = 1});
  return FaultResult::Resolved;
}

// Write to a write-protected THP PMD: reused whole when this PMD alone maps the THP
// (wp_can_reuse); otherwise the PMD is split and the PTE level copies or reuses the page.
FaultResult Fault::do_huge_pmd_wp_page(FaultCtx& c) {
  Reuse decision = wp_can_reuse(c.frames, c.map.pt, c.page);
  if (!decision.reuse) {
    c.e.split_huge_pmd(c.map.pt, c.page);
    c.huge_prefix = kSplitPrefix;
    return FaultResult::Fallback;
  }
  uint32_t first = c.page & ~(kHugePages - 1);
  Pte before = c.map.pt.ptes[first];
  FrameId head = pte::frame(before);
  Pte* ptes = c.map.pt.ptes.block_mut(first / kHugePages);
  for (uint32_t i = 0; i < kHugePages; ++i) ptes[i] = pte::make_exclusive(head + i);
  c.frames[pte::frame(c.map.pt.ptes[c.page])].tag = c.tag;
  ++c.counters.cow_reuses;
  record_huge(c, {.kind = EventKind::CowReuse, .reason = decision.why, .path = kHugeReusePath, .frame = head,
                  .pte_before = before, .pte_after = c.map.pt.ptes[first], .mapcount_before = 1,
                  .mapcount_after = 1});
  return FaultResult::Resolved;
}

// ---- split, zap, free ----------------------------------------------------------------

void Engine::split_huge_pmd(PageTable& pt, uint32_t page) {
  pt.tables[page / kHugePages] = PmdState::Table;
  ++counters_.thp_splits;
}

void Engine::split_pmd_at(ProcId p, uint32_t mapping, uint32_t page) {
  MmId mm = procs_[p].mm;
  Mapping& m = mms_[mm].mappings[mapping];
  if (page % kHugePages == 0 || !m.pt.huge(page)) return;
  split_huge_pmd(m.pt, page);
  emit_detail({.kind = EventKind::PmdSplit, .proc = p, .mm = mm, .region = m.name,
               .page = page & ~(kHugePages - 1), .pages = kHugePages});
}

void Engine::split_spans(ProcId p, uint32_t mapping, const Pages& spans) {
  AddressSpace& as = mms_[procs_[p].mm];
  for (const PageSpan& s : spans) {
    for (uint32_t page : {s.first, s.last + 1}) {
      split_pmd_at(p, mapping, page);
      as.split_at(mapping, page);
    }
  }
}

// zap_huge_pmd: the PMD and its deposited table go (zap_deposited_table); the THP loses
// one mapping of each page.
void Engine::zap_huge_pmd(AddressSpace& as, PageTable& pt, uint32_t first) {
  Pte* ptes = pt.ptes.block_mut(first / kHugePages);
  for (uint32_t i = 0; i < kHugePages; ++i) {
    FrameId f = pte::frame(std::exchange(ptes[i], 0));
    if (f != Frames::kZeroPage) put_frame(f);
  }
  as.present -= kHugePages;
  pt.tables[first / kHugePages] = PmdState::Empty;
}

void Engine::put_huge_page(FrameId f) {
  if (--frames_.huge_mapped(f) != 0) return;
  FrameId head = Frames::huge_head(f);
  frames_.free_huge(head);
  emit_detail({.kind = EventKind::FramesFreed, .frame = head, .count = kHugePages});
}

}  // namespace cow
