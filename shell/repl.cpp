// `cowlab repl`: type statements one at a time and see the state after each.
// Each accepted line is appended to the script, which re-runs from the start; a line
// with an error is reported and dropped, so the state stays as it was.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "engine/script/session.h"
#include "report.h"

namespace cow::shell {

static const char* kReplHelp =
    "Type cowscript statements, one per line, e.g.\n"
    "  spawn P1\n  P1 mmap heap 64\n  P1 write heap\n  P1 fork C1\n  C1 write heap 0-15\n"
    "Commands:\n"
    "  :help   this text\n  :show   the full state table\n  :json   the state as JSON\n"
    "  :undo   take back the last statement\n  :script print the script so far\n"
    "  :reset  start over\n  :quit   leave (also Ctrl-D)\n";

// One line of headline numbers after each statement.
static std::string summary(const script::Session& s) {
  SystemUsage y = s.engine().system();
  const Counters& c = s.engine().counters();
  std::string out = "frames used " + std::to_string(y.frames_used) + " (shared " + std::to_string(y.frames_shared) +
                    ", private " + std::to_string(y.frames_private) + "); cow copies " +
                    std::to_string(c.cow_copies) + ", reuses " + std::to_string(c.cow_reuses) + "\n";
  for (ProcId p = 0; p < s.engine().processes().size(); ++p) {
    const Process& t = s.engine().processes()[p];
    if (!t.live()) continue;
    Usage u = s.engine().usage(p);
    char pss[32];
    format_pss(u.pss, pss);
    out += "  " + t.name + ": rss " + std::to_string(u.rss) + " pss " + pss + " shared " +
           std::to_string(u.shared_clean + u.shared_dirty) + " private " +
           std::to_string(u.private_clean + u.private_dirty) + "\n";
  }
  return out;
}

const Spec kReplSpec = {
    .name = "repl",
    .summary = "interactive prompt: type statements one at a time, see the state after each",
    .details = "Each statement typed joins the script, which runs again from the start; a line\n"
               "with an error is reported and dropped. Lines starting with ':' are commands:\n"
               ":help, :show, :json, :undo, :script, :reset and :quit (also Ctrl-D).\n"
               "Reads statements from stdin when it is not a terminal.\n",
};

int repl_main(const Parsed&) {
  bool tty = isatty(0);
  if (tty) std::puts("cowlab repl: type statements; :help for help, :quit to leave.");
  std::vector<std::string> lines;
  script::Session s;
  auto rebuild = [&] {
    std::string text;
    for (const std::string& l : lines) text += l + "\n";
    s.load(text);
    s.run_all();
  };
  std::string line;
  int errors = 0;
  while (true) {
    if (tty) std::fputs("cow> ", stdout), std::fflush(stdout);
    if (!std::getline(std::cin, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == ":quit" || line == ":q" || line == ":exit") break;
    if (line == ":help" || line == ":h") { std::fputs(kReplHelp, stdout); continue; }
    if (line == ":show") { std::fputs(state_table(s).c_str(), stdout); continue; }
    if (line == ":json") { std::printf("%s\n", script::state_json(s).c_str()); continue; }
    if (line == ":script") { for (const std::string& l : lines) std::printf("%s\n", l.c_str()); continue; }
    if (line == ":reset") { lines.clear(), rebuild(), std::puts("(empty)"); continue; }
    if (line == ":undo") {
      if (lines.empty()) { std::puts("nothing to undo"); continue; }
      std::printf("undone: %s\n", lines.back().c_str());
      lines.pop_back(), rebuild();
      std::fputs(summary(s).c_str(), stdout);
      continue;
    }
    if (!line.empty() && line[0] == ':') { std::printf("unknown command '%s'; :help lists them\n", line.c_str()); continue; }
    size_t expects_before = s.expects().size();
    lines.push_back(line);
    rebuild();
    if (s.error()) {
      std::string text;
      for (const std::string& l : lines) text += l + "\n";
      std::fputs(format_error("<repl>", text, *s.error()).c_str(), stdout);
      ++errors;
      lines.pop_back(), rebuild();
      continue;
    }
    for (size_t i = expects_before; i < s.expects().size(); ++i)
      std::printf("%s %s\n", s.expects()[i].ok ? "ok:" : "FAILED:", s.expects()[i].message.c_str());
    if (!s.history().empty()) {
      const std::vector<Event>& events = s.history().back().events;
      size_t shown = 0;
      for (const Event& e : events)
        if (e.kind != EventKind::ReadSees && shown++ < 8) std::printf("  %s\n", s.engine().describe(e).c_str());
      if (shown > 8) std::printf("  ... %zu more events\n", shown - 8);
    }
    std::fputs(summary(s).c_str(), stdout);
  }
  return 0;
}

}  // namespace cow::shell
