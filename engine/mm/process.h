// A task (Linux: struct task_struct): a process, a thread or a vfork child.
//
// Threads (clone with CLONE_VM) point at their group leader in `leader`; a process is its
// own leader. A vfork child is its own process that shares its parent's address space
// until it execs or exits; `vfork_parent` is then suspended.
#pragma once
#include <string>

#include "types.h"

namespace cow {

struct Process {
  std::string name;
  ProcId parent = kNone;        // the task that created it (kNone for spawn)
  ProcId leader = kNone;        // thread group leader; itself for a process
  ProcId vfork_parent = kNone;  // the task suspended until this one execs or exits
  MmId mm = kNone;
  ProcState state = ProcState::Running;

  bool is_thread(ProcId self) const { return leader != self; }
  bool live() const { return state == ProcState::Running || state == ProcState::Suspended; }
};

}  // namespace cow
