// The kernel's side of the commit comparison of `cowlab validate`: this machine's
// overcommit settings (/proc/sys/vm), /proc/meminfo's Committed_AS (Linux: the sum of
// vm_committed_as, which meminfo_proc_show reads exactly since Linux 5.8), and the charge
// of the workers' own memory: the accountable VMAs (smaps VmFlags "ac", Linux's
// VM_ACCOUNT) of their stacks, heap, C library data and thread stacks, which the script
// never asked for and the engine does not have. Committed_AS is system wide: every other
// process on the machine moves it too (docs/fidelity.md, "Commit charge"). Linux only.
#pragma once
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/mm/commit.h"

namespace cow::kernel {

// /proc/sys/vm/overcommit_memory, overcommit_ratio, overcommit_kbytes and /proc/meminfo.
struct MachineOvercommit {
  Overcommit mode = Overcommit::Heuristic;
  uint32_t ratio = 50;
  uint64_t kbytes = 0;  // overcommit_kbytes (0: CommitLimit comes from the ratio)
  uint64_t mem_total_kb = 0, swap_total_kb = 0, commit_limit_kb = 0;
};
// False when a file is missing or unreadable (`why` says which).
bool read_machine_overcommit(MachineOvercommit* out, std::string* why);

// An address range [start, end) of the script's own mappings, in one process.
struct AddressRange {
  uint64_t start = 0, end = 0;
};

// /proc/meminfo's Committed_AS in kB, or -1. One read of a small file into a buffer on
// the stack, then string scanning: it allocates nothing (the driver's own charge cannot
// move while it reads) and takes no lock, so the workers call it too, vfork children
// included.
int64_t committed_as_kb();

// The workers' own charge in kB: the accountable VMAs of `tasks` (one task per address
// space; 0 stands for this process, the driver, whose own allocations count too) that lie
// outside the script's ranges. Reads each /proc/TID/smaps in pieces into a buffer on the
// stack; a task that is gone counts 0.
int64_t own_charge_kb(const std::vector<pid_t>& tasks, const std::vector<AddressRange>& script);

// How much the rest of the machine moves Committed_AS: `intervals` idle intervals of
// `gap_us` microseconds each, while the driver and its workers do nothing.
struct CommitNoise {
  int intervals = 0, moved = 0;  // intervals measured, and those in which Committed_AS moved
  uint64_t median_kb = 0;        // of the moves (0 when none moved)
  uint64_t max_kb = 0;
};
CommitNoise measure_commit_noise(int intervals, int gap_us);

}  // namespace cow::kernel
#endif  // __linux__
