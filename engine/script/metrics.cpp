#include "metrics.h"

#include <algorithm>

namespace cow::script {
namespace {

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

const std::vector<std::string>& metric_names(MetricScope scope) {
  static const std::vector<std::string> process = {
      "rss",          "pss",           "uss",           "shared", "private", "shared_clean",
      "shared_dirty", "private_clean", "private_dirty", "anon",   "file",    "shmem",
      "ptes",         "zero_ptes",     "vm_pte",        "state",  "minflt",  "pid",
      "ppid"};
  // A region is one smaps entry: no page-table total and no task state, but its size.
  static const std::vector<std::string> region = {
      "rss",          "pss",          "uss",           "shared",        "private",
      "shared_clean", "shared_dirty", "private_clean", "private_dirty", "anon",
      "file",         "shmem",        "ptes",          "zero_ptes",     "pages"};
  static const std::vector<std::string> system = {
      "frames_total",   "frames_used", "frames_free",   "frames_mapped", "frames_shared",
      "frames_private", "page_cache",  "shmem",         "faults",        "faults_read",
      "faults_write",   "cow_copies",  "cow_reuses",    "zero_fills",    "zero_page_maps",
      "file_maps",      "ptes_copied", "fork_failures", "oom_kills",     "segfaults"};
  switch (scope) {
    case MetricScope::Process:
      return process;
    case MetricScope::Region:
      return region;
    case MetricScope::System:
      return system;
  }
  return system;
}

const char* scope_name(MetricScope scope) {
  switch (scope) {
    case MetricScope::Process:
      return "process";
    case MetricScope::Region:
      return "region";
    case MetricScope::System:
      return "system";
  }
  return "system";
}

bool is_process_metric(std::string_view name) {
  return contains(metric_names(MetricScope::Process), name);
}
bool is_region_metric(std::string_view name) {
  return contains(metric_names(MetricScope::Region), name);
}
bool is_system_metric(std::string_view name) {
  return contains(metric_names(MetricScope::System), name);
}

}  // namespace cow::script
