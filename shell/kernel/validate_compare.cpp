// Measuring and comparing engine vs kernel at one point, and printing it (see
// validate_compare.h).
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include "validate_compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/kernel/plan.h"
#include "engine/script/json.h"

namespace cow::kernel {

using script::json_string;

namespace {

constexpr uint64_t kPage = 4096;

void add(KernelUsage& to, const KernelUsage& u) {
  to.pages += u.pages, to.rss += u.rss, to.pss += u.pss, to.pss_kb += u.pss_kb;
  to.shared_clean += u.shared_clean, to.shared_dirty += u.shared_dirty;
  to.private_clean += u.private_clean, to.private_dirty += u.private_dirty, to.anon += u.anon;
  to.anon_huge += u.anon_huge;
  to.ptes += u.ptes, to.zero_ptes += u.zero_ptes;
  to.exact = to.exact && u.exact;
  if (!u.problem.empty()) to.problem += (to.problem.empty() ? "" : "; ") + u.problem;
}

std::string pss_text(double v) {
  char buf[32];
  format_pss(v, buf);
  return buf;
}

// Compares one region; records metric names in r.differ and readable lines in `out`, and
// what differs for a known reason cowlab does not model in `notes`.
void compare(RegionRow& r, const std::string& who, std::vector<std::string>& out, std::vector<std::string>& notes) {
  const Usage& e = r.engine;
  const KernelUsage& k = r.kernel;
  auto check = [&](const char* metric, uint64_t ev, uint64_t kv) {
    if (ev == kv) return;
    r.differ.push_back(metric);
    out.push_back(who + " " + metric + ": engine " + std::to_string(ev) + ", kernel " + std::to_string(kv));
  };
  check("pages", e.pages, k.pages);
  check("rss", e.rss, k.rss);
  bool pss_ok = k.exact ? std::fabs(e.pss - k.pss) < 5e-5 : std::fabs(e.pss * 4 - double(k.pss_kb)) <= 1.0 + 1e-9;
  if (!pss_ok) {
    r.differ.push_back("pss");
    out.push_back(who + " pss: engine " + pss_text(e.pss) + ", kernel " +
                  (k.exact ? pss_text(k.pss) : std::to_string(k.pss_kb) + " kB (smaps)"));
  }
  check("shared_clean", e.shared_clean, k.shared_clean);
  check("shared_dirty", e.shared_dirty, k.shared_dirty);
  check("private_clean", e.private_clean, k.private_clean);
  check("private_dirty", e.private_dirty, k.private_dirty);
  check("anon", e.anon, k.anon);
  // AnonHugePages: 0 = 0 without THPs. More on the kernel's side, with every other column
  // equal, is khugepaged: it collapses a split extent whose pages are all private again back
  // into a huge page, in the background and at a time of its own (collapse_huge_page), which
  // the engine does not model (docs/fidelity.md). That is a note, not a difference.
  bool rest_equal = r.differ.empty();  // pages .. anon, checked above
  if (rest_equal && e.anon_huge < k.anon_huge && e.anon_huge % kPtesPerTable == 0 && k.anon_huge % kPtesPerTable == 0)
    notes.push_back(who + ": the kernel has " + std::to_string(k.anon_huge - e.anon_huge) +
                  " more pages in huge pages than the engine (" + std::to_string(e.anon_huge) +
                  "): khugepaged collapsed a split extent in the background, which cowlab does not model");
  else
    check("anon_huge_pages", e.anon_huge, k.anon_huge);
  if (k.exact) {
    check("ptes", e.ptes, k.ptes);
    check("zero_ptes", e.zero_ptes, k.zero_ptes);
  }
  if (e.anon_huge > 0 && k.anon_huge == 0)
    out.push_back(who + ": cannot validate here: the kernel gave no huge page (memory fragmented?)");
  if (!k.problem.empty()) out.push_back(who + ": " + k.problem);
}

// Names of the regions a task still maps, in mmap order.
std::vector<NameId> mapped_names(const AddressSpace& as) {
  std::vector<NameId> names;
  for (uint32_t m = 0; m < as.mappings.size(); ++m)
    if (as.maps_any(m) && std::find(names.begin(), names.end(), as.mappings[m].name) == names.end())
      names.push_back(as.mappings[m].name);
  return names;
}

void measure_process(const Engine& e, ProcId q, Probe& probe, ProcessRow& row, std::set<uint64_t>& frames,
                     std::vector<std::string>& diffs, std::vector<std::string>& notes) {
  const AddressSpace& as = e.address_spaces()[e.processes()[q].mm];
  std::vector<SmapsVma> vmas;
  bool have = row.kernel_alive && probe.read_smaps(row.tid, &vmas);
  std::vector<std::pair<uint64_t, uint64_t>> covered;
  for (NameId n : mapped_names(as)) {
    RegionRow r;
    r.name = e.name(n);
    r.engine = e.region_usage(q, n);
    r.kernel.exact = probe.exact();
    for (uint32_t m = 0; m < as.mappings.size(); ++m) {
      if (as.mappings[m].name != n || !as.maps_any(m)) continue;
      uint64_t base = kernel_address(as.mappings[m].base_gib);
      covered.push_back({base, base + uint64_t(as.mappings[m].pages) * kPage});
      if (have) add(r.kernel, probe.region(row.tid, vmas, base, as.mappings[m].pages, &frames));
    }
    compare(r, row.name + " " + r.name, diffs, notes);
    row.regions.push_back(std::move(r));
  }
  uint64_t lo = kernel_address(kFirstMappingGiB), hi = kernel_address(kFirstMappingGiB + 64 * 1024);
  for (const SmapsVma& v : vmas) {
    if (v.start < lo || v.start >= hi) continue;
    bool known = std::any_of(covered.begin(), covered.end(),
                             [&](const auto& c) { return v.start < c.second && v.end > c.first; });
    if (known) continue;
    char buf[200];
    snprintf(buf, sizeof buf, "%s: the kernel maps %llx-%llx (%llu kB resident), which the engine does not",
             row.name.c_str(), (unsigned long long)v.start, (unsigned long long)v.end, (unsigned long long)v.rss);
    diffs.push_back(buf);
  }
}

}  // namespace

Point measure(const Engine& e, const Driver& d, Probe& probe, int line, const std::string& at) {
  Point pt;
  pt.line = line;
  pt.at = at;
  probe.new_point();
  std::set<uint64_t> frames;
  const std::vector<Process>& procs = e.processes();
  for (ProcId q = 0; q < procs.size(); ++q) {
    ProcessRow row;
    row.name = procs[q].name;
    row.engine_state = to_string(procs[q].state);
    if (q < d.task_count()) {
      row.kernel_alive = d.task(q).alive;
      row.tid = d.task(q).tid;
    }
    if (procs[q].live() != row.kernel_alive)
      pt.differences.push_back(row.name + ": " + row.engine_state + " in the engine, but its kernel task " +
                               (row.kernel_alive ? "is alive" : "is gone"));
    if (procs[q].live()) measure_process(e, q, probe, row, frames, pt.differences, pt.notes);
    pt.processes.push_back(std::move(row));
  }
  pt.engine_frames = e.system().frames_mapped;
  pt.frames_known = probe.exact();
  pt.kernel_frames = frames.size();
  if (pt.frames_known && pt.engine_frames != pt.kernel_frames)
    pt.differences.push_back("distinct frames mapped: engine " + std::to_string(pt.engine_frames) + ", kernel " +
                             std::to_string(pt.kernel_frames));
  return pt;
}

// ---- text --------------------------------------------------------------------------

namespace {

bool differs(const RegionRow& r, const char* metric) {
  return std::find(r.differ.begin(), r.differ.end(), metric) != r.differ.end();
}

std::string cell(uint64_t v, bool mark) { return std::to_string(v) + (mark ? "*" : ""); }

void print_row(FILE* out, const std::string& left, const char* side, const std::vector<std::string>& cells) {
  static const int widths[] = {6, 6, 11, 8, 8, 8, 8, 6, 6, 6, 6};
  std::fprintf(out, "  %-24s %-6s", left.c_str(), side);
  for (size_t i = 0; i < cells.size(); ++i) std::fprintf(out, " %*s", widths[i], cells[i].c_str());
  std::fputc('\n', out);
}

}  // namespace

void print_point(FILE* out, const Point& p) {
  if (p.at == "end")
    std::fprintf(out, "--- end of script ---\n");
  else if (p.at == "show")
    std::fprintf(out, "--- line %d: show ---\n", p.line);
  else
    std::fprintf(out, "--- line %d: first difference (no show here) ---\n", p.line);
  print_row(out, "process / region", "side",
            {"pages", "rss", "pss", "sh_clean", "sh_dirty", "pr_clean", "pr_dirty", "anon", "huge", "ptes", "zero"});
  for (const ProcessRow& pr : p.processes) {
    std::string kernel = pr.tid == 0 ? "never started" : pr.kernel_alive ? "pid " + std::to_string(pr.tid) : "gone";
    if (pr.engine_state == "exited" || pr.engine_state == "killed" || pr.regions.empty()) {
      std::fprintf(out, "  %-24s engine: %s; kernel: %s%s\n", pr.name.c_str(), pr.engine_state.c_str(),
                   kernel.c_str(), pr.regions.empty() && pr.kernel_alive ? " (no regions)" : "");
      continue;
    }
    for (const RegionRow& r : pr.regions) {
      const Usage& e = r.engine;
      const KernelUsage& k = r.kernel;
      print_row(out, pr.name + " " + r.name, "engine",
                {cell(e.pages, false), cell(e.rss, false), pss_text(e.pss), cell(e.shared_clean, false),
                 cell(e.shared_dirty, false), cell(e.private_clean, false), cell(e.private_dirty, false),
                 cell(e.anon, false), cell(e.anon_huge, false), cell(e.ptes, false), cell(e.zero_ptes, false)});
      std::string kpss = k.exact ? pss_text(k.pss) : std::to_string(k.pss_kb) + "kB";
      if (differs(r, "pss")) kpss += "*";
      print_row(out, "  (" + kernel + ")", "kernel",
                {cell(k.pages, differs(r, "pages")), cell(k.rss, differs(r, "rss")), kpss,
                 cell(k.shared_clean, differs(r, "shared_clean")), cell(k.shared_dirty, differs(r, "shared_dirty")),
                 cell(k.private_clean, differs(r, "private_clean")),
                 cell(k.private_dirty, differs(r, "private_dirty")), cell(k.anon, differs(r, "anon")),
                 cell(k.anon_huge, differs(r, "anon_huge_pages")),
                 k.exact ? cell(k.ptes, differs(r, "ptes")) : "-",
                 k.exact ? cell(k.zero_ptes, differs(r, "zero_ptes")) : "-"});
    }
  }
  if (p.frames_known)
    std::fprintf(out, "  distinct frames: engine %llu, kernel %llu%s\n", (unsigned long long)p.engine_frames,
                 (unsigned long long)p.kernel_frames, p.engine_frames != p.kernel_frames ? "*" : "");
  else
    std::fprintf(out, "  distinct frames: engine %llu, kernel unknown (no pagemap)\n",
                 (unsigned long long)p.engine_frames);
  for (const std::string& n : p.notes) std::fprintf(out, "  note: %s\n", n.c_str());
  if (p.agree()) {
    std::fprintf(out, "  agree\n");
    return;
  }
  std::fprintf(out, "  DIFFER (%zu):\n", p.differences.size());
  for (const std::string& d : p.differences) std::fprintf(out, "    - %s\n", d.c_str());
}

// ---- JSON --------------------------------------------------------------------------

namespace {

std::string num(const char* key, uint64_t v) { return std::string("\"") + key + "\":" + std::to_string(v); }

std::string engine_json(const Usage& u) {
  return "{" + num("pages", u.pages) + "," + num("rss", u.rss) + ",\"pss\":" + pss_text(u.pss) + "," +
         num("shared_clean", u.shared_clean) + "," + num("shared_dirty", u.shared_dirty) + "," +
         num("private_clean", u.private_clean) + "," + num("private_dirty", u.private_dirty) + "," +
         num("anon", u.anon) + "," + num("ptes", u.ptes) + "," + num("zero_ptes", u.zero_ptes) + "}";
}

std::string kernel_json(const KernelUsage& u) {
  std::string s = "{" + num("pages", u.pages) + "," + num("rss", u.rss) + ",\"pss\":" +
                  (u.exact ? pss_text(u.pss) : "null") + "," + num("pss_smaps_kb", u.pss_kb) + "," +
                  num("shared_clean", u.shared_clean) + "," + num("shared_dirty", u.shared_dirty) + "," +
                  num("private_clean", u.private_clean) + "," + num("private_dirty", u.private_dirty) + "," +
                  num("anon", u.anon);
  if (u.exact)
    s += "," + num("ptes", u.ptes) + "," + num("zero_ptes", u.zero_ptes);
  else
    s += ",\"ptes\":null,\"zero_ptes\":null";
  return s + "}";
}

}  // namespace

std::string point_json(const Point& p) {
  std::string s = "{" + num("line", uint64_t(p.line)) + ",\"at\":" + json_string(p.at) +
                  ",\"agree\":" + (p.agree() ? "true" : "false") + ",\"processes\":[";
  for (size_t i = 0; i < p.processes.size(); ++i) {
    const ProcessRow& pr = p.processes[i];
    s += (i ? "," : "") + std::string("{\"name\":") + json_string(pr.name) +
         ",\"engine_state\":" + json_string(pr.engine_state) +
         ",\"kernel_alive\":" + (pr.kernel_alive ? "true" : "false") + "," + num("tid", uint64_t(pr.tid)) +
         ",\"regions\":[";
    for (size_t j = 0; j < pr.regions.size(); ++j) {
      const RegionRow& r = pr.regions[j];
      s += (j ? "," : "") + std::string("{\"name\":") + json_string(r.name) + ",\"engine\":" + engine_json(r.engine) +
           ",\"kernel\":" + kernel_json(r.kernel) + ",\"differ\":[";
      for (size_t k = 0; k < r.differ.size(); ++k) s += (k ? "," : "") + json_string(r.differ[k]);
      s += "]}";
    }
    s += "]}";
  }
  s += "],\"frames\":{" + num("engine", p.engine_frames) + ",\"kernel\":" +
       (p.frames_known ? std::to_string(p.kernel_frames) : "null") + "},\"differences\":[";
  for (size_t i = 0; i < p.differences.size(); ++i) s += (i ? "," : "") + json_string(p.differences[i]);
  s += "],\"notes\":[";
  for (size_t i = 0; i < p.notes.size(); ++i) s += (i ? "," : "") + json_string(p.notes[i]);
  return s + "]}";
}

}  // namespace cow::kernel
#endif  // __linux__
