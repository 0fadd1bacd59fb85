#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace cow::shell {

static std::string pss_text(double v) {
  char buf[32];
  format_pss(v, buf);
  return buf;
}

static std::string row(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string state_table(const script::Session& s) {
  const Engine& e = s.engine();
  std::string out = row("%-12s %4s %-9s %7s %11s %7s %7s %7s %6s %6s %6s %7s %6s %6s\n", "process", "pid",
                        "state", "rss", "pss", "uss", "shared", "private", "anon", "file", "shmem", "ptes",
                        "zero", "vm_pte");
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    const Process& t = e.processes()[p];
    Usage u = e.usage(p);
    std::string name = t.is_thread(p) ? t.name + "*" : t.name;
    out += row("%-12s %4u %-9s %7llu %11s %7llu %7llu %7llu %6llu %6llu %6llu %7llu %6llu %6llu\n",
               name.c_str(), t.pid, to_string(t.state), (unsigned long long)u.rss, pss_text(u.pss).c_str(),
               (unsigned long long)u.uss, (unsigned long long)(u.shared_clean + u.shared_dirty),
               (unsigned long long)(u.private_clean + u.private_dirty), (unsigned long long)u.anon,
               (unsigned long long)u.file, (unsigned long long)u.shmem, (unsigned long long)u.ptes,
               (unsigned long long)u.zero_ptes, (unsigned long long)u.vm_pte);
    if (!t.live() || t.is_thread(p)) continue;
    const AddressSpace& as = e.address_spaces()[t.mm];
    for (uint32_t m : as.region_mappings()) {
      const Mapping& map = as.mappings[m];
      Usage r = e.region_usage(p, map.name);
      std::string label = "  " + e.name(map.name) + (map.backing == Backing::File ? " (file " : " (anon ") +
                          (map.share == Share::Shared ? "shared)" : "private)");
      out += row("%-27s %7llu %11s  SC %llu SD %llu PC %llu PD %llu  anon %llu  ptes %llu  zero %llu  pages %llu\n",
                 label.c_str(), (unsigned long long)r.rss, pss_text(r.pss).c_str(),
                 (unsigned long long)r.shared_clean, (unsigned long long)r.shared_dirty,
                 (unsigned long long)r.private_clean, (unsigned long long)r.private_dirty,
                 (unsigned long long)r.anon, (unsigned long long)r.ptes, (unsigned long long)r.zero_ptes,
                 (unsigned long long)r.pages);
    }
  }
  bool threads = false;
  for (ProcId p = 0; p < e.processes().size(); ++p) threads |= e.processes()[p].is_thread(p);
  if (threads) out += "  (* = thread: shows its address space)\n";
  SystemUsage y = e.system();
  out += row("frames: %llu total, %llu used, %llu free; mapped %llu (shared %llu, private %llu); page cache %llu, shmem %llu\n",
             (unsigned long long)y.frames_total, (unsigned long long)y.frames_used, (unsigned long long)y.frames_free,
             (unsigned long long)y.frames_mapped, (unsigned long long)y.frames_shared,
             (unsigned long long)y.frames_private, (unsigned long long)y.page_cache, (unsigned long long)y.shmem);
  const Counters& c = e.counters();
  out += row("counters: faults %llu (read %llu, write %llu), cow_copies %llu, cow_reuses %llu, zero_fills %llu, "
             "zero_page_maps %llu, file_maps %llu, ptes_copied %llu, fork_failures %llu, oom_kills %llu, segfaults %llu\n",
             (unsigned long long)c.faults, (unsigned long long)c.faults_read, (unsigned long long)c.faults_write,
             (unsigned long long)c.cow_copies, (unsigned long long)c.cow_reuses, (unsigned long long)c.zero_fills,
             (unsigned long long)c.zero_page_maps, (unsigned long long)c.file_maps,
             (unsigned long long)c.ptes_copied, (unsigned long long)c.fork_failures,
             (unsigned long long)c.oom_kills, (unsigned long long)c.segfaults);
  return out;
}

Metrics collect_metrics(const Engine& e) {
  Metrics m;
  SystemUsage y = e.system();
  const Counters& c = e.counters();
  auto add = [&](std::string k, double v) { m.values.emplace_back(std::move(k), v); };
  add("frames_used", double(y.frames_used)), add("frames_mapped", double(y.frames_mapped));
  add("frames_shared", double(y.frames_shared)), add("frames_private", double(y.frames_private));
  add("faults", double(c.faults)), add("cow_copies", double(c.cow_copies)), add("cow_reuses", double(c.cow_reuses));
  add("zero_fills", double(c.zero_fills)), add("zero_page_maps", double(c.zero_page_maps));
  add("file_maps", double(c.file_maps)), add("ptes_copied", double(c.ptes_copied));
  add("fork_failures", double(c.fork_failures)), add("oom_kills", double(c.oom_kills)), add("segfaults", double(c.segfaults));
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    const std::string& n = e.processes()[p].name;
    Usage u = e.usage(p);
    add(n + " rss", double(u.rss)), add(n + " pss", u.pss), add(n + " uss", double(u.uss));
    add(n + " shared", double(u.shared_clean + u.shared_dirty));
    add(n + " private", double(u.private_clean + u.private_dirty));
    add(n + " anon", double(u.anon)), add(n + " ptes", double(u.ptes)), add(n + " vm_pte", double(u.vm_pte));
  }
  return m;
}

std::string metric_changes(const Metrics& before, const Metrics& after) {
  std::string out;
  std::unordered_map<std::string, double> old_values(before.values.begin(), before.values.end());
  for (const auto& [name, v] : after.values) {
    auto it = old_values.find(name);
    double old = it == old_values.end() ? 0 : it->second;
    if (std::fabs(v - old) < 1e-9) continue;
    bool pss = name.ends_with(" pss");
    auto txt = [&](double x) { return pss ? pss_text(x) : std::to_string(std::llround(x)); };
    out += "    " + name + " " + txt(old) + " -> " + txt(v) + (v > old ? " \xe2\x86\x91" : " \xe2\x86\x93") +
           txt(std::fabs(v - old)) + "\n";
  }
  return out;
}

std::string format_error(const std::string& file, const std::string& source, const script::Diagnostic& d) {
  std::string out = file + ":" + std::to_string(d.pos.line) + ":" + std::to_string(d.pos.col) + ": error: " +
                    d.message + "\n";
  size_t start = 0;
  for (int line = 1; line < d.pos.line && start != std::string::npos; ++line) {
    start = source.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos || start >= source.size()) return out;
  std::string text = source.substr(start, source.find('\n', start) - start);
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.size() > 200) return out;
  out += "  " + text + "\n  ";
  for (int i = 1; i < d.pos.col && i <= int(text.size()); ++i) out += text[i - 1] == '\t' ? '\t' : ' ';
  return out + "^\n";
}

}  // namespace cow::shell
