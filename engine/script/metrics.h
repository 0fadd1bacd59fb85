// The metric names an `expect` may check, by scope: a process (smaps_rollup and status),
// one region of a process (one smaps entry), or the whole machine (meminfo-like frame
// counts and the engine's event counters). is_*_metric() in ast.h read these lists.
#pragma once
#include <string>
#include <vector>

#include "ast.h"

namespace cow::script {

// Every name valid in `scope`, in a fixed order (for suggestions and messages).
const std::vector<std::string>& metric_names(MetricScope scope);

// "process", "region" or "system".
const char* scope_name(MetricScope scope);

}  // namespace cow::script
