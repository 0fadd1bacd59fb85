#include "fault.h"

#include <algorithm>

#include "engine.h"
#include "thp.h"

namespace cow {

namespace {
// The handler paths, outermost first (Linux 6.x: a missing PTE goes through
// do_pte_missing, and do_fault for file and shmem mappings).
using H = Handler;
constexpr HandlerPath kAnonPath{H::HandlePteFault, H::DoPteMissing, H::DoAnonymousPage};
constexpr HandlerPath kReadPath{H::HandlePteFault, H::DoPteMissing, H::DoFault, H::DoReadFault};
constexpr HandlerPath kCowPath{H::HandlePteFault, H::DoPteMissing, H::DoFault, H::DoCowFault};
constexpr HandlerPath kSharedPath{H::HandlePteFault, H::DoPteMissing, H::DoFault, H::DoSharedFault};
constexpr HandlerPath kReusePath{H::HandlePteFault, H::DoWpPage, H::WpPageReuse};
constexpr HandlerPath kCopyPath{H::HandlePteFault, H::DoWpPage, H::WpPageCopy};
constexpr HandlerPath kWpSharedPath{H::HandlePteFault, H::DoWpPage, H::WpPageShared};
}  // namespace

// Records what happened at c.page: `s` says what and why, this adds who and where (and
// the huge handlers that ran first, when one split a PMD and fell back).
inline void Fault::record(FaultCtx& c, PageStep s) {
  s.page = c.page;
  if (c.huge_prefix.size()) [[unlikely]]
    s.path = c.huge_prefix.then(s.path);
  c.e.emit_page(c.actor, c.mm, c.map.name, s);
}

// mm_account_fault: the task's min_flt, and the machine's counts by access.
void Fault::count_fault(FaultCtx& c, Access access) {
  ++c.e.procs_[c.actor].min_flt;
  ++c.counters.faults;
  ++(access == Access::Read ? c.counters.faults_read : c.counters.faults_write);
}

// Installs a PTE and keeps the mm's cached present count; the PTE table must exist.
void Fault::set_pte(FaultCtx& c, uint32_t page, Pte value) {
  Pte& slot = c.map.pt.ptes.mut(page);
  if (!pte::present(slot) && pte::present(value)) ++c.as.present;
  slot = value;
}

void Fault::map_cache_page(FaultCtx& c, uint32_t page, FrameId f, Writable w) {
  ++c.frames[f].mapcount;
  ++c.counters.file_maps;
  set_pte(c, page, pte::make(f, w, Dirty::No));
}

// The shmem frame behind `page`, allocated zeroed and clean on first touch; kNone when
// RAM is full.
FrameId Fault::shmem_page(FaultCtx& c, uint32_t page) {
  ShmemObject& obj = c.e.shmem_[c.map.object];
  FrameId f = obj.pages[page];
  if (f != kNone) return f;
  f = c.frames.alloc(FrameKind::Shmem);
  if (f == kNone) return kNone;
  c.frames[f].cache_ref = true;
  obj.pages[page] = f;
  ++c.counters.zero_fills;
  return f;
}

namespace {
// How the THP that page `page` of pt maps is mapped: whether every mapping of it is in
// pt's extent (each page's mapcount is 1 where the extent maps it, 0 elsewhere), and how
// many of its pages the extent maps. The engine never moves pages, so a THP's pages can
// only sit at their own offsets of that one extent in any address space. Stops at the
// first page mapped elsewhere (`here` is then a partial count).
struct FolioMaps {
  bool exclusive = true;
  uint32_t here = 0;
};
FolioMaps folio_maps(const Frames& frames, const PageTable& pt, uint32_t page) {
  FolioMaps r;
  FrameId head = Frames::huge_head(pte::frame(pt.get(page)));
  uint32_t first = page & ~(kHugePages - 1);
  for (uint32_t i = 0; i < kHugePages; ++i) {
    Pte x = pt.get(first + i);
    bool mine = pte::present(x) && pte::frame(x) == head + i;
    r.here += mine;
    if (frames[head + i].mapcount != uint32_t(mine)) return {.exclusive = false, .here = r.here};
  }
  return r;
}
}  // namespace

Fault::Reuse Fault::wp_can_reuse(const Frames& frames, const PageTable& pt, uint32_t page) {
  const Frame& f = frames[pte::frame(pt.get(page))];
  if (f.kind != FrameKind::Anon || f.cache_ref) return {false, FaultReason::AnonShared};
  if (!f.large) return f.mapcount == 1 ? Reuse{true, FaultReason::LastMapper} : Reuse{false, FaultReason::AnonShared};
  FolioMaps m = folio_maps(frames, pt, page);
  if (pt.huge(page)) return m.exclusive ? Reuse{true, FaultReason::HugeLastMapper} : Reuse{false, FaultReason::FolioShared};
  if (!m.exclusive) return {false, FaultReason::FolioShared};
  return m.here > 1 ? Reuse{true, FaultReason::FolioExclusive} : Reuse{false, FaultReason::FolioLastPage};
}

// Read of a never-touched private anonymous page maps the zero page; a write zero-fills.
FaultResult Fault::do_anonymous_page(FaultCtx& c, Access access) {
  if (access == Access::Read) {
    Pte zero = pte::make(Frames::kZeroPage, Writable::No, Dirty::No);
    set_pte(c, c.page, zero);
    ++c.counters.zero_page_maps;
    record(c, {.kind = EventKind::ZeroPageMap, .reason = FaultReason::FirstRead, .path = kAnonPath,
               .frame = Frames::kZeroPage, .pte_after = zero});
    return FaultResult::Resolved;
  }
  FrameId f = c.frames.alloc(FrameKind::Anon);
  if (f == kNone) return FaultResult::OutOfMemory;
  c.frames[f] = Frame{.mapcount = 1, .tag = c.tag, .kind = FrameKind::Anon, .dirty = true};
  Pte now = pte::make_exclusive(f);
  set_pte(c, c.page, now);
  c.vma.has_anon = true;
  ++c.counters.zero_fills;
  record(c, {.kind = EventKind::ZeroFill, .reason = FaultReason::FirstWrite, .path = kAnonPath, .frame = f,
             .pte_after = now, .mapcount_after = 1});
  return FaultResult::Resolved;
}

// Read fault on a file or shmem mapping: map every cached page of the aligned 16-page
// window that lies in this VMA and is not mapped yet (fault-around), then the page itself.
FaultResult Fault::do_read_fault(FaultCtx& c) {
  bool is_shmem = c.map.backing == Backing::Anon;
  std::vector<FrameId>& cache = is_shmem ? c.e.shmem_[c.map.object].pages : c.e.files_[c.map.object].pages;
  FaultReason why = is_shmem ? FaultReason::ShmemPage : FaultReason::CachedPage;
  if (is_shmem && cache[c.page] == kNone) {
    if (shmem_page(c, c.page) == kNone) return FaultResult::OutOfMemory;
    why = FaultReason::ShmemNewPage;
  }
  // Shared shmem needs no write notification: its PTEs are writable at once. File PTEs
  // start read-only so the first write can dirty the page cache (writenotify).
  Writable w = is_shmem && c.map.share == Share::Shared && c.vma.prot == Prot::ReadWrite ? Writable::Yes
                                                                                          : Writable::No;
  // do_fault_around: the window starts at the aligned block or the VMA start, whichever is
  // later, and spans 16 pages from there, clamped to the VMA and the PTE table.
  uint32_t start = std::max(c.page & ~(kFaultAroundPages - 1), c.vma.first);
  uint32_t table_end = (c.page / kPtesPerTable + 1) * kPtesPerTable;
  uint32_t end = std::min({start + kFaultAroundPages, c.vma.end, table_end});
  uint32_t mapped = 0;
  for (uint32_t q = start; q < end; ++q) {
    if (pte::present(c.map.pt.ptes[q]) || cache[q] == kNone) continue;
    map_cache_page(c, q, cache[q], w);
    ++mapped;
  }
  FrameId f = cache[c.page];
  record(c, {.kind = EventKind::FileMap, .reason = why, .around_before = uint8_t(c.page - start),
             .around_pages = uint8_t(end - start), .path = kReadPath, .frame = f, .count = mapped,
             .pte_after = c.map.pt.ptes[c.page], .mapcount_after = uint32_t(c.frames[f].mapcount)});
  return FaultResult::Resolved;
}

// Write to a private page that holds `from` (the zero page, a page-cache page or a shared
// anonymous frame): give this mm its own copy (Linux: wp_page_copy / do_cow_fault).
// Always inlined, as do_wp_page: a COW fault then runs as one function, which in
// WebAssembly saves a call, its stack check and the FaultCtx reloads after it (V8 keeps
// nothing in registers across a call); natively it makes no difference.
[[gnu::always_inline]] inline FaultResult Fault::copy_page(FaultCtx& c, FrameId from, FaultReason why) {
  FrameId f = c.frames.alloc(FrameKind::Anon);
  if (f == kNone) return FaultResult::OutOfMemory;
  c.frames[f] = Frame{.mapcount = 1, .tag = c.tag, .kind = FrameKind::Anon, .dirty = true};
  Pte old = c.map.pt.ptes[c.page];
  Pte now = pte::make_exclusive(f);
  set_pte(c, c.page, now);
  c.vma.has_anon = true;
  PageStep ev{.kind = EventKind::CowCopy, .reason = why,
              .path = pte::present(old) ? kCopyPath : kCowPath, .frame = from, .pte_before = old,
              .pte_after = now, .mapcount_after = 1};
  if (from == Frames::kZeroPage) {
    ++c.counters.zero_fills;
    ev.kind = EventKind::ZeroFill;
    ev.reason = FaultReason::ZeroPage;
  } else {
    ++c.counters.cow_copies;
    if (c.frames[from].kind == FrameKind::PageCache) {
      ev.kind = EventKind::FileCopy;
      ev.reason = FaultReason::PageCache;
    }
    if (pte::present(old)) {
      ev.mapcount_before = uint32_t(c.frames[from].mapcount);
      c.e.put_frame(from);
    }
  }
  record(c, ev);
  return FaultResult::Resolved;
}

// Write fault on a page not present in a shared mapping: map the shared page, dirty it.
FaultResult Fault::do_shared_fault(FaultCtx& c) {
  FrameId f;
  FaultReason why = FaultReason::SharedFile;
  if (c.map.backing == Backing::Anon) {
    why = c.e.shmem_[c.map.object].pages[c.page] == kNone ? FaultReason::ShmemNewPage : FaultReason::ShmemPage;
    f = shmem_page(c, c.page);
    if (f == kNone) return FaultResult::OutOfMemory;
  } else {
    f = c.e.files_[c.map.object].pages[c.page];
  }
  // fault_dirty_shared_page: a write fault dirties the frame itself, page cache and shmem
  // alike, so every mapper reports it Dirty (docs/kernel-rules.md, "What Dirty means").
  // A shmem frame first faulted by a read stays clean while writers go through the
  // writable PTEs that read mapped.
  c.frames[f].dirty = true;
  ++c.frames[f].mapcount;
  ++c.counters.file_maps;
  c.frames[f].tag = c.tag;
  Pte now = pte::make(f, Writable::Yes, Dirty::Yes);
  set_pte(c, c.page, now);
  record(c, {.kind = EventKind::SharedWrite, .reason = why, .path = kSharedPath, .frame = f, .pte_after = now,
             .mapcount_after = uint32_t(c.frames[f].mapcount)});
  return FaultResult::Resolved;
}

// Write to a present, write-protected PTE (Linux: do_wp_page).
[[gnu::always_inline]] inline FaultResult Fault::do_wp_page(FaultCtx& c, Pte e) {
  FrameId f = pte::frame(e);
  if (c.map.share == Share::Shared) {  // wp_page_shared: never copies
    Frame& fr = c.frames[f];
    // Only page-cache frames get here: a shmem PTE is writable whenever its VMA is (no
    // writenotify). The write dirties the frame (fault_dirty_shared_page).
    if (fr.kind == FrameKind::PageCache) fr.dirty = true;
    fr.tag = c.tag;
    Pte now = pte::make(f, Writable::Yes, Dirty::Yes);
    c.map.pt.ptes.mut(c.page) = now;
    uint32_t mapcount = uint32_t(fr.mapcount);
    record(c, {.kind = EventKind::SharedWrite, .reason = FaultReason::SharedWriteProtected, .path = kWpSharedPath,
               .frame = f, .pte_before = e, .pte_after = now, .mapcount_before = mapcount, .mapcount_after = mapcount});
    return FaultResult::Resolved;
  }
  if (f == Frames::kZeroPage) return copy_page(c, f, FaultReason::ZeroPage);
  Reuse decision = wp_can_reuse(c.frames, c.map.pt, c.page);
  FaultReason why = decision.why;
  if (decision.reuse) {  // wp_page_reuse
    c.frames[f].tag = c.tag;
    Pte now = pte::make_exclusive(f);
    c.map.pt.ptes.mut(c.page) = now;
    ++c.counters.cow_reuses;
    record(c, {.kind = EventKind::CowReuse, .reason = why, .path = kReusePath, .frame = f,
               .pte_before = e, .pte_after = now, .mapcount_before = 1, .mapcount_after = 1});
    return FaultResult::Resolved;
  }
  return copy_page(c, f, why);
}

// One access to c.page: no fault when the PTE allows it, else the fault case that applies
// (Linux: handle_pte_fault).
FaultResult Fault::handle_pte_fault(FaultCtx& c, Access access) {
  Engine& e = c.e;
  Mapping& map = c.map;
  const uint32_t page = c.page;
  Pte pte_now = map.pt.get(page);

  if (pte::present(pte_now)) {
    FrameId f = pte::frame(pte_now);
    if (access == Access::Read) {
      bool zero = f == Frames::kZeroPage;
      uint32_t mapcount = zero ? 0 : uint32_t(c.frames[f].mapcount);
      record(c, {.kind = EventKind::ReadSees, .reason = FaultReason::PtePresent, .frame = f,
                 .count = zero ? 0 : uint32_t(c.frames[f].tag), .pte_before = pte_now, .pte_after = pte_now,
                 .mapcount_before = mapcount, .mapcount_after = mapcount});
      return FaultResult::Resolved;
    }
    if (pte::writable(pte_now)) {  // no fault: the hardware sets the dirty bit
      map.pt.ptes.mut(page) = pte_now | pte::kDirty;
      c.frames[f].tag = c.tag;
      return FaultResult::Resolved;
    }
  }
  // A real fault from here on. Count it only once it resolves, so an OOM retry counts once.
  FaultResult r;
  if (!pte::present(pte_now)) e.ensure_table(map.pt, map.pages, page);  // pte_alloc first
  if (pte::present(pte_now)) {
    r = do_wp_page(c, pte_now);
  } else if (map.share == Share::Private && map.backing == Backing::Anon) {
    r = do_anonymous_page(c, access);
  } else if (access == Access::Read) {
    r = do_read_fault(c);
  } else if (map.share == Share::Private) {
    r = copy_page(c, e.files_[map.object].pages[page], FaultReason::AnonShared);  // do_cow_fault
  } else {
    r = do_shared_fault(c);
  }
  if (r == FaultResult::Resolved) count_fault(c, access);
  return r;
}

// The PMD level of a fault: an untouched extent (pmd_none) of a THP-eligible VMA that holds
// it whole gets a huge PMD; a write to a write-protected huge PMD goes to the huge
// write-protect handlers (huge_memory.cpp). A Fallback goes on at the PTE level, as
// everything else. Inlined into touch_run, as handle_pte_fault's callers were.
[[gnu::always_inline]] inline FaultResult Fault::handle_mm_fault(FaultCtx& c, Access access) {
  PmdState pmd = c.map.pt.pmd(c.page);
  FaultResult r = FaultResult::Fallback;
  if (c.map.pt.pmd_none(c.page)) {
    if (vma_thp_allowed(c.e.config_.modes.thp, c.map, c.vma) && thp_extent_suitable(c.vma, c.page))
      r = do_huge_pmd_anonymous_page(c, access);
  } else if (pmd != PmdState::Table && access == Access::Write && !pte::writable(c.map.pt.ptes[c.page])) {
    r = pmd == PmdState::HugeZero ? do_huge_zero_wp_pmd(c) : do_huge_pmd_wp_page(c);
  }
  if (r == FaultResult::Fallback) return handle_pte_fault(c, access);
  if (r == FaultResult::Resolved) count_fault(c, access);
  return r;
}

// The task, its address space, mapping and VMA are looked up once for the whole run: no
// fault in it adds or removes any of them.
uint32_t Fault::touch_run(Engine& e, ProcId actor, uint32_t mapping, uint32_t vma, uint32_t first,
                          uint32_t end, Access access) {
  MmId mm = e.procs_[actor].mm;
  AddressSpace& as = e.mms_[mm];
  FaultCtx c{e, e.frames_, e.counters_, as, as.mappings[mapping], as.vmas[vma], actor, mm, first, actor + 1};
  for (; c.page < end; ++c.page) {
    if (handle_mm_fault(c, access) == FaultResult::OutOfMemory) return c.page - first;
    if (c.resume > c.page + 1) c.page = std::min(c.resume, end) - 1;  // reads of the new PMD
    c.huge_prefix = {};
  }
  return end - first;
}

}  // namespace cow
