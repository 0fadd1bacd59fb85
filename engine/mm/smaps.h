// One /proc/PID/smaps entry per VMA, computed as fs/proc/task_mmu.c does (show_smap ->
// smaps_pte_entry -> smaps_account -> smaps_page_accumulate).
//
// Unlike accounting.h, which keeps Pss exact, this sums Pss the kernel's way: each PTE adds
// (PAGE_SIZE << PSS_SHIFT) / mapcount, an integer division, so the printed value (shifted
// back and divided by 1024) truncates exactly as real smaps does. Pure: no I/O; the texts
// below are returned as strings for the shell (`cowlab run --smaps/--status`), the web
// page's panel and the tests.
// A PMD-mapped THP is accounted page by page with each page's own mapcount, as
// smaps_account does for a compound page (folio_precise_page_mapcount); AnonHugePages adds
// 2 MiB per PMD; THPeligible is thp.h's vma_thp_eligible.
// Simplified: Referenced equals Rss (every mapped page was just touched); VmFlags are
// derived from the VMA's current protection and madvise flags.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine.h"

namespace cow {

constexpr int kPssShift = 12;  // Linux: PSS_SHIFT

struct SmapsEntry {
  uint32_t mapping = 0;        // index into the address space's mappings
  uint32_t vma = 0;            // index into the address space's vmas
  uint64_t start = 0, end = 0; // virtual addresses [start, end)
  uint64_t pgoff = 0;          // offset in bytes into the file or shmem object (0 for anon)
  // Sizes in pages.
  uint64_t size = 0, rss = 0, referenced = 0, anonymous = 0;
  uint64_t shared_clean = 0, shared_dirty = 0, private_clean = 0, private_dirty = 0;
  uint64_t anon_huge = 0;      // AnonHugePages: pages of PMD-mapped THPs
  // Pss sums in bytes << kPssShift, as the kernel accumulates them.
  uint64_t pss = 0, pss_dirty = 0, pss_anon = 0, pss_file = 0, pss_shmem = 0;
};

// The entries of process p's address space, in address order. Empty for a task that is
// not live.
std::vector<SmapsEntry> smaps_entries(const Engine& e, ProcId p);

// The sum of entries, as /proc/PID/smaps_rollup reports it (start of the first entry,
// end of the last; mapping and vma are 0).
SmapsEntry smaps_rollup(const std::vector<SmapsEntry>& entries);

// A Pss sum printed the kernel's way: whole kB, truncated.
inline uint64_t pss_kb(uint64_t shifted) { return (shifted >> kPssShift) >> 10; }

// /proc/PID/smaps of task p, byte for byte as Linux 6.x prints it (show_smap). "" for a
// task that is not live.
std::string smaps_text(const Engine& e, ProcId p);
// /proc/PID/smaps_rollup of task p (show_smaps_rollup). "" for a task that is not live.
std::string smaps_rollup_text(const Engine& e, ProcId p);
// For each live process (thread-group leader): the Name, Pid, PPid, VmSize, VmRSS,
// RssAnon, RssFile, RssShmem, VmPTE and Threads lines of /proc/PID/status (task_mem).
std::string status_text(const Engine& e);
// The /proc/meminfo lines the engine knows, as meminfo_proc_show prints them ("%-16s%8lu
// kB": the name padded to 16 columns, the number right-aligned in 8): MemTotal, MemFree,
// Cached (page cache and shmem, as Linux counts shmem in Cached), SwapTotal, AnonPages,
// Shmem, CommitLimit, Committed_AS, in Linux's order.
std::string meminfo_text(const Engine& e);
// One row of smem's table: a live process (thread-group leader), in kB as smem prints it
// and in pages. Like smem, pss_kb adds the truncated Pss of each smaps entry; pss is exact.
struct SmemRow {
  ProcId proc = 0;
  uint32_t pid = 0;
  std::string command;
  uint64_t uss_kb = 0, pss_kb = 0, rss_kb = 0;
  uint64_t uss = 0, rss = 0;  // pages
  double pss = 0;             // pages
};
// The rows of smem_text, sorted by PSS.
std::vector<SmemRow> smem_rows(const Engine& e);
// An smem-style table: PID, Command, Swap, USS, PSS, RSS in kB, sorted by PSS, with a
// total.
std::string smem_text(const Engine& e);

}  // namespace cow
