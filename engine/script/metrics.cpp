#include "metrics.h"

#include <cmath>

namespace cow::script {

const std::vector<std::string>& metric_names(MetricScope scope) {
  static const auto names_in = [](MetricScope s) {
    std::vector<std::string> names;
    for (const Metric& m : kMetrics)
      if (m.in(s)) names.emplace_back(m.name);
    return names;
  };
  static const std::vector<std::string> process = names_in(MetricScope::Process);
  static const std::vector<std::string> region = names_in(MetricScope::Region);
  static const std::vector<std::string> system = names_in(MetricScope::System);
  switch (scope) {
    case MetricScope::Process: return process;
    case MetricScope::Region: return region;
    case MetricScope::System: return system;
  }
  return system;
}

const char* scope_name(MetricScope scope) {
  switch (scope) {
    case MetricScope::Process: return "process";
    case MetricScope::Region: return "region";
    case MetricScope::System: return "system";
  }
  return "system";
}

bool is_process_metric(std::string_view name) { return find_metric(name, MetricScope::Process) != nullptr; }
bool is_region_metric(std::string_view name) { return find_metric(name, MetricScope::Region) != nullptr; }
bool is_system_metric(std::string_view name) { return find_metric(name, MetricScope::System) != nullptr; }

double metric_value(const Metric& m, const Usage& u) {
  return m.source == MetricSource::Usage ? m.usage(u) : 0;
}

double metric_value(const Metric& m, const SystemUsage& s, const Counters& c) {
  if (m.source == MetricSource::Machine) return double(s.*m.machine);
  if (m.source == MetricSource::Counter) return double(c.*m.counter);
  return 0;
}

std::string format_metric(const Metric& m, double value) {
  if (m.format != MetricFormat::Pss) return std::to_string(std::llround(value));
  char buf[32];
  format_pss(value, buf);
  return buf;
}

bool metric_matches(const Metric& m, double actual, double expected) {
  return std::fabs(actual - expected) <= (m.format == MetricFormat::Pss ? 0.01 : 0) + 1e-9;
}

}  // namespace cow::script
