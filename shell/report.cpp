#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "engine/mm/explain.h"
#include "engine/script/lines.h"
#include "engine/script/metrics.h"

namespace cow::shell {

namespace {

using script::Metric;
using script::MetricScope;
using script::metric;

constexpr MetricScope kP = MetricScope::Process, kR = MetricScope::Region, kS = MetricScope::System;

std::string row(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string right(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

// A column of the process table: its metric, heading and width.
struct Column {
  const Metric& metric;
  const char* heading;
  size_t width;
};
const Column kProcessColumns[] = {
    {metric("rss", kP), "rss", 7},        {metric("pss", kP), "pss", 11},     {metric("uss", kP), "uss", 7},
    {metric("shared", kP), "shared", 7},  {metric("private", kP), "private", 7}, {metric("anon", kP), "anon", 6},
    {metric("file", kP), "file", 6},      {metric("shmem", kP), "shmem", 6},  {metric("ptes", kP), "ptes", 7},
    {metric("zero_ptes", kP), "zero", 6}, {metric("vm_pte", kP), "vm_pte", 6}};

// A metric in a line of prose: the text before it, then its value.
struct Piece {
  const char* before;
  const Metric& metric;
};
const Piece kRegionPieces[] = {
    {"  SC ", metric("shared_clean", kR)}, {" SD ", metric("shared_dirty", kR)},
    {" PC ", metric("private_clean", kR)}, {" PD ", metric("private_dirty", kR)},
    {"  anon ", metric("anon", kR)},       {"  ptes ", metric("ptes", kR)},
    {"  zero ", metric("zero_ptes", kR)},  {"  pages ", metric("pages", kR)}};
const Piece kSystemPieces[] = {
    {"frames: ", metric("frames_total", kS)},   {" total, ", metric("frames_used", kS)},
    {" used, ", metric("frames_free", kS)},      {" free; mapped ", metric("frames_mapped", kS)},
    {" (shared ", metric("frames_shared", kS)}, {", private ", metric("frames_private", kS)},
    {"); page cache ", metric("page_cache", kS)}, {", shmem ", metric("shmem", kS)},
    {"\ncounters: faults ", metric("faults", kS)}, {" (read ", metric("faults_read", kS)},
    {", write ", metric("faults_write", kS)},   {"), cow_copies ", metric("cow_copies", kS)},
    {", cow_reuses ", metric("cow_reuses", kS)}, {", zero_fills ", metric("zero_fills", kS)},
    {", zero_page_maps ", metric("zero_page_maps", kS)}, {", file_maps ", metric("file_maps", kS)},
    {", ptes_copied ", metric("ptes_copied", kS)}, {", fork_failures ", metric("fork_failures", kS)},
    {", oom_kills ", metric("oom_kills", kS)},   {", segfaults ", metric("segfaults", kS)}};

// Appended to the counters line once the machine has used huge pages (the JSON form
// always carries them; the text stays as it was for scripts without THP).
const Piece kThpPieces[] = {
    {", thp_faults ", metric("thp_faults", kS)}, {", huge_zero_maps ", metric("huge_zero_maps", kS)},
    {", pmds_copied ", metric("pmds_copied", kS)}, {", thp_splits ", metric("thp_splits", kS)}};

// Appended once the script uses commit accounting: a refused charge, or overcommit
// settings other than Linux's defaults (the text stays as it was for other scripts).
const Piece kCommitPieces[] = {
    {"\ncommit: Committed_AS ", metric("committed_as", kS)}, {" pages, CommitLimit ", metric("commit_limit", kS)},
    {"; refused: fork ", metric("fork_failures", kS)}, {", mmap ", metric("mmap_failures", kS)},
    {", mprotect ", metric("mprotect_failures", kS)}};

// The metrics a trace compares: the machine's, then these of each process.
const Metric* const kTracedSystem[] = {
    &metric("frames_used", kS), &metric("frames_mapped", kS), &metric("frames_shared", kS),
    &metric("frames_private", kS), &metric("faults", kS), &metric("cow_copies", kS), &metric("cow_reuses", kS),
    &metric("zero_fills", kS), &metric("zero_page_maps", kS), &metric("file_maps", kS),
    &metric("ptes_copied", kS), &metric("fork_failures", kS), &metric("oom_kills", kS), &metric("segfaults", kS)};
const Metric* const kTracedProcess[] = {
    &metric("rss", kP), &metric("pss", kP), &metric("uss", kP), &metric("shared", kP),
    &metric("private", kP), &metric("anon", kP), &metric("ptes", kP), &metric("vm_pte", kP)};

std::string process_row(const Engine& e, ProcId p) {
  const Process& t = e.processes()[p];
  Usage u = e.usage(p);
  std::string name = t.is_thread(p) ? t.name + "*" : t.name;
  std::string out = row("%-12s %4u %-9s", name.c_str(), t.pid, to_string(t.state));
  for (const Column& c : kProcessColumns) out += " " + right(format_metric(c.metric, metric_value(c.metric, u)), c.width);
  return out + "\n";
}

std::string region_row(const Engine& e, ProcId p, const Mapping& map) {
  Usage r = e.region_usage(p, map.name);
  std::string label = "  " + e.name(map.name) + (map.backing == Backing::File ? " (file " : " (anon ") +
                      (map.share == Share::Shared ? "shared)" : "private)");
  const Metric &rss = metric("rss", kR), &pss = metric("pss", kR);
  std::string out = row("%-27s %7s %11s", label.c_str(), format_metric(rss, metric_value(rss, r)).c_str(),
                        format_metric(pss, metric_value(pss, r)).c_str());
  for (const Piece& x : kRegionPieces) out += x.before + format_metric(x.metric, metric_value(x.metric, r));
  return out + "\n";
}

}  // namespace

std::string state_table(const script::Session& s) {
  const Engine& e = s.engine();
  std::string out = row("%-12s %4s %-9s", "process", "pid", "state");
  for (const Column& c : kProcessColumns) out += " " + right(c.heading, c.width);
  out += "\n";
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    const Process& t = e.processes()[p];
    out += process_row(e, p);
    if (!t.live() || t.is_thread(p)) continue;
    const AddressSpace& as = e.address_spaces()[t.mm];
    for (uint32_t m : as.region_mappings()) out += region_row(e, p, as.mappings[m]);
  }
  bool threads = false;
  for (ProcId p = 0; p < e.processes().size(); ++p) threads |= e.processes()[p].is_thread(p);
  if (threads) out += "  (* = thread: shows its address space)\n";
  SystemUsage y = e.system();
  for (const Piece& x : kSystemPieces) out += x.before + format_metric(x.metric, metric_value(x.metric, y, e.counters()));
  const Counters& n = e.counters();
  if (n.thp_faults || n.huge_zero_maps || n.pmds_copied || n.thp_splits)
    for (const Piece& x : kThpPieces) out += x.before + format_metric(x.metric, metric_value(x.metric, y, n));
  if (uses_commit_accounting(e)) {
    for (const Piece& x : kCommitPieces) out += x.before + format_metric(x.metric, metric_value(x.metric, y, n));
    out += std::string(" (overcommit=") + to_string(e.modes().overcommit) + ")";
  }
  return out + "\n";
}

Metrics collect_metrics(const Engine& e) {
  Metrics m;
  SystemUsage y = e.system();
  for (const Metric* x : kTracedSystem) m.values.push_back({std::string(x->name), x, metric_value(*x, y, e.counters())});
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    const std::string& n = e.processes()[p].name;
    Usage u = e.usage(p);
    for (const Metric* x : kTracedProcess) m.values.push_back({n + " " + std::string(x->name), x, metric_value(*x, u)});
  }
  return m;
}

std::string metric_changes(const Metrics& before, const Metrics& after) {
  std::string out;
  std::unordered_map<std::string, double> old_values;
  for (const Metrics::Value& v : before.values) old_values[v.label] = v.value;
  for (const Metrics::Value& v : after.values) {
    auto it = old_values.find(v.label);
    double old = it == old_values.end() ? 0 : it->second;
    if (std::fabs(v.value - old) < 1e-9) continue;
    auto txt = [&](double x) { return format_metric(*v.metric, x); };
    out += "    " + v.label + " " + txt(old) + " -> " + txt(v.value) + (v.value > old ? " \xe2\x86\x91" : " \xe2\x86\x93") +
           txt(std::fabs(v.value - old)) + "\n";
  }
  return out;
}

std::string explain_step(const script::Session& s, const std::string& source) {
  const script::StepRecord& rec = s.history().back();
  if (rec.events.empty()) return "";
  std::string_view statement = script::line_at(source, rec.line);
  statement = statement.substr(0, statement.find('#'));
  size_t first = statement.find_first_not_of(" \t"), last = statement.find_last_not_of(" \t");
  statement = first == std::string_view::npos ? "" : statement.substr(first, last - first + 1);
  std::string out = "[" + std::to_string(rec.step) + "] line " + std::to_string(rec.line) + ": " +
                    std::string(statement) + "\n";
  for (const std::string& line : explain_events(s.engine(), rec.events)) out += "    " + line + "\n";
  return out;
}

std::string format_error(const std::string& file, const std::string& source, const script::Diagnostic& d) {
  std::string out = file + ":" + std::to_string(d.pos.line) + ":" + std::to_string(d.pos.col) + ": error: " +
                    d.message + "\n";
  std::string_view text = script::line_at(source, d.pos.line);
  if (text.empty() || text.size() > 200) return out;
  out += "  " + std::string(text) + "\n  ";
  for (int i = 1; i < d.pos.col && i <= int(text.size()); ++i) out += text[i - 1] == '\t' ? '\t' : ' ';
  return out + "^\n";
}

}  // namespace cow::shell
