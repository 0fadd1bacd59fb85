// Commit accounting (overcommit): the promise of memory that mmap, mprotect and fork make
// before any page is touched (Linux: vm_committed_as, __vm_enough_memory in mm/util.c,
// the VM_ACCOUNT flag of a VMA; docs/kernel-rules.md, "Commit accounting and overcommit").
//
// An accountable VMA (Vma::account, Linux's VM_ACCOUNT) charges its size to the system's
// committed_as while it exists; a shmem object charges its size once, for the object. A
// new charge is judged by the overcommit mode: heuristic (0) refuses one request larger
// than RAM + swap, always (1) never refuses, never (2) refuses unless committed_as,
// request included, stays below CommitLimit less the reserves. Page faults and COW copies
// never change the charge.
// Simplified: the counter is exact (Linux's percpu counter is approximate); the reserves
// are fixed when the machine is built (Linux: init_admin_reserve, init_user_reserve at
// boot, from the free memory then, which here is all of RAM); no hugetlb pages, no
// overcommit_kbytes; script tasks are unprivileged (no CAP_SYS_ADMIN), so the admin
// reserve always applies.
#pragma once
#include <cstdint>
#include <string>

#include "types.h"

namespace cow {

// /proc/sys/vm/overcommit_memory, in its numeric order.
enum class Overcommit : uint8_t { Heuristic, Always, Never };
const char* to_string(Overcommit m);

// What the judge needs about the machine and the requesting address space.
struct CommitInputs {
  Overcommit mode = Overcommit::Heuristic;
  uint32_t ratio = 50;            // overcommit_ratio, percent
  uint64_t ram_pages = 0;         // totalram_pages()
  uint64_t swap_pages = 0;        // total_swap_pages
  uint64_t committed = 0;         // vm_committed_as before the request
  uint64_t total_vm = 0;          // mm->total_vm of the requesting mm (fork: the parent)
};

// One judgement of __vm_enough_memory, with the numbers it rests on (in pages).
struct CommitVerdict {
  bool allowed = true;
  uint64_t request = 0;
  uint64_t committed_after = 0;   // committed_as with the request added
  uint64_t limit = 0;             // heuristic: RAM + swap; never: CommitLimit
  uint64_t admin_reserve = 0, user_reserve = 0;  // mode never only
  // The most committed_as may reach and still be allowed (never: limit less reserves;
  // heuristic: the bound on the single request).
  uint64_t allowed_max() const {
    uint64_t reserves = admin_reserve + user_reserve;
    return limit > reserves ? limit - reserves : 0;
  }
};

// CommitLimit as /proc/meminfo shows it (vm_commit_limit): swap + RAM x ratio / 100.
uint64_t commit_limit(uint64_t ram_pages, uint64_t swap_pages, uint32_t ratio);
// The reserves of mode never for a machine of `ram_pages` (init_admin_reserve:
// min(free/32, 8 MiB); init_user_reserve: min(free/32, 128 MiB)).
uint64_t admin_reserve_pages(uint64_t ram_pages);
uint64_t user_reserve_pages(uint64_t ram_pages);
// __vm_enough_memory: may `request` more pages be committed?
CommitVerdict judge_commit(const CommitInputs& in, uint64_t request);

// What asked for the charge that was refused.
enum class CommitOp : uint8_t { Mmap, Mprotect, Fork };
const char* to_string(CommitOp op);

// A refused charge, kept for explanations (Engine::commit_refusals()).
struct CommitRefusal {
  CommitOp op = CommitOp::Mmap;
  ProcId proc = kNone;
  MmId mm = kNone;
  NameId region = kNone;          // the region asked for (fork: the VMA refused)
  Overcommit mode = Overcommit::Heuristic;
  CommitVerdict verdict;
  uint64_t fork_total = 0;        // fork: the child's whole charge, had it succeeded
};

// Why a charge was refused, with the numbers, in one or more sentences: `who` did it,
// `region` names the region (fork: the VMA refused). For the trace, the report and the
// web inspector.
std::string explain_refusal(const CommitRefusal& r, const std::string& who, const std::string& region);
// The short form, for one trace line: "fork refused: ... (never: 19660 >= 12104)".
std::string refusal_summary(const CommitRefusal& r, const std::string& region);

}  // namespace cow
