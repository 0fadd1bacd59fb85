// `cowlab export-c FILE`: prints engine/kernel/export_c.h's program for the script.
#include <cstdio>
#include <string>

#include "shell/commands.h"
#include "engine/kernel/export_c.h"
#include "validate.h"

int run_export_c(const std::vector<std::string>& args) {
  std::string path;
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::puts("usage: cowlab export-c FILE > scenario.c\n"
                "Writes a standalone C99 program that performs the script with real processes and prints\n"
                "the smaps numbers of its regions at each `show`. Build: cc -O2 scenario.c -lpthread");
      return 0;
    }
    if (!path.empty() || (a.size() > 1 && a[0] == '-')) {
      std::fprintf(stderr, "cowlab export-c: unexpected argument '%s'\nusage: cowlab export-c FILE\n", a.c_str());
      return 2;
    }
    path = a;
  }
  if (path.empty()) {
    std::fputs("usage: cowlab export-c FILE > scenario.c\n", stderr);
    return 2;
  }
  std::string text;
  if (!cow::shell::read_source(path, &text)) return 2;
  cow::kernel::ExportedC c = cow::kernel::export_c(text, path);
  if (c.status != 0) {
    if (c.pos.line > 0)
      std::fprintf(stderr, "%s:%d:%d: %s%s\n", path.c_str(), c.pos.line, c.pos.col, c.status == 2 ? "error: " : "",
                   c.message.c_str());
    else
      std::fprintf(stderr, "%s: %s\n", path.c_str(), c.message.c_str());
    return c.status;
  }
  for (const std::string& n : c.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  std::fputs(c.program.c_str(), stdout);
  return 0;
}
