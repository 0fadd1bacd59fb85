// The price of fork and faults, modeled as the kernel pays it: time in microseconds and
// extra memory in bytes for each operation the engine performs.
//
// The constants are calibrated from the measurements in docs/kernel-rules.md, "What it
// costs on the real kernel" (Linux 6.18, x86-64); `cowlab calibrate` measures
// them again on the current machine and prints them in the text form parse_cost_model()
// reads. Pure: no I/O, no clocks.
// Transparent huge pages are priced from the engine's counters: fork pays thp_pmd_copy_us
// per huge PMD copied (copy_huge_pmd: one entry plus the folio's reference), a THP fault is
// one fault that zeroes 512 pages, and a split (__split_huge_pmd) fills a PTE table: 512
// PTE writes at pte_copy_ns; the 4 KiB COW copy that follows is priced as any other. An
// eager-copy fork pays the measured naive copy with THPs (thp_copy_page_us) for the pages of
// THPs it duplicates: a copying fork would fill huge pages too, with one fault per 2 MiB
// (the engine's child maps 4 KiB copies of them).
// Simplified: costs are linear in the counts (PTEs copied, pages copied, faults), fitted
// at 120 MiB; the kernel's per-PTE cost falls at larger sizes (73 ns at 1 GiB against 95 ns
// at 120 MiB), so the model overstates the fork of very large processes. Thread creation
// and vfork have constants of their own (neither copies page tables, so neither depends on
// the process's size); exec is charged the empty-fork base; teardown (exit, munmap) is free.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/mm/engine.h"
#include "engine/script/session.h"

namespace cow {

struct CostModel {
  // 4 KiB pages.
  double fork_base_us = 52.0;        // fork of an empty process
  double pte_copy_ns = 95.38;        // per PTE copied: (2982 - 52) us / 30720 PTEs (120 MiB)
  double copy_page_us = 1.7915;      // naive copy into fresh memory: 55035 us / 30720 pages
  double memcpy_page_us = 0.3564;    // memcpy into memory already faulted: 10948 us / 30720
  double cow_fault_us = 2.2092;      // one COW fault, copy included: 67865 us / 30720
  double pte_bytes = 8.0;            // one PTE: a 4 KiB PTE table holds 512 (classic_4k);
                                     // step_cost reads the engine's own tables (vm_pte)
  double process_base_kib = 96.0;    // a forked process beyond its region page tables:
                                     // 344 KiB measured - 248 KiB (60 PTE + 1 PMD + 1 PUD tables)
  double thread_us = 21.0;           // pthread_create of a thread that returns at once
  double vfork_us = 24.0;            // vfork until the parent resumes, the child _exits at once
                                     // (both: `cowlab calibrate`, docs/kernel-rules.md)
  // Transparent huge pages (2 MiB): fork per PMD (step_cost and the classic table), the
  // naive copy and empty fork for the classic table.
  double thp_fork_base_us = 41.0;    // fork of an empty process
  double thp_pmd_copy_us = 1.1;      // per huge PMD copied: (107 - 41) us / 60; calibrate
                                     // measures it as (THP fork - empty fork) / PMDs
  double thp_copy_page_us = 0.3134;  // naive copy per 4 KiB: 9627 us / 30720

  // Derived: a fault that allocates and zeroes a page (the naive copy minus its memcpy).
  double zero_fill_us() const { return copy_page_us - memcpy_page_us; }
  // Derived: a fault that neither allocates nor copies (reuse, zero page, page cache):
  // the COW fault minus the naive copy of one page.
  double minor_fault_us() const { return cow_fault_us - copy_page_us; }
  // Derived: a THP fault (do_huge_pmd_anonymous_page): one fault that zeroes 512 pages.
  double thp_fault_us() const;
  // Derived: splitting a huge PMD writes a PTE table of 512 entries.
  double thp_split_us() const;
};

// "name = value" lines, one per constant, with '#' comments: the form calibrate prints.
std::string format_cost_model(const CostModel& m);
// Reads that form; unknown names and malformed numbers are errors ("line 3: ...").
// Constants not mentioned keep their value in *m.
bool parse_cost_model(std::string_view text, CostModel* m, std::string* error);

// What one step cost.
struct StepCost {
  double time_us = 0;
  int64_t memory_bytes = 0;          // change of modeled_memory_bytes()
  uint64_t tasks = 0;                // fork, vfork, thread, exec
  uint64_t threads = 0, vforks = 0;  // of those, priced by thread_us and vfork_us
  uint64_t ptes_copied = 0, frames_copied = 0;
  uint64_t thp_frames_copied = 0;    // of frames_copied, pages of THPs: priced at thp_copy_page_us
  uint64_t cow_copies = 0, reuses = 0, zero_fills = 0, minor_faults = 0;
  uint64_t pmds_copied = 0, thp_faults = 0, thp_splits = 0;  // huge pages
};

// The cost of the step that turned `before` into `after`; `events` are that step's events
// (Fork, Vfork, Thread, Exec and FramesCopied are read from them; the rest from counters).
StepCost step_cost(const CostModel& m, const Engine& before, const Engine& after,
                   const std::vector<Event>& events);

// One statement of a script, run and priced.
struct PricedStep {
  int line = 0;
  std::string statement;             // as written, without its comment
  StepCost cost;
  bool fork_failed = false;          // eager copy: not enough free frames (ENOMEM)
};

// A script run statement by statement (its forks as `forks` says) and each statement
// priced: what `cowlab cost FILE` prints, as written and as its eager-copy variant.
struct PricedScript {
  std::vector<PricedStep> steps;     // the statements that ran, in order
  std::optional<script::Diagnostic> error;  // what stopped the run, if anything
  bool syntax_error = false;         // then nothing ran
};
PricedScript price_script(std::string_view text, const CostModel& m, script::ForkPolicy forks);

// The classic fork run through the engine and priced: a process writes `mib` MiB of heap
// (in 4 KiB pages, or in THPs: `mmap ... thp`) and forks once. The fork's step, or
// nullopt when the run stopped before it.
enum class HeapPages { Small, Huge };
std::optional<PricedStep> engine_classic_fork(const CostModel& m, uint32_t mib, HeapPages pages,
                                              script::ForkPolicy forks);

// Memory the model charges for a state: frames in use, page-table pages of every live
// address space, and process_base_kib per live process (threads excluded).
int64_t modeled_memory_bytes(const CostModel& m, const Engine& e);

// The classic "COW fork vs naive copy" figures for a process with `mib` MiB written.
struct ClassicRow {
  double cow_us = 0, copy_us = 0;         // fork time
  double cow_kib = 0, copy_kib = 0;       // extra memory right after the fork
};
ClassicRow classic_4k(const CostModel& m, uint32_t mib);   // from the formulas above
ClassicRow classic_thp(const CostModel& m, uint32_t mib);

// "2.98 ms", "344 KiB", "+120.3 MiB": fixed formats, identical on every platform.
std::string format_time_us(double us);
std::string format_bytes(double bytes, bool with_sign);

}  // namespace cow
