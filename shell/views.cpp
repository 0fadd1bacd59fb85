// `cowlab run --smaps NAME`, `--status` and `--pagemap`: thin printers over
// engine/mm/smaps.h and engine/mm/pagemap.h.
#include "views.h"

#include <vector>

#include "engine/mm/pagemap.h"
#include "engine/mm/smaps.h"
#include "engine/script/words.h"

namespace cow::shell {

namespace {

// 2 with "cowlab: OPTION: unknown process 'X' (did you mean ...)" on stderr.
int unknown_process(const Engine& e, const char* option, const std::string& process) {
  std::vector<std::string> names;
  for (const Process& q : e.processes()) names.push_back(q.name);
  std::fprintf(stderr, "cowlab: %s: unknown process '%s'%s\n", option, process.c_str(),
               script::did_you_mean(process, names).c_str());
  return 2;
}

std::string row(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string page_row(const PageEntry& pe) {
  std::string frame = !pe.present ? "-" : pe.zero_page ? "zero" : std::to_string(pe.frame);
  std::string mapcount = pe.present && !pe.zero_page ? std::to_string(pe.mapcount) : "-";
  const auto& w = pe.walk.index;
  return row("%6u  %-15s %s %8s  %s %s %-3s  %-5s %8s  %3u %3u %3u %3u\n", pe.page, hex_address(pe.walk.address).c_str(),
             pe.present ? "y" : "-", frame.c_str(), pe.writable ? "W" : "-", pe.dirty ? "D" : "-",
             pe.cow ? "COW" : "-", pe.present ? kind_name(pe) : "-", mapcount.c_str(), w[0], w[1], w[2], w[3]);
}

}  // namespace

int print_smaps(const cow::script::Session& s, const std::string& process, FILE* out) {
  const Engine& e = s.engine();
  ProcId p = e.find_process(process);
  if (p == kNone) return unknown_process(e, "--smaps", process);
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

PagemapFilter parse_pagemap_filter(const std::string& value) {
  size_t colon = value.find(':');
  if (colon == std::string::npos) return {value, ""};
  return {value.substr(0, colon), value.substr(colon + 1)};
}

std::string pagemap_text(const cow::script::Session& s, const PagemapFilter& f) {
  const Engine& e = s.engine();
  std::string out;
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    const Process& t = e.processes()[p];
    if (!t.live() || t.is_thread(p) || (!f.process.empty() && t.name != f.process)) continue;
    PageTableCounts c = e.page_tables(t.mm);
    out += row("== pagemap of %s (pid %u): page tables %u PUD, %u PMD, %u PTE (VmPTE %u kB) ==\n", t.name.c_str(),
               p + 1, c.pud, c.pmd, c.pte, c.total() * 4);
    const AddressSpace& as = e.address_spaces()[t.mm];
    for (uint32_t m : as.region_mappings()) {
      const Mapping& map = as.mappings[m];
      if (!f.region.empty() && e.name(map.name) != f.region) continue;
      out += "-- " + e.name(map.name) + (map.backing == Backing::File ? " (file " : " (anon ") +
             (map.share == Share::Shared ? "shared)\n" : "private)\n");
      out += "  page  address         P    frame  W D COW  kind  mapcount  pgd pud pmd pte\n";
      for (const PageEntry& pe : pagemap(e, p, map.name)) out += page_row(pe);
    }
  }
  return out;
}

int check_pagemap_filter(const cow::script::Session& s, const PagemapFilter& f) {
  const Engine& e = s.engine();
  if (!f.process.empty() && e.find_process(f.process) == kNone) return unknown_process(e, "--pagemap", f.process);
  if (f.region.empty() || e.find_name(f.region) != kNone) return 0;
  std::vector<std::string> names;
  for (NameId n = 0; n < e.name_count(); ++n) names.push_back(e.name(n));
  std::fprintf(stderr, "cowlab: --pagemap: unknown region '%s'%s\n", f.region.c_str(),
               script::did_you_mean(f.region, names).c_str());
  return 2;
}

}  // namespace cow::shell
