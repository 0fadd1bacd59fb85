#include "fault.h"

#include <algorithm>

#include "engine.h"

namespace cow {

// Everything a fault handler needs, looked up once.
struct FaultCtx {
  Engine& e;
  Frames& frames;
  Counters& counters;
  AddressSpace& as;
  Mapping& map;
  Vma& vma;
  ProcId actor;
  uint32_t page;
  uint32_t tag;  // what a write by this task stores
};

// Installs a PTE and keeps the mm's cached present count; the PTE table must exist.
void Fault::set_pte(FaultCtx& c, uint32_t page, Pte value) {
  Pte& slot = c.map.pt.ptes[page];
  if (!pte::present(slot) && pte::present(value)) ++c.as.present;
  slot = value;
}

void Fault::map_cache_page(FaultCtx& c, uint32_t page, FrameId f, bool writable) {
  ++c.frames[f].mapcount;
  ++c.counters.file_maps;
  set_pte(c, page, pte::make(f, writable, false));
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
  c.e.emit({.kind = EventKind::ShmemAlloc, .proc = c.actor, .region = c.map.name, .page = page, .frame = f}, true);
  return f;
}

bool Fault::wp_can_reuse(const Frame& f) {
  return f.kind == FrameKind::Anon && f.mapcount == 1 && !f.cache_ref;
}

// Read of a never-touched private anonymous page maps the zero page; a write zero-fills.
FaultResult Fault::do_anonymous_page(FaultCtx& c, Access access) {
  if (access == Access::Read) {
    set_pte(c, c.page, pte::make(Frames::kZeroPage, false, false));
    ++c.counters.zero_page_maps;
    c.e.emit({.kind = EventKind::ZeroPageMap, .proc = c.actor, .region = c.map.name, .page = c.page}, true);
    return FaultResult::Resolved;
  }
  FrameId f = c.frames.alloc(FrameKind::Anon);
  if (f == kNone) return FaultResult::OutOfMemory;
  c.frames[f] = Frame{.mapcount = 1, .tag = c.tag, .kind = FrameKind::Anon, .dirty = true};
  set_pte(c, c.page, pte::make(f, true, true));
  c.vma.has_anon = true;
  ++c.counters.zero_fills;
  c.e.emit({.kind = EventKind::ZeroFill, .proc = c.actor, .region = c.map.name, .page = c.page, .frame = f}, true);
  return FaultResult::Resolved;
}

// Read fault on a file or shmem mapping: map every cached page of the aligned 16-page
// window that lies in this VMA and is not mapped yet (fault-around), then the page itself.
FaultResult Fault::do_read_fault(FaultCtx& c) {
  bool is_shmem = c.map.backing == Backing::Anon;
  std::vector<FrameId>& cache = is_shmem ? c.e.shmem_[c.map.object].pages : c.e.files_[c.map.object].pages;
  if (is_shmem && cache[c.page] == kNone &&
      shmem_page(c, c.page) == kNone)
    return FaultResult::OutOfMemory;
  // Shared shmem needs no write notification: its PTEs are writable at once. File PTEs
  // start read-only so the first write can dirty the page cache (writenotify).
  bool writable = is_shmem && c.map.share == Share::Shared && c.vma.prot == Prot::ReadWrite;
  // do_fault_around: the window starts at the aligned block or the VMA start, whichever is
  // later, and spans 16 pages from there, clamped to the VMA and the PTE table.
  uint32_t start = std::max(c.page & ~(kFaultAroundPages - 1), c.vma.first);
  uint32_t table_end = (c.page / kPtesPerTable + 1) * kPtesPerTable;
  uint32_t end = std::min({start + kFaultAroundPages, c.vma.end, table_end});
  uint32_t mapped = 0;
  for (uint32_t q = start; q < end; ++q) {
    if (pte::present(c.map.pt.ptes[q]) || cache[q] == kNone) continue;
    map_cache_page(c, q, cache[q], writable);
    ++mapped;
  }
  c.e.emit({.kind = EventKind::FileMap, .proc = c.actor, .region = c.map.name, .page = c.page,
            .frame = cache[c.page], .count = mapped}, true);
  return FaultResult::Resolved;
}

// Write to a private page that holds `from` (the zero page, a page-cache page or a shared
// anonymous frame): give this mm its own copy (Linux: wp_page_copy / do_cow_fault).
// Always inlined, as do_wp_page: a COW fault then runs as one function, which in
// WebAssembly saves a call, its stack check and the FaultCtx reloads after it (V8 keeps
// nothing in registers across a call); natively it makes no difference.
[[gnu::always_inline]] inline FaultResult Fault::copy_page(FaultCtx& c, FrameId from) {
  FrameId f = c.frames.alloc(FrameKind::Anon);
  if (f == kNone) return FaultResult::OutOfMemory;
  c.frames[f] = Frame{.mapcount = 1, .tag = c.tag, .kind = FrameKind::Anon, .dirty = true};
  Pte old = c.map.pt.ptes[c.page];
  set_pte(c, c.page, pte::make(f, true, true));
  c.vma.has_anon = true;
  EventKind kind = EventKind::CowCopy;
  if (from == Frames::kZeroPage) {
    ++c.counters.zero_fills;
    kind = EventKind::ZeroFill;
  } else {
    ++c.counters.cow_copies;
    if (c.frames[from].kind == FrameKind::PageCache) kind = EventKind::FileCopy;
    if (pte::present(old)) c.e.put_frame(from);
  }
  c.e.emit({.kind = kind, .proc = c.actor, .region = c.map.name, .page = c.page, .frame = from, .frame2 = f}, true);
  return FaultResult::Resolved;
}

// Write fault on a page not present in a shared mapping: map the shared page, dirty it.
FaultResult Fault::do_shared_fault(FaultCtx& c) {
  FrameId f;
  if (c.map.backing == Backing::Anon) {
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
  set_pte(c, c.page, pte::make(f, true, true));
  c.e.emit({.kind = EventKind::SharedWrite, .proc = c.actor, .region = c.map.name, .page = c.page, .frame = f}, true);
  return FaultResult::Resolved;
}

// Write to a present, write-protected PTE (Linux: do_wp_page).
[[gnu::always_inline]] inline FaultResult Fault::do_wp_page(FaultCtx& c, Pte e) {
  FrameId f = pte::frame(e);
  if (c.map.share == Share::Shared) {  // wp_page_shared: never copies
    Frame& fr = c.frames[f];
    // Only mprotect readonly -> readwrite leaves a shmem PTE write-protected here; Linux
    // makes it writable inside mprotect (no writenotify for shmem), so no fault dirties
    // the shmem frame. A page-cache frame is dirtied (fault_dirty_shared_page).
    if (fr.kind == FrameKind::PageCache) fr.dirty = true;
    fr.tag = c.tag;
    c.map.pt.ptes[c.page] = pte::make(f, true, true);
    c.e.emit({.kind = EventKind::SharedWrite, .proc = c.actor, .region = c.map.name, .page = c.page, .frame = f}, true);
    return FaultResult::Resolved;
  }
  if (f != Frames::kZeroPage && wp_can_reuse(c.frames[f])) {  // wp_page_reuse
    c.frames[f].tag = c.tag;
    c.map.pt.ptes[c.page] = pte::make(f, true, true);
    ++c.counters.cow_reuses;
    c.e.emit({.kind = EventKind::CowReuse, .proc = c.actor, .region = c.map.name, .page = c.page, .frame = f}, true);
    return FaultResult::Resolved;
  }
  return copy_page(c, f);
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
      uint32_t seen = f == Frames::kZeroPage ? 0 : c.frames[f].tag;
      e.emit({.kind = EventKind::ReadSees, .proc = c.actor, .region = map.name, .page = page, .frame = f, .count = seen}, true);
      return FaultResult::Resolved;
    }
    if (pte::writable(pte_now)) {  // no fault: the hardware sets the dirty bit
      map.pt.ptes[page] = pte_now | pte::kDirty;
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
    r = copy_page(c, e.files_[map.object].pages[page]);  // do_cow_fault
  } else {
    r = do_shared_fault(c);
  }
  if (r == FaultResult::Resolved) {
    ++c.counters.faults;
    ++(access == Access::Read ? c.counters.faults_read : c.counters.faults_write);
  }
  return r;
}

// The task, its address space, mapping and VMA are looked up once for the whole run: no
// fault in it adds or removes any of them.
uint32_t Fault::touch_run(Engine& e, ProcId actor, uint32_t mapping, uint32_t vma, uint32_t first,
                          uint32_t end, Access access) {
  AddressSpace& as = e.mms_[e.procs_[actor].mm];
  FaultCtx c{e, e.frames_, e.counters_, as, as.mappings[mapping], as.vmas[vma], actor, first, actor + 1};
  for (; c.page < end; ++c.page)
    if (handle_pte_fault(c, access) == FaultResult::OutOfMemory) return c.page - first;
  return end - first;
}

}  // namespace cow
