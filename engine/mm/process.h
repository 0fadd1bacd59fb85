// A task (Linux: struct task_struct): a process, a thread or a vfork child.
//
// Threads (clone with CLONE_VM) point at their group leader in `leader`; a process is its
// own leader. A vfork child is its own process that shares its parent's address space
// until it execs or exits; `vfork_parent` is then suspended.
//
// Ids: the first task is pid 1, the next pid 2, in creation order (alloc_pid in a fresh
// pid namespace); a thread's pid is its thread id, and its process's pid (the tgid) is
// the leader's. A thread that execs takes over the leader's pid (de_thread). `parent` is
// Linux's real_parent: the task that forked or vforked this one, for a thread its
// group's parent (CLONE_THREAD), and after the parent ended the task that adopted it
// (docs/kernel-rules.md, "Process ids, parents and orphans").
#pragma once
#include <cstdint>
#include <string>

#include "types.h"

namespace cow {

struct Process {
  std::string name;
  uint32_t pid = 0;             // task->pid: starts as ProcId + 1, unique, never reused
  ProcId parent = kNone;        // real_parent; kNone when none in the script (PPid 0)
  ProcId leader = kNone;        // thread group leader; itself for a process
  ProcId vfork_parent = kNone;  // the task suspended until this one execs or exits
  MmId mm = kNone;
  ProcState state = ProcState::Running;
  uint64_t min_flt = 0;         // page faults this task took (task->min_flt)

  bool is_thread(ProcId self) const { return leader != self; }
  bool live() const { return state == ProcState::Running || state == ProcState::Suspended; }
};

}  // namespace cow
