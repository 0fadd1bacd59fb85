// The `cowlab` command: run, check and explore cowscript files natively.
// A thin driver over engine/script/session.h; every command lives in its own file.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"

#ifndef COWLAB_VERSION
#define COWLAB_VERSION "0.0.0"
#endif

static const char* kUsage =
    "usage: cowlab <command> [options] [FILE...]\n"
    "\n"
    "Simulates Linux copy-on-write fork() page by page, with the numbers /proc/PID/smaps shows.\n"
    "\n"
    "commands:\n"
    "  run [--json] [--trace] [--smaps NAME] [--status] FILE|-\n"
    "                 run a script; print the state at each `show` and at the end\n"
    "      --json     print the final state as one JSON document on stdout (tables go to stderr)\n"
    "      --trace    print each statement's events and how every metric changed\n"
    "      --smaps N  print process N's regions in /proc/PID/smaps format at the end\n"
    "      --status   print the /proc/PID/status memory lines and an smem table at the end\n"
    "  check FILE...  run scripts as tests: one line per file and a summary\n"
    "  repl           interactive prompt (:help for its commands); reads stdin when piped\n"
    "  validate [--json] FILE  run the script on the real Linux kernel and compare\n"
    "  export-c FILE  print a standalone C program that performs the script\n"
    "  quiz --seed N [--answers] [--reverse]  a generated scenario with questions\n"
    "  cost [FILE]    modeled kernel time and memory, COW vs eager copy (no FILE: 120 MiB table)\n"
    "  calibrate      measure fork, fault and copy costs on this Linux machine\n"
    "\n"
    "exit status: 0 ok; 1 an expect failed (or validate found a difference); 2 script error;\n"
    "             3 validate cannot run on this platform\n"
    "\n"
    "A script, one statement per line (# starts a comment):\n"
    "  spawn P1\n"
    "  P1 mmap heap 64          # 64 pages, anonymous private\n"
    "  P1 write heap\n"
    "  P1 fork C1\n"
    "  C1 write heap 0-15\n"
    "  expect C1 rss=64 pss=40 shared=48 private=16\n"
    "See docs/teaching.md for the whole language.\n";

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    std::printf("cowlab %s\n", COWLAB_VERSION);
    return 0;
  }
  std::string cmd = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const cow::shell::Command& c : cow::shell::commands())
    if (cmd == c.name) return c.run(rest);
  std::fprintf(stderr, "cowlab: unknown command '%s'", cmd.c_str());
  std::string near = cow::shell::closest_command(cmd);
  if (!near.empty()) std::fprintf(stderr, " (did you mean '%s'?)", near.c_str());
  std::fprintf(stderr, "\nRun 'cowlab --help' for the commands.\n");
  return 2;
}
