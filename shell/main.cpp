// The `cowlab` command: run, check and explore cowscript files natively.
// A thin driver over engine/script/session.h; every command lives in its own file and
// declares its options (args.h), from which this file builds `cowlab --help`. The help
// is laid out the way help2man reads it, so the man page comes from it too.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "engine/script/words.h"
#include "engine/teach/glossary.h"

#ifndef COWLAB_VERSION
#define COWLAB_VERSION "0.0.0"
#endif

namespace cow::shell {

namespace {

constexpr Option kTopOptions[] = {
    {.name = "--help", .help = "print this help and exit; after a command, that command's help", .short_name = "-h"},
    {.name = "--version", .help = "print the version and exit", .short_name = "-V"},
};

constexpr const char* kIntro =
    "Usage: cowlab COMMAND [OPTION]... [FILE]...\n"
    "  or:  cowlab COMMAND --help\n"
    "  or:  cowlab --help | --version\n"
    "  or:  cowlab help glossary   (what Rss, Pss, USS, Shared, Private... mean)\n"
    "Simulates Linux copy-on-write fork() page by page, with the numbers that\n"
    "/proc/PID/smaps shows. Options and files may come in any order; `--` ends the\n"
    "options, `-` reads stdin.\n";

constexpr const char* kExitStatus =
    "Exit status:\n"
    "  0  success\n"
    "  1  an expect failed (or validate found a difference)\n"
    "  2  a script error, or a bad command line\n"
    "  3  validate cannot run on this platform\n";

// help2man shows lines starting with "$ " or "> " verbatim, as commands and their input.
constexpr const char* kExamples =
    "Examples:\n"
    "  $ cowlab run --trace examples/01-basic-cow-fork.cow\n"
    "  $ cowlab run --smaps=C1 examples/01-basic-cow-fork.cow\n"
    "  $ cowlab check --junit report.xml examples/*.cow\n"
    "  $ cowlab quiz --seed 42 --answers\n"
    "\n"
    "A script has one statement per line; # starts a comment. This one checks itself:\n"
    "\n"
    "  $ cowlab run - <<'EOF'\n"
    "  > spawn P1\n"
    "  > P1 mmap heap 64          # 64 pages, anonymous private\n"
    "  > P1 write heap\n"
    "  > P1 fork C1\n"
    "  > C1 write heap 0-15\n"
    "  > expect C1 rss=64 pss=40 shared=48 private=16\n"
    "  > EOF\n"
    "\n"
    "The guide teaching.md (docs/ in the sources) describes the whole language.\n";

// `text` with every non-empty line indented by two spaces.
std::string indented(std::string_view text) {
  std::string out;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    if (end > start) out += "  ";
    out.append(text.substr(start, end - start)) += '\n';
    start = end + 1;
  }
  return out;
}

// The commands with their summaries, then each command's usage, description and
// options, then the exit status, the global options and examples. help2man turns each
// "heading:" followed by indented lines into a subsection of the man page.
std::string top_help() {
  std::string out = std::string(kIntro) + "\nCommands:\n";
  for (const Command& c : commands()) out += help_row("  " + std::string(c.spec->name), c.spec->summary, 14);
  for (const Command& c : commands())
    (((out += '\n') += usage_line(*c.spec)) += ":\n") += indented(c.spec->details) + option_lines(c.spec->options);
  return ((out += '\n') += kExitStatus) + "\nOptions:\n" + option_lines(kTopOptions) + "\n" + kExamples;
}

}  // namespace

int unknown_command(const std::string& word) {
  bool option = word.size() > 1 && word[0] == '-';
  std::vector<std::string> names;
  if (option) names = {"--help", "--version"};
  for (const Command& c : commands())
    if (!option) names.emplace_back(c.spec->name);
  std::fprintf(stderr, "cowlab: unknown %s '%s'%s\nRun 'cowlab --help' for the commands.\n",
               option ? "option" : "command", word.c_str(), script::did_you_mean(word, names).c_str());
  return 2;
}

}  // namespace cow::shell

int main(int argc, char** argv) {
  using namespace cow::shell;
  Args args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || (args[0] == "help" && args.size() == 1)) {
    std::fputs(top_help().c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    std::printf("cowlab %s\n", COWLAB_VERSION);
    return 0;
  }
  if (args[0] == "help" && args.size() == 2 && args[1] == "glossary") {
    std::fputs(cow::glossary_text().c_str(), stdout);  // the web page's Help shows the same
    return 0;
  }
  // `cowlab help COMMAND` is `cowlab COMMAND --help`.
  bool help = args[0] == "help";
  const std::string& name = help ? args[1] : args[0];
  for (const Command& c : commands()) {
    if (name != c.spec->name) continue;
    Parsed parsed(*c.spec);
    Args rest = help ? Args{"--help"} : Args(args.begin() + 1, args.end());
    if (std::optional<int> status = parse_args(*c.spec, rest, &parsed)) return *status;
    return c.run(parsed);
  }
  return unknown_command(name);
}
