// cowscript syntax tree: one Statement per non-blank, non-comment line.
//
// The parser (parser.h) builds it and reports syntax errors; the session (session.h)
// runs it. Name ranges such as `w[1-4]` stay unexpanded here; expand() lists the names.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/mm/engine.h"

namespace cow::script {

struct Pos {
  int line = 0, col = 0;  // both from 1
};

struct Diagnostic {
  Pos pos;
  std::string message;    // without the "file:line:col: error: " prefix
};

// A process name, or a name range `base[lo-hi]` standing for base<lo> .. base<hi>.
struct NameRef {
  std::string text;       // as written
  std::string base;
  bool is_range = false;
  uint32_t lo = 0, hi = 0;
  Pos pos;
  std::vector<std::string> expand() const;
  size_t count() const { return is_range ? size_t(hi - lo + 1) : 1; }
};

enum class Verb : uint8_t {
  Ram, File, Mode, Spawn, Show, Expect, Swap,            // global statements
  Mmap, Munmap, Write, Read, Fork, Vfork, Thread, Exec,  // process statements
  Exit, Madvise, Mprotect,
};

enum class MetricScope : uint8_t { Process, Region, System };

// The settings of `mode`: fork=cow|copy, thp=never|madvise|always,
// overcommit=heuristic|always|never, overcommit_ratio=PERCENT.
enum class ModeSetting : uint8_t { Fork, Thp, Overcommit, OvercommitRatio };

// One `metric=value` of an expect statement.
struct Check {
  std::string metric;     // engine name: rss, pss, cow_copies, state, ...
  Pos pos;                // of the metric name
  Pos value_pos;
  double value = 0;       // in pages (a size unit was converted)
  std::optional<ProcState> state;  // for metric "state"
  std::string value_text; // as written
};

struct Statement {
  Verb verb = Verb::Show;
  Pos pos;                // of the first token
  int step = 0;           // 1-based statement number
  int line_end_col = 0;   // column just past the statement text (for highlighting)

  NameRef actor;          // process statements; expect's process (if any)
  bool has_actor = false;
  NameRef target;         // spawn / fork / vfork / thread: the new name(s)

  std::string region;     // mmap, munmap, read, write, madvise, mprotect, region expect
  Pos region_pos;

  uint64_t count = 0;     // ram: frames; file, swap: pages; mmap (anon): pages; the ratio
  Pos count_pos;
  std::string file;       // `file NAME`; mmap of a file
  Pos file_pos;
  Share share = Share::Private;
  Prot prot = Prot::ReadWrite;
  Backing backing = Backing::Anon;
  bool hugepage = false;  // mmap ... thp: MADV_HUGEPAGE at once
  Pos hugepage_pos;
  bool noreserve = false; // mmap ... noreserve: MAP_NORESERVE
  Pos noreserve_pos;

  Pages pages;            // empty = every page still mapped
  Pos pages_pos;
  Advice advice = Advice::DontNeed;
  Prot protect = Prot::ReadOnly;
  ModeSetting setting = ModeSetting::Fork;  // mode: which setting it changes
  ForkMode mode = ForkMode::Cow;            //   mode fork=...
  ThpMode thp = ThpMode::Madvise;           //   mode thp=...
  Overcommit overcommit = Overcommit::Heuristic;  // mode overcommit=... (the ratio: count)

  MetricScope scope = MetricScope::System;  // expect
  std::vector<Check> checks;
};

struct Script {
  std::vector<Statement> statements;
};

// Hard limits on untrusted scripts (docs/robustness.md). Exceeding one is an error that
// names the limit.
struct Limits {
  uint64_t max_script_bytes = 1u << 20;     // 1 MiB
  uint32_t max_line_bytes = 4096;
  uint32_t max_name_bytes = 64;
  uint32_t max_processes = 4096;            // tasks created, threads included
  uint64_t max_ram_pages = uint64_t(kMaxFrames);  // 64 GiB
  uint64_t max_region_pages = uint64_t(kMaxFrames);
  uint64_t max_steps_executed = 1000000;    // actor expansions of name ranges count each
  // PTE slots of all page tables together (4 bytes each): zero-page PTEs take no RAM, so
  // max_ram_pages alone does not bound the engine's memory. 2^25 = 128 MiB, room for a
  // fork of a process with 64 GiB mapped.
  uint64_t max_page_table_entries = uint64_t(1) << 25;
  // Engine copies the session keeps for stepping back; past this, fewer checkpoints are
  // taken and stepping back replays from an earlier one.
  uint64_t max_checkpoint_bytes = uint64_t(256) << 20;
};

// The metric names an expect may use, by scope (for errors and suggestions).
bool is_process_metric(std::string_view name);   // also valid for regions unless noted
bool is_region_metric(std::string_view name);
bool is_system_metric(std::string_view name);

}  // namespace cow::script
