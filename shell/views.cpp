// `cowlab run --smaps NAME` and `--status`: thin printers over engine/mm/smaps.h.
#include "views.h"

#include <vector>

#include "engine/script/words.h"
#include "engine/mm/smaps.h"

namespace cow::shell {

int print_smaps(const cow::script::Session& s, const std::string& process, FILE* out) {
  const Engine& e = s.engine();
  ProcId p = e.find_process(process);
  if (p == kNone) {
    std::vector<std::string> names;
    for (const Process& q : e.processes()) names.push_back(q.name);
    std::fprintf(stderr, "cowlab: --smaps: unknown process '%s'%s\n", process.c_str(),
                 script::did_you_mean(process, names).c_str());
    return 2;
  }
  const Process& task = e.processes()[p];
  std::fprintf(out, "== /proc/%u/smaps (%s) ==\n", task.pid, process.c_str());
  if (!task.live()) {
    std::fprintf(out, "(%s has %s: /proc/%u no longer exists)\n", process.c_str(), to_string(task.state), task.pid);
    return 0;
  }
  std::fputs(smaps_text(e, p).c_str(), out);
  std::fprintf(out, "== /proc/%u/smaps_rollup ==\n", task.pid);
  std::fputs(smaps_rollup_text(e, p).c_str(), out);
  return 0;
}

void print_status(const cow::script::Session& s, FILE* out) {
  std::fputs(status_text(s.engine()).c_str(), out);
  std::fputs("== smem (kB) ==\n", out);
  std::fputs(smem_text(s.engine()).c_str(), out);
}

}  // namespace cow::shell
