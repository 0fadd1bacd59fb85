// Statement -> kernel operations: what a real Linux process must do to perform one
// cowscript statement (used by `cowlab validate` and `cowlab export-c`).
//
// The engine decides everything the kernel needs to know: which task ids exist (task id
// = engine ProcId), where each mapping lives (the engine's 1 GiB-aligned layout from
// 1 TiB, so fault-around windows and PTE tables line up), and which tag a write stores
// (ProcId + 1, as the engine's frames record). Nothing here touches the kernel.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/mm/engine.h"
#include "engine/script/session.h"

namespace cow::kernel {

enum class KOpKind : uint8_t {
  File,      // create a file of `pages` pages (fully cached, clean)
  Spawn,     // a new process with an empty address space: task `child`
  Mmap,      // map `pages` pages at `base`
  Munmap, Write, Read, Madvise, Mprotect,  // on pages [first, last] of the mapping at `base`
  Fork, Vfork, Thread,                     // `task` creates `child`
  Exec, Exit,
  Show,      // a `show` statement: measure here
};

struct KOp {
  KOpKind kind = KOpKind::Show;
  int line = 0;
  ProcId task = kNone;     // the acting task
  ProcId child = kNone;    // spawn / fork / vfork / thread: the new task
  std::string name;        // region, file or new task name (messages and export-c)
  uint64_t base = 0;       // the mapping's address in the actor's mm; 0 = it has none
  uint32_t pages = 0;      // size of the original mapping (or the file)
  bool all = false;        // every page the task still maps (first/last unused)
  uint32_t first = 0, last = 0;
  Backing backing = Backing::Anon;
  Share share = Share::Private;
  Prot prot = Prot::ReadWrite;
  FileId file = kNone;
  Advice advice = Advice::DontNeed;
  Prot protect = Prot::ReadOnly;
  bool thread_exit = false;  // Exit: only this thread (SYS_exit), not the group
  uint32_t tag = 0;          // Write: what the page's first word receives
  bool huge = false;         // Mmap: MADV_HUGEPAGE (the engine allows THPs here), else MADV_NOHUGEPAGE
  bool noreserve = false;    // Mmap: MAP_NORESERVE (`mmap ... noreserve`), whatever the overcommit mode
};

// Where the kernel path places mapping base `base_gib` (engine units: GiB).
uint64_t kernel_address(uint64_t base_gib);

// The operations for statement `s`, given the engine just after it ran (mappings are never
// forgotten and tasks keep their mm id, so the state after tells where everything was).
// Preconditions: `s` ran without a runtime error.
std::vector<KOp> plan_statement(const script::Statement& s, const Engine& after);

// Why the kernel cannot perform this script, or nothing. `dry` has run the whole script
// without errors. `notes` receives harmless differences (e.g. `ram` is not enforced).
struct Inexpressible {
  script::Pos pos;
  std::string message;
};
std::optional<Inexpressible> check_expressible(const script::Session& dry, std::vector<std::string>* notes);

}  // namespace cow::kernel
