// `cowlab export-c FILE`: prints engine/kernel/export_c.h's program for the script.
#include <cstdio>
#include <string>

#include "shell/commands.h"
#include "engine/kernel/export_c.h"
#include "validate.h"

extern const cow::shell::Spec kExportCSpec = {
    .name = "export-c",
    .summary = "print a standalone C program that performs the script",
    .operands = cow::shell::kOneScript,
    .details = "Writes a standalone C99 program that performs the script with real processes\n"
               "and prints the smaps numbers of its regions at each `show`:\n"
               "cowlab export-c FILE > scenario.c, then cc -O2 scenario.c -lpthread.\n",
};

int run_export_c(const cow::shell::Parsed& args) {
  std::string path = args.operand();
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
