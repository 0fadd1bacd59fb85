// Real-tool views of a session, so students can match what they see here with the tools
// they will use on Linux: /proc/PID/smaps (and smaps_rollup), the memory lines of
// /proc/PID/status, and an smem-style USS/PSS/RSS table.
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

}  // namespace cow::shell
