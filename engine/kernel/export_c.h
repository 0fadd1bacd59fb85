// export_c(): a cowscript script as a standalone C99 program that performs it with real
// Linux processes (fork, vfork, pthreads, mmap, munmap, madvise, mprotect, exec, _exit),
// with the same one-statement-at-a-time synchronisation as `cowlab validate`, and prints
// the /proc/PID/smaps numbers of the script's regions at each `show` and at the end.
// It builds with `cc -O2 scenario.c -lpthread` on any Linux. Pure: text in, text out;
// `cowlab export-c` and the playground's "Run this on your Linux" both call it.
#pragma once
#include <string>
#include <vector>

#include "engine/script/ast.h"

namespace cow::kernel {

// The generated program keeps two pipes per task open in one process.
inline constexpr size_t kMaxExportTasks = 200;

struct ExportedC {
  int status = 2;             // 0 ok; 2 the script has an error; 3 the kernel cannot express it
  script::Pos pos;            // where, when status != 0 (line 0: the whole script)
  std::string message;        // why, when status != 0
  std::vector<std::string> notes;  // harmless differences (e.g. `ram` is not enforced)
  std::string program;        // the C source, when status == 0
};

// `path` is only quoted in the program's comments.
ExportedC export_c(const std::string& text, const std::string& path);

}  // namespace cow::kernel
