// Trace events: what each operation did and why, as data (Linux has no single
// equivalent; think of the mm tracepoints). The command line prints them, the web page
// draws them, explain.h turns them into sentences.
//
// A fault event records the handlers it ran through (Linux function names), the reason
// for the decision as an enum plus the numbers it rests on, the PTE before and after and
// the frame's mapcount before and after. Text is made only when printing, so recording
// costs a few stores.
//
// Page-level events that repeat one decision over consecutive pages (and consecutive
// frames) are stored as one event covering pages [page, page + pages). New runs are kept
// up to Engine::Config::event_detail_limit per statement; beyond that they are folded into
// one Suppressed event carrying the count. The counters (accounting.h) are always exact.
#pragma once
#include <bit>
#include <cstdint>
#include <initializer_list>
#include <type_traits>

#include "frames.h"
#include "page_table.h"
#include "types.h"

namespace cow {

enum class EventKind : uint8_t {
  // page faults and what resolved them
  ZeroPageMap,    // read of never-written private anon: zero page mapped
  ZeroFill,       // write to never-written private anon or the zero page: zeroed frame
  CowCopy,        // write to a shared private page: copied into a new frame
  CowReuse,       // write to a write-protected page this mm alone maps: reused in place
  FileCopy,       // write to a file-private page: page-cache page copied into a new frame
  FileMap,        // read fault on a file or shmem page, with fault-around
  SharedWrite,    // write through a shared mapping, landed in the shared frame
  ReadSees,       // no fault: a read of a present page (`count` = writer's pid, 0 = zeros/file)
  // whole operations
  Spawn, Fork, ForkFailed, Vfork, Thread, Exec, Exit, Resume,
  Mmap, Munmap, Madvise, Mprotect,
  ForkVma,        // fork's decision for one VMA (ForkDecision), `other` = the child
  PtesCopied,     // fork copied `count` PTEs
  WriteProtect,   // fork write-protected `count` PTEs in the parent
  FramesCopied,   // eager-copy fork duplicated `count` frames, `pages` of them pages of THPs
  FramesFreed,    // `count` frames from `frame` on returned to the free pool
  PmdSplit,       // a huge PMD of `region`[`page`, +512) split into 512 PTEs (munmap,
                  // mprotect, madvise of part of it); a write fault's split is in its path
  Segfault,       // `proc` killed by SIGSEGV at `region`[`page`]
  OomKill,        // `proc` killed by the OOM killer (badness in `count`)
  Suppressed,     // `count` more detail events were folded
};

// Linux's fault handlers (mm/memory.c, and mm/huge_memory.c for the PMD level), for the
// path a fault takes.
enum class Handler : uint8_t {
  HandlePteFault, DoPteMissing, DoFault, DoAnonymousPage, DoReadFault, DoCowFault,
  DoSharedFault, DoWpPage, WpPageReuse, WpPageCopy, WpPageShared,
  CreateHugePmd, DoHugePmdAnonymousPage, WpHugePmd, DoHugePmdWpPage, DoHugeZeroWpPmd, SplitHugePmd,
};

// The handlers one fault ran through, outermost first, packed into one integer (byte i
// holds handler i + 1; 0 past the end): an Event stays trivially copyable and small, and
// the compiler keeps a fault's event in registers.
class HandlerPath {
 public:
  static constexpr uint32_t kCapacity = 8;

  constexpr HandlerPath() = default;
  constexpr HandlerPath(std::initializer_list<Handler> path) {
    uint32_t n = 0;
    for (Handler h : path)
      if (n < kCapacity) bits_ |= uint64_t(uint8_t(h) + 1) << (8 * n++);
  }
  constexpr uint32_t size() const { return uint32_t(std::bit_width(bits_) + 7) / 8; }
  constexpr Handler operator[](uint32_t i) const { return Handler(((bits_ >> (8 * i)) & 0xff) - 1); }
  constexpr Handler last() const { return (*this)[size() - 1]; }  // precondition: size() > 0
  constexpr bool has(Handler h) const {
    for (uint32_t i = 0; i < size(); ++i)
      if ((*this)[i] == h) return true;
    return false;
  }
  // This path, then `more` (as far as kCapacity allows).
  constexpr HandlerPath then(HandlerPath more) const {
    HandlerPath p = *this;
    for (uint32_t i = 0, n = size(); i < more.size() && n < kCapacity; ++i, ++n)
      p.bits_ |= uint64_t(uint8_t(more[i]) + 1) << (8 * n);
    return p;
  }
  bool operator==(const HandlerPath&) const = default;

 private:
  uint64_t bits_ = 0;
};

// Why a fault handler decided as it did. The numbers a reason names (mapcount, pages
// mapped by fault-around) are in the event; explain.h words them.
enum class FaultReason : uint8_t {
  None,
  FirstRead,      // private anonymous page never written: a read shares the zero page
  FirstWrite,     // private anonymous page never written: a write needs a zeroed frame
  ZeroPage,       // the PTE maps the zero page: a write gets a zeroed frame of its own
  AnonShared,     // anonymous frame with mapcount >= 2: the writer gets a copy
  LastMapper,     // anonymous frame with mapcount 1, nothing else holds it: reused
  PageCache,      // private mapping of a page-cache page: the writer gets a copy
  CachedPage,     // read of a file page: the page cache has it
  ShmemPage,      // shared anonymous memory: the shmem object has the page
  ShmemNewPage,   // shared anonymous memory: the page is allocated, zeroed, on first touch
  SharedFile,     // shared file mapping: the page-cache page itself is written
  SharedWriteProtected,  // shared mapping, PTE write-protected: made writable in place
  PtePresent,     // no fault: the PTE maps a frame that allows the access
  // Transparent huge pages (the event covers the 2 MiB extent when a PMD was mapped):
  HugeFirstRead,  // untouched 2 MiB extent of a THP-eligible VMA, read: the huge zero page
  HugeFirstWrite, // untouched 2 MiB extent of a THP-eligible VMA, write: a new THP
  HugeZeroPage,   // the PMD maps the huge zero page: a write gets a new THP
  HugeLastMapper, // the THP is mapped by this PMD alone: the whole PMD is reused
  FolioShared,    // the page belongs to a THP another address space maps: copied
  FolioLastPage,  // the only page of its THP still mapped: copied, so the THP can go
  FolioExclusive, // the THP is mapped by this address space alone: the page is reused
};

// fork's decision for one VMA of the parent (Linux: dup_mmap, vma_needs_copy).
enum class ForkDecision : uint8_t {
  None,
  CopyPtes,    // the VMA has an anon_vma: its PTEs are copied (write-protected)
  NoAnonVma,   // no anon_vma: the child gets the VMA without PTEs; faults refill it
  DontFork,    // VM_DONTCOPY: the child does not get the VMA
  WipeOnFork,  // VM_WIPEONFORK: the child gets the VMA empty, without anon_vma
};

// Page-table pages per level (the PGD is not counted, as in Linux's mm_pgtables_bytes).
struct PageTableCounts {
  uint32_t pud = 0, pmd = 0, pte = 0;
  uint32_t total() const { return pud + pmd + pte; }
  bool operator==(const PageTableCounts&) const = default;
};

// What one page access decided: the part of a fault event that changes from page to
// page. The fault handlers fill it; Engine::emit_page adds who and where, and extends
// the last event's run when this continues it. Small, so that it stays in registers.
struct PageStep {
  EventKind kind;
  FaultReason reason = FaultReason::None;
  uint8_t around_before = 0;   // FileMap: the fault-around window starts this many pages
  uint8_t around_pages = 0;    //   before `page` and spans this many pages
  uint16_t span = 1;           // pages the step covers: 512 when a huge PMD was mapped
  HandlerPath path;            // empty for ReadSees (no fault)
  uint32_t page = 0;
  FrameId frame = kNone;       // the frame the decision was about (see EventKind)
  uint32_t count = 0;          // FileMap: pages mapped; ReadSees: the writer's pid (0: none)
  Pte pte_before = 0, pte_after = 0;
  uint32_t mapcount_before = 0;  // of the frame the PTE maps before (0: none, zero page)
  uint32_t mapcount_after = 0;   // of the frame it maps after
};

struct Event {
  EventKind kind;
  FaultReason reason = FaultReason::None;      // page accesses
  ForkDecision decision = ForkDecision::None;  // ForkVma
  uint8_t around_before = 0;  // FileMap: the fault-around window (PageStep)
  uint8_t around_pages = 0;
  HandlerPath path;           // faults
  ProcId proc = kNone;        // the acting task (or the victim, for kills)
  MmId mm = kNone;            // the address space acted on (the child's, for ForkVma)
  NameId region = kNone;
  uint32_t page = 0;          // first page
  uint32_t pages = 0;         // pages covered: [page, page + pages)
  FrameId frame = kNone;      // the frame of the first page (see EventKind), if any
  uint32_t count = 0;
  ProcId other = kNone;       // the new task for Fork/Vfork/Thread/ForkVma, the resumed one for Resume
  // Page accesses, for the first page of the run (the others follow page by page):
  Pte pte_before = 0, pte_after = 0;
  uint32_t mapcount_before = 0, mapcount_after = 0;
  // ForkVma: `count` PTEs copied, and
  uint32_t write_protected = 0;  // of them made read-only in parent and child
  uint32_t frames_copied = 0;    // anonymous frames duplicated (eager-copy mode)
  PageTableCounts tables;        // page-table pages allocated in the child
  uint32_t pmds_copied = 0;      // huge PMDs copied (THPs and huge zero pages), not in `count`

  // The event of one page access.
  static Event of(ProcId proc, MmId mm, NameId region, const PageStep& s) {
    return {.kind = s.kind, .reason = s.reason, .around_before = s.around_before, .around_pages = s.around_pages,
            .path = s.path, .proc = proc, .mm = mm, .region = region, .page = s.page, .pages = s.span,
            .frame = s.frame, .count = s.count, .pte_before = s.pte_before, .pte_after = s.pte_after,
            .mapcount_before = s.mapcount_before, .mapcount_after = s.mapcount_after};
  }
  // The frame the PTE maps after a fault (the copy, for CowCopy/FileCopy/ZeroFill).
  FrameId new_frame() const { return pte::frame(pte_after); }
  bool is_fault() const { return kind <= EventKind::SharedWrite; }
  bool is_page_access() const { return kind <= EventKind::ReadSees; }  // a fault or ReadSees
};
static_assert(std::is_trivially_copyable_v<Event>);
static_assert(sizeof(Event) <= 88);

const char* to_string(EventKind k);
const char* to_string(Handler h);
const char* to_string(ForkDecision d);

// ---- inline: runs once per page fault ------------------------------------------------

namespace event_run {
// The frame of the page n pages into a run that starts at frame `first`: the next
// frames, or the same zero page (or none) all along.
inline FrameId nth(FrameId first, uint32_t n) { return first + (first < Frames::kZeroPage ? n : 0); }
// The same for a PTE: only a present PTE's frame moves on; its flags stay.
inline Pte nth_pte(Pte first, uint32_t n) {
  return first + (pte::present(first) && pte::frame(first) < Frames::kZeroPage ? n : 0);
}
}  // namespace event_run

// True when step `next` makes the decision of run `run` (an Event of page accesses) on
// the page after it, with frames that follow the run's (or the same zero page); a huge
// step (span 512) continues only a run of huge steps, whose paths differ from 4 KiB ones. FileMap
// never runs on: each fault maps its own fault-around window. Only ReadSees and FileMap
// use `count`. (Inlined where `next.kind` is a constant, so those tests fold away.)
inline bool continues(const Event& run, const PageStep& next) {
  using event_run::nth;
  using event_run::nth_pte;
  uint32_t n = run.pages;
  return next.kind != EventKind::FileMap && run.kind == next.kind && next.page == run.page + n &&
         run.path == next.path && run.reason == next.reason &&
         (next.kind != EventKind::ReadSees || run.count == next.count) &&
         run.mapcount_before == next.mapcount_before && run.mapcount_after == next.mapcount_after &&
         next.frame == nth(run.frame, n) && next.pte_before == nth_pte(run.pte_before, n) &&
         next.pte_after == nth_pte(run.pte_after, n);
}

}  // namespace cow
