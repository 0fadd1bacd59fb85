// The engine: one simulated machine (RAM, page cache, address spaces, tasks) and the
// operations a script can perform on it. The engine is a value: copy it to snapshot it.
//
// Every operation validates its arguments and returns an OpResult; nothing throws and
// nothing is printed. Events of the operation are appended to the pending event list;
// take_events() hands them over. See engine/README.md for the address -> PTE -> frame
// picture, and fault.cpp for what happens on a page fault.
//
// Exits are lazy in one respect only. A task that exits or execs while every PTE block
// of its page tables is still held by another live page table (a fork child whose parent
// has not written since) cannot free a frame: each of its frames keeps that other
// mapping. Such a teardown records, per block, one more mapping gone instead of lowering
// every frame's mapcount one by one; settle() lowers them all, one pass per block however
// many exits it counts. Every operation that reads or frees through mapcounts settles
// first, and so do the const readers of frames and usage (frames(), usage(),
// region_usage(), system()): they change `frames_` (mutable) but no value any reader can
// observe, since a settled engine reads exactly as if each exit had walked its PTEs. The
// engine is therefore not safe to read from two threads at once (nothing does).
// check_invariants() reads pending counts without settling, and checks them.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "accounting.h"
#include "address_space.h"
#include "commit.h"
#include "events.h"
#include "frames.h"
#include "page_walk.h"
#include "process.h"
#include "types.h"

namespace cow {

// The settings `mode` and `swap` statements change, one field per setting. Kept apart
// from the size of the machine so that `ram`, which builds a new machine, carries them over.
struct Modes {
  ForkMode fork = ForkMode::Cow;
  ThpMode thp = ThpMode::Madvise;  // transparent_hugepage/enabled, Linux's default
  Overcommit overcommit = Overcommit::Heuristic;  // vm.overcommit_memory, Linux's default
  uint32_t overcommit_ratio = 50;  // vm.overcommit_ratio, Linux's default
  uint64_t swap_pages = 0;         // SwapTotal: counts in CommitLimit; nothing is swapped
};

struct Config {
  uint32_t frames = 65536;              // 256 MiB of RAM
  uint32_t event_detail_limit = 256;    // page-level events kept per statement
  Modes modes;
};

enum class Outcome : uint8_t {
  Done,         // the operation completed
  ActorKilled,  // the acting task died (SIGSEGV or OOM); the rest was skipped
  ForkFailed,   // fork refused (ENOMEM): its commit charge, or an eager-copy fork's
                // frames; no child made
  Refused,      // mmap or mprotect: the commit charge was refused (ENOMEM); mmap mapped
                // nothing, mprotect changed the VMAs before the refused one only
  Error,        // invalid request (message in `error`); nothing changed
};

struct OpResult {
  Outcome outcome = Outcome::Done;
  std::string error;
  ProcId created = kNone;  // spawn / fork / vfork / thread
  // The request was invalid and nothing changed. Any other outcome, ActorKilled and
  // ForkFailed included, is a request carried out as the kernel would.
  bool rejected() const { return outcome == Outcome::Error; }
};

// Inclusive page range within a region; an empty list means "every page still mapped".
struct PageSpan {
  uint32_t first = 0, last = 0;
};
using Pages = std::vector<PageSpan>;

struct MmapSpec {
  uint32_t pages = 0;           // anon size; ignored for files (the whole file is mapped)
  Backing backing = Backing::Anon;
  Share share = Share::Private;
  Prot prot = Prot::ReadWrite;
  FileId file = kNone;
  bool hugepage = false;        // MADV_HUGEPAGE right after mmap (private anonymous only)
  bool noreserve = false;       // MAP_NORESERVE (private only): no charge, unless mode never
};

struct File {
  std::string name;
  std::vector<FrameId> pages;   // page cache: every page cached, clean
};

struct ShmemObject {
  std::vector<FrameId> pages;   // kNone until first touched
  bool alive = true;            // false once no VMA of any address space maps it
  uint64_t charged = 0;         // commit charge of the object (shmem_acct_size), 0 once dead
};

class Engine {
 public:
  explicit Engine(Config config = {});

  // ---- set-up -------------------------------------------------------------------
  OpResult create_file(std::string_view name, uint32_t pages);
  const Modes& modes() const { return config_.modes; }
  void set_fork_mode(ForkMode mode) { config_.modes.fork = mode; }
  void set_thp_mode(ThpMode mode) { config_.modes.thp = mode; }
  void set_overcommit(Overcommit mode) { config_.modes.overcommit = mode; }
  void set_overcommit_ratio(uint32_t percent) { config_.modes.overcommit_ratio = percent; }
  void set_swap_pages(uint64_t pages) { config_.modes.swap_pages = pages; }
  NameId intern(std::string_view region);            // region name -> id
  NameId find_name(std::string_view region) const;   // kNone if never interned

  // ---- tasks --------------------------------------------------------------------
  OpResult spawn(std::string_view name);
  OpResult fork(ProcId parent, std::string_view child);
  OpResult vfork(ProcId parent, std::string_view child);
  OpResult thread(ProcId creator, std::string_view name);
  OpResult exec(ProcId p);
  OpResult exit(ProcId p);

  // ---- memory -------------------------------------------------------------------
  OpResult mmap(ProcId p, NameId region, const MmapSpec& spec);
  OpResult munmap(ProcId p, NameId region, const Pages& pages);
  OpResult access(ProcId p, NameId region, const Pages& pages, Access access);
  OpResult madvise(ProcId p, NameId region, const Pages& pages, Advice advice);
  OpResult mprotect(ProcId p, NameId region, const Pages& pages, Prot protect);

  // ---- accounting (computed from the page tables; see accounting.h) --------------
  Usage usage(ProcId p) const;                     // zero for exited/killed tasks
  Usage region_usage(ProcId p, NameId region) const;
  SystemUsage system() const;
  const Counters& counters() const { return counters_; }
  PageTableCounts page_tables(MmId mm) const;      // page-table pages of an mm, per level
  uint32_t vm_pte(MmId mm) const { return page_tables(mm).total(); }  // Linux: VmPTE
  // The four-level walk of `address` in p's address space (page_walk.h).
  Walk walk(ProcId p, uint64_t address) const;
  // PTE slots all page tables hold: the engine's page-table memory, 4 bytes each. A
  // mapping gets one per page once any of its pages is touched (zero-page PTEs need no
  // frame, so RAM does not bound this: scripts are limited by max_page_table_entries).
  uint64_t page_table_entries() const { return pte_entries_; }
  // Bytes a copy of this engine holds that `earlier` (an older copy, e.g. the last session
  // checkpoint; may be null) does not: its distinct PTE blocks, each counted once however
  // many page tables share it, less those `earlier` holds too (PteArray shares them copy
  // on write), plus the frame table, which a copy always duplicates.
  uint64_t copy_bytes(const Engine* earlier) const;

  // ---- process ids ----------------------------------------------------------------
  // PPid as /proc/PID/status shows it: the pid of the parent's process, 0 for none.
  uint32_t ppid(ProcId p) const;
  // init, which adopts orphans: the task with pid 1 while it lives, else kNone (Linux:
  // the pid namespace's child_reaper).
  ProcId child_reaper() const;
  // Page faults of p's whole process, its ended threads included (getrusage
  // RUSAGE_SELF ru_minflt, /proc/PID/stat minflt); Counters::faults sums every task's.
  uint64_t min_flt(ProcId p) const;

  // ---- commit accounting (commit.h) -------------------------------------------------
  uint64_t committed_as() const { return committed_as_; }     // Committed_AS, in pages
  uint64_t commit_limit() const;                              // CommitLimit, in pages
  uint64_t total_vm(MmId mm) const;                           // pages its VMAs span
  // The charges refused so far, oldest first; a CommitRefused event's `count` indexes it.
  const std::vector<CommitRefusal>& commit_refusals() const { return refusals_; }

  // Recomputes every cached count the slow way and checks mapcounts against the page
  // tables. Returns "" when all hold, otherwise a description of the first violation.
  std::string check_invariants() const;
  // PTE blocks whose teardown waits for settle() (see the top): for tests and benchmarks.
  size_t pending_teardowns() const { return pending_puts_.size(); }

  // ---- events -------------------------------------------------------------------
  std::vector<Event> take_events();
  std::string describe(const Event& e) const;      // one readable line

  // ---- read-only views (for the shell, the web page and tests) -------------------
  const std::vector<Process>& processes() const { return procs_; }
  const std::vector<AddressSpace>& address_spaces() const { return mms_; }
  const Frames& frames() const { return settle(), frames_; }
  const std::vector<File>& files() const { return files_; }
  const std::vector<ShmemObject>& shmem_objects() const { return shmem_; }
  const std::string& name(NameId n) const { return names_[n]; }
  size_t name_count() const { return names_.size(); }
  FileId find_file(std::string_view name) const;
  ProcId find_process(std::string_view name) const;
  // Size in pages of the newest mapping of `region` that any address space made, or 0.
  uint32_t region_pages(NameId region) const;

 private:
  friend struct Fault;  // fault.cpp
  friend struct ForkOp; // fork.cpp

  // Charges `pages` to committed_as if __vm_enough_memory allows it (commit.h); the
  // caller adds them to the owner (an mm or a shmem object). A refusal is recorded
  // (commit_refusals, a CommitRefused event) and changes nothing.
  bool charge(ProcId p, CommitOp op, NameId region, uint64_t pages);
  void uncharge(uint64_t pages) { committed_as_ -= pages; }
  // Removes the charge of VMA v (if accountable) from its mm and the system.
  void uncharge_vma(AddressSpace& as, const Vma& v);
  bool charge_new_mapping(ProcId p, NameId region, Mapping& m, const MmapSpec& spec, Vma& v);
  bool charge_mprotect(ProcId p, const Mapping& map, Vma& v, Prot protect);

  OpResult check_actor(ProcId p) const;
  // Appends an operation-level event: always kept.
  void emit(const Event& e) { events_.push_back(e); }
  // Appends a detail event (a VMA of fork, freed frames): kept up to the detail limit per
  // statement, only counted beyond. Freed frames that follow the last event's extend it.
  void emit_detail(const Event& e);
  // A page access by task p in mm `mm`: extends the last event's run when it continues
  // it, otherwise starts a new run (a detail event). Inline: it runs once per page fault.
  // (The mm needs no comparison: a task changes mm only by exec, an event of its own.)
  void emit_page(ProcId p, MmId mm, NameId region, const PageStep& s) {
    if (!events_.empty()) {
      Event& last = events_.back();
      if (last.proc == p && last.region == region && continues(last, s)) {
        last.pages += s.span;
        return;
      }
    }
    emit_detail(Event::of(p, mm, region, s));
  }
  MmId new_mm();
  ProcId add_task(Process task);  // gives it the next pid and returns its id
  ProcId find_new_reaper(ProcId p) const;
  void reparent_children(ProcId p);  // p has ended: its live children get a new parent
  // Ends a task: state becomes `how`; its mm loses a user; a vfork parent resumes.
  void end_task(ProcId p, ProcState how);
  void kill_thread_group(ProcId p, ProcState how);
  // Picks and kills the OOM victim and everyone sharing its mm. Returns the victim.
  ProcId oom_kill();
  // Drops every PTE of pages [first, end) of one mapping, freeing frames that lose
  // their last reference. Page tables stay (Linux: zap_page_range).
  // A huge PMD wholly inside the range is zapped whole (zap_huge_pmd), its deposited
  // table with it; callers split a PMD the range cuts first (split_pmd_at).
  void zap_range(MmId mm, uint32_t mapping, uint32_t first, uint32_t end);
  // zap_range of a whole mapping, then drop_page_table (exit_mmap).
  void zap_whole(MmId mm, uint32_t mapping);
  uint32_t put_pte_frames(const Pte* ptes, uint32_t n);  // zap_present_ptes; returns present PTEs
  void zap_huge_pmd(AddressSpace& as, PageTable& pt, uint32_t first);
  // Turns the huge PMD of the extent holding `page` into 512 PTEs in the deposited table,
  // each with the PMD's bits; frames and mapcounts stay (Linux: __split_huge_pmd). The
  // folio stays whole.
  void split_huge_pmd(PageTable& pt, uint32_t page);
  // Splits the huge PMD that `page` cuts (it is not the first page of its extent), as
  // munmap, mprotect and madvise do at the ends of their range (vma_adjust_trans_huge,
  // __split_huge_pmd in zap); emits PmdSplit.
  void split_pmd_at(ProcId p, uint32_t mapping, uint32_t page);
  // Splits VMAs and huge PMDs so that each span's ends are boundaries.
  void split_spans(ProcId p, uint32_t mapping, const Pages& spans);
  // Frees PTE/PMD tables no VMA covers any more (Linux: free_pgtables).
  void free_unused_tables(MmId mm, uint32_t mapping);
  // exit_mmap: every mapping zapped (zap_whole) and its page table dropped. With
  // Puts::MayDefer (a task's own exit or exec, not a kill inside a fault, which goes on
  // reading mapcounts), a teardown whose PTE blocks a live page table holds too leaves
  // its mapcounts to settle() (defer_puts).
  enum class Puts : uint8_t { Now, MayDefer };
  void release_mm(MmId mm, Puts puts);
  bool defer_puts(MmId mm);  // records the teardown of mm as pending, if it can
  // Applies the pending teardowns to the mapcounts (and the dirty bits they carry into
  // shared frames). Frees nothing: each frame keeps a mapping. Const: see the top.
  void settle() const {
    if (!pending_puts_.empty()) apply_pending_puts();
  }
  void apply_pending_puts() const;
  // Makes the page table of a mapping of `pages` pages hold `page` (Linux: pte_alloc);
  // true when its PTE table is new. Keeps pte_entries_.
  bool ensure_table(PageTable& pt, uint32_t pages, uint32_t page);
  void drop_page_table(PageTable& pt);  // frees a mapping's whole page table
  // Destroys a shmem object once no live address space maps it (its frames go free).
  void maybe_destroy_shmem(ShmemId s);
  // SIGSEGV: kills the thread group of p at region[page].
  void segfault(ProcId p, NameId region, uint32_t page);
  // One PTE reference gone; the frame is freed when nothing else holds it. Inline: it
  // runs once per COW copy and once per PTE at teardown.
  void put_frame(FrameId f) {
    Frame& fr = frames_[f];
    if (--fr.mapcount == 0 && !fr.cache_ref) fr.large ? put_huge_page(f) : free_frame(f);
  }
  void free_frame(FrameId f);  // returns an unreferenced frame to the free pool
  // A page of a THP lost its last mapping; the THP goes once none of its pages is mapped.
  void put_huge_page(FrameId f);
  // Resolves a region of task p for an operation: the mapping index, or an error.
  OpResult resolve_region(ProcId p, NameId region, const Pages& pages, uint32_t* mapping) const;

  Config config_;
  // Mutable for settle() alone. (So in const members frames_[f] is the non-const
  // operator, which needs f allocated: read through frames() or a const Frames&.)
  mutable Frames frames_;
  std::vector<Process> procs_;
  std::vector<AddressSpace> mms_;
  std::vector<File> files_;
  std::vector<ShmemObject> shmem_;
  std::vector<std::string> names_;
  Counters counters_;
  std::vector<Event> events_;
  uint32_t detailed_ = 0, suppressed_ = 0;
  uint64_t pte_entries_ = 0;  // cached: sum of every page table's ptes.size()
  uint64_t committed_as_ = 0; // cached: accountable VMAs of live mms + live shmem objects
  std::vector<CommitRefusal> refusals_;
  // Teardowns not yet applied to the mapcounts, per PTE block (keyed by its entries): the
  // block, kept as it was, its entries to read, and how many page tables holding it went.
  struct PendingPut {
    PteArray::Block block;
    uint32_t n = 0;
    uint32_t count = 0;
  };
  mutable std::unordered_map<const Pte*, PendingPut> pending_puts_;
};

// Whether a view should show the commit charge: a charge was refused, or the overcommit
// settings differ from Linux's defaults (mode heuristic, ratio 50, no swap).
bool uses_commit_accounting(const Engine& e);

}  // namespace cow
