// The cost model: constants, their text form, and the cost of one step.
#include "cost.h"

#include <cstdio>
#include <cstdlib>

#include "engine/script/lines.h"
#include "engine/script/parser.h"

namespace cow {

namespace {

struct Constant {
  const char* name;
  double CostModel::*field;
  const char* comment;
};

const Constant kConstants[] = {
    {"fork_base_us", &CostModel::fork_base_us, "fork of an empty process (us)"},
    {"pte_copy_ns", &CostModel::pte_copy_ns, "fork: per PTE copied (ns)"},
    {"copy_page_us", &CostModel::copy_page_us, "naive copy into fresh memory, per 4 KiB page (us)"},
    {"memcpy_page_us", &CostModel::memcpy_page_us, "memcpy into memory already faulted, per page (us)"},
    {"cow_fault_us", &CostModel::cow_fault_us, "one COW fault, copy included (us)"},
    {"pte_bytes", &CostModel::pte_bytes, "bytes per PTE"},
    {"process_base_kib", &CostModel::process_base_kib, "a new process beyond its region page tables (KiB)"},
    {"thread_us", &CostModel::thread_us, "creating a thread: pthread_create (us)"},
    {"vfork_us", &CostModel::vfork_us, "vfork until the parent resumes, child exits at once (us)"},
    {"thp_fork_base_us", &CostModel::thp_fork_base_us, "huge pages: fork of an empty process (us)"},
    {"thp_pmd_copy_us", &CostModel::thp_pmd_copy_us, "huge pages: fork, per 2 MiB PMD copied (us)"},
    {"thp_copy_page_us", &CostModel::thp_copy_page_us, "huge pages: naive copy, per 4 KiB (us)"},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Page-table pages for `pages` PTEs of pte_bytes each, plus the PMD and PUD tables above.
uint64_t pt_pages_for(uint64_t pages, double pte_bytes) {
  uint64_t per_table = uint64_t(double(kPageSize) / pte_bytes);
  uint64_t tables = (pages + per_table - 1) / per_table;
  uint64_t pmds = (pages + kPagesPerGiB - 1) / kPagesPerGiB;
  return tables + pmds + (pages ? 1 : 0);
}

}  // namespace

std::string format_cost_model(const CostModel& m) {
  std::string s = "# cowlab cost model: name = value (read by `cowlab cost --model FILE`)\n";
  char line[160];
  for (const Constant& c : kConstants) {
    std::snprintf(line, sizeof line, "%-17s = %-10.6g # %s\n", c.name, m.*c.field, c.comment);
    s += line;
  }
  return s;
}

bool parse_cost_model(std::string_view text, CostModel* m, std::string* error) {
  script::LineSplitter lines(text);
  for (script::RawLine raw; lines.next(&raw);) {
    const int line_no = raw.number;
    std::string_view line = trim(raw.text.substr(0, raw.text.find('#')));
    if (line.empty()) continue;
    size_t eq = line.find('=');
    auto fail = [&](const std::string& msg) {
      *error = "line " + std::to_string(line_no) + ": " + msg;
      return false;
    };
    if (eq == std::string_view::npos) return fail("expected 'name = value'");
    std::string name(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    const Constant* found = nullptr;
    for (const Constant& c : kConstants)
      if (name == c.name) found = &c;
    if (!found) return fail("unknown constant '" + name + "'");
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(v >= 0)) return fail("'" + value + "' is not a number >= 0");
    if (found->field == &CostModel::pte_bytes && !(v >= 1 && v <= double(kPageSize)))
      return fail("pte_bytes must be between 1 and 4096");
    m->*found->field = v;
  }
  return true;
}

double CostModel::thp_fault_us() const { return minor_fault_us() + double(kPtesPerTable) * zero_fill_us(); }
double CostModel::thp_split_us() const { return double(kPtesPerTable) * pte_copy_ns / 1000.0; }

int64_t modeled_memory_bytes(const CostModel& m, const Engine& e) {
  int64_t bytes = int64_t(e.frames().used()) * int64_t(kPageSize);
  for (MmId mm = 0; mm < e.address_spaces().size(); ++mm)
    if (e.address_spaces()[mm].alive) bytes += int64_t(e.vm_pte(mm)) * int64_t(kPageSize);
  for (ProcId p = 0; p < e.processes().size(); ++p)
    if (e.processes()[p].live() && !e.processes()[p].is_thread(p)) bytes += int64_t(m.process_base_kib * 1024);
  return bytes;
}

StepCost step_cost(const CostModel& m, const Engine& before, const Engine& after,
                   const std::vector<Event>& events) {
  StepCost c;
  for (const Event& ev : events) {
    if (ev.kind == EventKind::Fork || ev.kind == EventKind::Vfork || ev.kind == EventKind::Thread ||
        ev.kind == EventKind::Exec)
      ++c.tasks;
    c.threads += ev.kind == EventKind::Thread;
    c.vforks += ev.kind == EventKind::Vfork;
    if (ev.kind == EventKind::FramesCopied) c.frames_copied += ev.count, c.thp_frames_copied += ev.pages;
  }
  uint64_t forks_and_execs = c.tasks - c.threads - c.vforks;
  const Counters& a = before.counters();
  const Counters& b = after.counters();
  c.ptes_copied = b.ptes_copied - a.ptes_copied;
  c.cow_copies = b.cow_copies - a.cow_copies;
  c.reuses = b.cow_reuses - a.cow_reuses;
  c.zero_fills = b.zero_fills - a.zero_fills;
  c.pmds_copied = b.pmds_copied - a.pmds_copied;
  c.thp_faults = b.thp_faults - a.thp_faults;
  c.thp_splits = b.thp_splits - a.thp_splits;
  uint64_t faults = b.faults - a.faults;
  uint64_t heavy = c.cow_copies + c.reuses + c.zero_fills + c.thp_faults;
  c.minor_faults = faults > heavy ? faults - heavy : 0;
  uint64_t plain_ptes = c.ptes_copied > c.frames_copied ? c.ptes_copied - c.frames_copied : 0;
  c.time_us = double(forks_and_execs) * m.fork_base_us + double(c.threads) * m.thread_us +
              double(c.vforks) * m.vfork_us + double(plain_ptes) * m.pte_copy_ns / 1000.0 +
              double(c.frames_copied - c.thp_frames_copied) * m.copy_page_us +
              double(c.thp_frames_copied) * m.thp_copy_page_us + double(c.cow_copies) * m.cow_fault_us +
              double(c.reuses + c.minor_faults) * m.minor_fault_us() + double(c.zero_fills) * m.zero_fill_us() +
              double(c.pmds_copied) * m.thp_pmd_copy_us + double(c.thp_faults) * m.thp_fault_us() +
              double(c.thp_splits) * m.thp_split_us();
  c.memory_bytes = modeled_memory_bytes(m, after) - modeled_memory_bytes(m, before);
  return c;
}

PricedScript price_script(std::string_view text, const CostModel& m, script::ForkPolicy forks) {
  PricedScript out;
  script::Session s({}, forks);
  if (!s.load(text)) {
    out.error = s.error();
    out.syntax_error = true;
    return out;
  }
  while (!s.at_end() && !s.stopped()) {
    const script::Statement& st = s.script().statements[s.position()];
    PricedStep step{.line = st.pos.line,
                    .statement = std::string(script::statement_source(script::line_at(text, st.pos.line), st))};
    Engine before = s.engine();
    s.step();
    for (const Event& e : s.history().back().events) step.fork_failed |= e.kind == EventKind::ForkFailed;
    step.cost = step_cost(m, before, s.engine(), s.history().back().events);
    out.steps.push_back(std::move(step));
  }
  out.error = s.error();
  return out;
}

std::optional<PricedStep> engine_classic_fork(const CostModel& m, uint32_t mib, HeapPages pages,
                                              script::ForkPolicy forks) {
  std::string text = "spawn P1\nP1 mmap heap " + std::to_string(mib) + "M" +
                     (pages == HeapPages::Huge ? " thp" : "") + "\nP1 write heap\nP1 fork C1\n";
  PricedScript run = price_script(text, m, forks);
  for (const PricedStep& s : run.steps)
    if (s.line == 4) return s;
  return std::nullopt;
}

ClassicRow classic_4k(const CostModel& m, uint32_t mib) {
  uint64_t pages = uint64_t(mib) * (1024 * 1024 / kPageSize);
  ClassicRow r;
  r.cow_us = m.fork_base_us + double(pages) * m.pte_copy_ns / 1000.0;
  r.copy_us = m.fork_base_us + double(pages) * m.copy_page_us;
  r.cow_kib = m.process_base_kib + double(pt_pages_for(pages, m.pte_bytes)) * 4.0;
  r.copy_kib = r.cow_kib + double(pages) * 4.0;
  return r;
}

// With THP, fork copies one PMD entry per 2 MiB and deposits a PTE table for each, so the
// extra memory is the same as with 4 KiB pages (344 KiB both, measured: docs/kernel-rules.md,
// "What it costs on the real kernel").
ClassicRow classic_thp(const CostModel& m, uint32_t mib) {
  uint64_t pages = uint64_t(mib) * (1024 * 1024 / kPageSize);
  uint64_t huge = pages / kPtesPerTable;
  ClassicRow r = classic_4k(m, mib);
  r.cow_us = m.thp_fork_base_us + double(huge) * m.thp_pmd_copy_us;
  r.copy_us = m.thp_fork_base_us + double(pages) * m.thp_copy_page_us;
  return r;
}

std::string format_time_us(double us) {
  char buf[48];
  if (us < 1000.0) std::snprintf(buf, sizeof buf, "%.1f \u00b5s", us);
  else if (us < 1e6) std::snprintf(buf, sizeof buf, "%.2f ms", us / 1000.0);
  else std::snprintf(buf, sizeof buf, "%.3f s", us / 1e6);
  return buf;
}

std::string format_bytes(double bytes, bool with_sign) {
  char buf[48];
  const char* sign = with_sign && bytes > 0 ? "+" : bytes < 0 ? "-" : "";
  double b = bytes < 0 ? -bytes : bytes;
  if (b == 0) return "0";
  if (b < 1024.0 * 1024.0) std::snprintf(buf, sizeof buf, "%s%.0f KiB", sign, b / 1024.0);
  else if (b < 1024.0 * 1024.0 * 1024.0) std::snprintf(buf, sizeof buf, "%s%.1f MiB", sign, b / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%s%.2f GiB", sign, b / 1073741824.0);
  return buf;
}

}  // namespace cow
