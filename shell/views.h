// Real-tool views of a session, so students can match what they see here with the tools
// they will use on Linux: /proc/PID/smaps (and smaps_rollup), the memory lines of
// /proc/PID/status, an smem-style USS/PSS/RSS table, and a per-page table in the manner
// of pmap and /proc/PID/pagemap (engine/mm/pagemap.h).
//
// The texts come from engine/mm/smaps.h (shared with the web page): every number is read
// from the engine's page tables and frames and printed in kB as the kernel formats it,
// Pss truncated to whole kB.
#pragma once
#include <cstdio>
#include <string>

#include "engine/script/session.h"

namespace cow::shell {

// Prints /proc/PID/smaps of `process` (one entry per VMA) and then its smaps_rollup.
// Returns 0, or 2 with a message on stderr when no process has that name.
int print_smaps(const cow::script::Session& s, const std::string& process, FILE* out);

// Prints the memory lines of /proc/PID/status for each live process, then an smem-style
// table (USS, PSS, RSS in kB) with a total.
void print_status(const cow::script::Session& s, FILE* out);

// Which pages `run --pagemap[=PROCESS[:REGION]]` prints; empty names: every one.
struct PagemapFilter {
  std::string process, region;
};
PagemapFilter parse_pagemap_filter(const std::string& value);  // "P1:heap", "P1" or ""

// One table per live process (threads share their leader's) and region that the filter
// selects: a row per page with its address, PTE, frame, kind, mapcount and walk indices.
std::string pagemap_text(const cow::script::Session& s, const PagemapFilter& f);

// Returns 0, or 2 with a message on stderr when the filter names a process or region
// that the run never had.
int check_pagemap_filter(const cow::script::Session& s, const PagemapFilter& f);

}  // namespace cow::shell
