// Text views of a session for the terminal: the state table printed at each `show`,
// the per-statement trace with metric changes, the per-statement explanation, and error
// lines with a caret.
#pragma once
#include <string>
#include <vector>

#include "engine/script/metrics.h"
#include "engine/script/session.h"

namespace cow::shell {

// Processes, their regions, the system line and the counters, as an aligned table.
std::string state_table(const script::Session& s);

// Every metric a trace compares: "C1 rss", "frames_used", "cow_copies", ...
struct Metrics {
  struct Value {
    std::string label;                      // "C1 rss", "frames_used"
    const script::Metric* metric = nullptr; // its row in the metric table (its format)
    double value = 0;
  };
  std::vector<Value> values;
};
Metrics collect_metrics(const Engine& e);
// "  C1 rss 0 -> 64 (up 64)" lines for the metrics that changed.
std::string metric_changes(const Metrics& before, const Metrics& after);

// What `run --explain` prints after a statement: "[6] line 17: C1 write heap 0-15" and
// one sentence per event of it (engine/mm/explain.h); "" when it had no events.
std::string explain_step(const script::Session& s, const std::string& source);

// "file:line:col: error: message" followed by the source line and a caret under col.
std::string format_error(const std::string& file, const std::string& source, const script::Diagnostic& d);

}  // namespace cow::shell
