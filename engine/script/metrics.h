// The metrics, in one table: every number `expect` may check, the quiz may ask, and the
// text report and `cowlab run --json` print, with where it applies, how it is read and
// how it is written. By scope: a process (smaps_rollup and status), one region of a
// process (one smaps entry), or the whole machine (meminfo-like frame counts and the
// engine's event counters). A name that is no metric of its scope is an error wherever
// it is used: find_metric() says so at run time, metric() when the code is compiled.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ast.h"

namespace cow::script {

enum class MetricFormat : uint8_t {
  Count,  // a whole number of pages, frames or events: "64"
  Pss,    // pages with four decimals, the same on every platform (format_pss): "42.6667"
  State,  // a task state: "running", "suspended", "exited", "killed"
};

// Where a metric is read from.
enum class MetricSource : uint8_t {
  Usage,    // the Usage of a process or of one region (accounting.h)
  Machine,  // the machine's SystemUsage
  Counter,  // the engine's event Counters
  Task,     // the task itself: its state, ids and page faults
};

constexpr uint8_t scope_bit(MetricScope s) { return uint8_t(1u << unsigned(s)); }
inline constexpr uint8_t kProcessScope = scope_bit(MetricScope::Process);
inline constexpr uint8_t kRegionScope = scope_bit(MetricScope::Region);
inline constexpr uint8_t kSystemScope = scope_bit(MetricScope::System);

struct Metric {
  std::string_view name;
  uint8_t scopes = 0;  // scope bits where `expect` accepts it
  uint8_t json = 0;    // scope bits whose objects in `cowlab run --json` list it
  MetricSource source = MetricSource::Usage;
  MetricFormat format = MetricFormat::Count;
  double (*usage)(const Usage&) = nullptr;  // source Usage
  uint64_t SystemUsage::*machine = nullptr;  // source Machine
  uint64_t Counters::*counter = nullptr;     // source Counter
  double (*task)(const Engine&, ProcId) = nullptr;  // source Task (but state)

  constexpr bool in(MetricScope s) const { return scopes & scope_bit(s); }
  constexpr bool in_json(MetricScope s) const { return json & scope_bit(s); }
};

namespace metric_rows {

constexpr Metric of_usage(std::string_view name, uint8_t scopes, uint8_t json, double (*get)(const Usage&),
                          MetricFormat format = MetricFormat::Count) {
  return {.name = name, .scopes = scopes, .json = json, .format = format, .usage = get};
}
constexpr Metric of_machine(std::string_view name, uint64_t SystemUsage::*field) {
  return {.name = name, .scopes = kSystemScope, .json = kSystemScope, .source = MetricSource::Machine,
          .machine = field};
}
constexpr Metric of_task(std::string_view name, double (*get)(const Engine&, ProcId)) {
  return {.name = name, .scopes = kProcessScope, .source = MetricSource::Task, .task = get};
}
constexpr Metric of_counter(std::string_view name, uint64_t Counters::*field) {
  return {.name = name, .scopes = kSystemScope, .json = kSystemScope, .source = MetricSource::Counter,
          .counter = field};
}

inline constexpr uint8_t kBoth = kProcessScope | kRegionScope;

// Never defined: metric() calls it for an unknown name, which no constant expression may do.
void no_such_metric_in_this_scope();

}  // namespace metric_rows

// The table, in the order the JSON lists each scope's fields (a region's `pages` first,
// the counters after the frame counts). `shared`, `private` and `state` are not in the
// JSON: the first two are sums of fields it has, the state is written as text.
inline constexpr Metric kMetrics[] = {
    metric_rows::of_usage("pages", kRegionScope, kRegionScope, [](const Usage& u) { return double(u.pages); }),
    metric_rows::of_usage("rss", metric_rows::kBoth, metric_rows::kBoth, [](const Usage& u) { return double(u.rss); }),
    metric_rows::of_usage("pss", metric_rows::kBoth, metric_rows::kBoth, [](const Usage& u) { return u.pss; },
                          MetricFormat::Pss),
    metric_rows::of_usage("uss", metric_rows::kBoth, kProcessScope, [](const Usage& u) { return double(u.uss); }),
    metric_rows::of_usage("shared", metric_rows::kBoth, 0,
                          [](const Usage& u) { return double(u.shared_clean + u.shared_dirty); }),
    metric_rows::of_usage("private", metric_rows::kBoth, 0,
                          [](const Usage& u) { return double(u.private_clean + u.private_dirty); }),
    metric_rows::of_usage("shared_clean", metric_rows::kBoth, metric_rows::kBoth,
                          [](const Usage& u) { return double(u.shared_clean); }),
    metric_rows::of_usage("shared_dirty", metric_rows::kBoth, metric_rows::kBoth,
                          [](const Usage& u) { return double(u.shared_dirty); }),
    metric_rows::of_usage("private_clean", metric_rows::kBoth, metric_rows::kBoth,
                          [](const Usage& u) { return double(u.private_clean); }),
    metric_rows::of_usage("private_dirty", metric_rows::kBoth, metric_rows::kBoth,
                          [](const Usage& u) { return double(u.private_dirty); }),
    metric_rows::of_usage("anon", metric_rows::kBoth, metric_rows::kBoth, [](const Usage& u) { return double(u.anon); }),
    metric_rows::of_usage("file", metric_rows::kBoth, kProcessScope, [](const Usage& u) { return double(u.file); }),
    metric_rows::of_usage("shmem", metric_rows::kBoth, kProcessScope, [](const Usage& u) { return double(u.shmem); }),
    metric_rows::of_usage("ptes", metric_rows::kBoth, metric_rows::kBoth, [](const Usage& u) { return double(u.ptes); }),
    metric_rows::of_usage("zero_ptes", metric_rows::kBoth, metric_rows::kBoth,
                          [](const Usage& u) { return double(u.zero_ptes); }),
    // Pages mapped by huge PMDs of THPs (smaps AnonHugePages, in pages).
    metric_rows::of_usage("anon_huge_pages", metric_rows::kBoth, metric_rows::kBoth,
                          [](const Usage& u) { return double(u.anon_huge); }),
    metric_rows::of_usage("vm_pte", kProcessScope, kProcessScope, [](const Usage& u) { return double(u.vm_pte); }),
    {.name = "state", .scopes = kProcessScope, .source = MetricSource::Task, .format = MetricFormat::State},
    // A process's ids (/proc/PID/status) and its page faults (getrusage ru_minflt, all its
    // threads included). The JSON writes them with the task, not from this table.
    metric_rows::of_task("minflt", [](const Engine& e, ProcId p) { return double(e.min_flt(p)); }),
    metric_rows::of_task("pid", [](const Engine& e, ProcId p) { return double(e.processes()[e.processes()[p].leader].pid); }),
    metric_rows::of_task("ppid", [](const Engine& e, ProcId p) { return double(e.ppid(p)); }),
    metric_rows::of_machine("frames_total", &SystemUsage::frames_total),
    metric_rows::of_machine("frames_used", &SystemUsage::frames_used),
    metric_rows::of_machine("frames_free", &SystemUsage::frames_free),
    metric_rows::of_machine("frames_mapped", &SystemUsage::frames_mapped),
    metric_rows::of_machine("frames_shared", &SystemUsage::frames_shared),
    metric_rows::of_machine("frames_private", &SystemUsage::frames_private),
    metric_rows::of_machine("page_cache", &SystemUsage::page_cache),
    metric_rows::of_machine("shmem", &SystemUsage::shmem),
    metric_rows::of_machine("anon", &SystemUsage::anon),
    // Commit accounting (/proc/meminfo Committed_AS and CommitLimit, in pages).
    metric_rows::of_machine("committed_as", &SystemUsage::committed_as),
    metric_rows::of_machine("commit_limit", &SystemUsage::commit_limit),
    metric_rows::of_counter("faults", &Counters::faults),
    metric_rows::of_counter("faults_read", &Counters::faults_read),
    metric_rows::of_counter("faults_write", &Counters::faults_write),
    metric_rows::of_counter("cow_copies", &Counters::cow_copies),
    metric_rows::of_counter("cow_reuses", &Counters::cow_reuses),
    metric_rows::of_counter("zero_fills", &Counters::zero_fills),
    metric_rows::of_counter("zero_page_maps", &Counters::zero_page_maps),
    metric_rows::of_counter("file_maps", &Counters::file_maps),
    metric_rows::of_counter("ptes_copied", &Counters::ptes_copied),
    metric_rows::of_counter("thp_faults", &Counters::thp_faults),
    metric_rows::of_counter("huge_zero_maps", &Counters::huge_zero_maps),
    metric_rows::of_counter("pmds_copied", &Counters::pmds_copied),
    metric_rows::of_counter("thp_splits", &Counters::thp_splits),
    metric_rows::of_counter("fork_failures", &Counters::fork_failures),
    metric_rows::of_counter("oom_kills", &Counters::oom_kills),
    metric_rows::of_counter("segfaults", &Counters::segfaults),
    metric_rows::of_counter("mmap_failures", &Counters::mmap_failures),
    metric_rows::of_counter("mprotect_failures", &Counters::mprotect_failures),
};

// The index in kMetrics of `name` in `scope`, or std::size(kMetrics) when there is none.
// It compares and returns by index, not through pointers or char_traits: under GCC's UBSan
// (null and nonnull checks) those are not constant expressions, which metric() needs.
constexpr size_t metric_index(std::string_view name, MetricScope scope) {
  for (size_t i = 0; i < std::size(kMetrics); ++i) {
    std::string_view n = kMetrics[i].name;
    bool same = n.size() == name.size();
    for (size_t k = 0; same && k < n.size(); ++k) same = n[k] == name[k];
    if (same && kMetrics[i].in(scope)) return i;
  }
  return std::size(kMetrics);
}

// The row of `name` in `scope`, or nullptr when `name` is no metric there.
inline const Metric* find_metric(std::string_view name, MetricScope scope) {
  size_t i = metric_index(name, scope);
  return i < std::size(kMetrics) ? &kMetrics[i] : nullptr;
}

// The same for a name written in the code: one that is no metric of `scope` does not
// compile ("call to consteval function is not a constant expression").
consteval const Metric& metric(std::string_view name, MetricScope scope) {
  size_t i = metric_index(name, scope);
  if (i == std::size(kMetrics)) metric_rows::no_such_metric_in_this_scope();
  return kMetrics[i];
}

// Every name valid in `scope`, in table order (for suggestions and messages).
const std::vector<std::string>& metric_names(MetricScope scope);

// "process", "region" or "system".
const char* scope_name(MetricScope scope);

// The value of a metric read from a Usage (source Usage) or from the machine's totals
// (source Machine or Counter). A metric of another source reads as 0: a caller bug.
double metric_value(const Metric& m, const Usage& u);
double metric_value(const Metric& m, const SystemUsage& s, const Counters& c);

// A value as the report, the JSON and `expect` messages write it: "64", or "42.6667" for Pss.
std::string format_metric(const Metric& m, double value);

// Whether `actual` passes a check for `expected`: Pss to within 0.01 page (its printed
// form is rounded), every other metric exactly.
bool metric_matches(const Metric& m, double actual, double expected);

}  // namespace cow::script
