// Trace events: what each operation did, as data (Linux has no single equivalent; think
// of the mm tracepoints). The command line prints them, the web page draws them.
//
// Page-level events are kept up to Engine::Config::event_detail_limit per statement;
// beyond that they are folded into one Suppressed event carrying the count. The counters
// (accounting.h) are always exact.
#pragma once
#include <cstdint>
#include <string>

#include "types.h"

namespace cow {

enum class EventKind : uint8_t {
  // page faults and what resolved them
  ZeroPageMap,    // read of never-written private anon: zero page mapped
  ZeroFill,       // write to never-written private anon: zeroed frame allocated
  CowCopy,        // write to a shared private page: copied `frame` -> `frame2`
  CowReuse,       // write to a write-protected page this mm alone maps: reused `frame`
  FileCopy,       // write to a file-private page: page cache `frame` copied -> `frame2`
  FileMap,        // read fault mapped `count` cached pages (fault-around)
  ShmemAlloc,     // shared anon page allocated (zeroed) on first touch
  SharedWrite,    // write through a shared mapping, landed in `frame`
  ReadSees,       // a read of `page` sees the data written by tag `count` (0 = zeros/file)
  // whole operations
  Spawn, Fork, ForkFailed, Vfork, Thread, Exec, Exit, Resume,
  Mmap, Munmap, Madvise, Mprotect,
  PtesCopied,     // fork copied `count` PTEs
  WriteProtect,   // fork write-protected `count` PTEs in the parent
  FramesCopied,   // eager-copy fork duplicated `count` frames
  FramesFreed,    // `count` frames returned to the free pool
  Segfault,       // `proc` killed by SIGSEGV at `region`[`page`]
  OomKill,        // `proc` killed by the OOM killer (badness in `count`)
  Suppressed,     // `count` more page-level events were folded
};

struct Event {
  EventKind kind;
  ProcId proc = kNone;      // the acting task (or the victim, for kills)
  NameId region = kNone;
  uint32_t page = 0;
  FrameId frame = kNone;
  FrameId frame2 = kNone;
  uint32_t count = 0;
  ProcId other = kNone;     // the new task for Fork/Vfork/Thread, the resumed one for Resume
};

const char* to_string(EventKind k);

}  // namespace cow
