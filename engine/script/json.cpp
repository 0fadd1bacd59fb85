// The JSON document of `cowlab run --json` (schema version 1), and json.h's string escaping.
// Built by hand so that native and WASM builds print the same bytes: integers, and Pss
// with four decimals. The metrics and their order come from the metric table (metrics.h).
#include <algorithm>
#include <string>

#include "json.h"
#include "metrics.h"
#include "session.h"

namespace cow::script {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += char(c);
    }
  }
  out += '"';
}

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

namespace {

class Json {
 public:
  std::string out;
  void raw(std::string_view s) { out += s; }
  void str(std::string_view s) { append_json_string(out, s); }
  void key(std::string_view k) {
    sep();
    str(k);
    out += ':';
    fresh_ = true;
  }
  void num(std::string_view k, uint64_t v) { key(k), raw(std::to_string(v)), fresh_ = false; }
  void metric(const Metric& m, double v) { key(m.name), raw(format_metric(m, v)), fresh_ = false; }
  void text(std::string_view k, std::string_view v) { key(k), str(v), fresh_ = false; }
  void literal(std::string_view k, std::string_view v) { key(k), raw(v), fresh_ = false; }
  void open(char c) { sep(), out += c, fresh_ = true; }
  void close(char c) { out += c, fresh_ = false; }

 private:
  void sep() {
    if (!fresh_) out += ',';
    fresh_ = false;
  }
  bool fresh_ = true;
};

// The fields of `scope` that are read from a Usage (metrics.h), in table order.
void usage_fields(Json& j, const Usage& u, MetricScope scope) {
  for (const Metric& m : kMetrics)
    if (m.in_json(scope) && m.source == MetricSource::Usage) j.metric(m, metric_value(m, u));
}

// The machine's frame counts, then its event counters in an object of their own.
void system_fields(Json& j, const Engine& e) {
  SystemUsage s = e.system();
  const Counters& c = e.counters();
  j.key("system"), j.open('{');
  for (const Metric& m : kMetrics)
    if (m.in_json(MetricScope::System) && m.source == MetricSource::Machine) j.metric(m, metric_value(m, s, c));
  j.key("counters"), j.open('{');
  for (const Metric& m : kMetrics)
    if (m.in_json(MetricScope::System) && m.source == MetricSource::Counter) j.metric(m, metric_value(m, s, c));
  j.close('}');
  j.close('}');
}

void regions(Json& j, const Engine& e, ProcId p) {
  j.key("regions"), j.open('[');
  const Process& t = e.processes()[p];
  if (t.live()) {
    const AddressSpace& as = e.address_spaces()[t.mm];
    for (uint32_t m : as.region_mappings()) {
      const Mapping& map = as.mappings[m];
      Usage u = e.region_usage(p, map.name);
      j.open('{');
      j.text("name", e.name(map.name));
      j.text("kind", map.backing == Backing::Anon ? "anon" : "file");
      j.text("mapping", map.share == Share::Private ? "private" : "shared");
      usage_fields(j, u, MetricScope::Region);
      j.close('}');
    }
  }
  j.close(']');
}

void process(Json& j, const Engine& e, ProcId p) {
  const Process& t = e.processes()[p];
  j.open('{');
  j.text("name", t.name);
  j.num("pid", t.pid);
  j.num("ppid", e.ppid(p));
  j.num("minflt", e.min_flt(p));
  if (t.parent == kNone) j.literal("parent", "null"); else j.text("parent", e.processes()[t.parent].name);
  if (t.is_thread(p)) j.text("thread_of", e.processes()[t.leader].name);
  j.text("state", to_string(t.state));
  j.num("mm", t.mm + 1);
  usage_fields(j, e.usage(p), MetricScope::Process);
  regions(j, e, p);
  j.close('}');
}

}  // namespace

std::string state_json(const Session& s) {
  const Engine& e = s.engine();
  Json j;
  j.open('{');
  j.num("version", 1);
  j.num("page_size", kPageSize);
  j.num("step", s.position());
  j.num("steps", s.step_count());
  system_fields(j, e);
  j.key("processes"), j.open('[');
  for (ProcId p = 0; p < e.processes().size(); ++p) process(j, e, p);
  j.close(']');
  j.key("expects"), j.open('[');
  for (const ExpectOutcome& x : s.expects()) {
    j.open('{');
    j.num("line", x.line);
    j.literal("ok", x.ok ? "true" : "false");
    j.text("message", x.message);
    j.close('}');
  }
  j.close(']');
  if (s.error()) {
    j.key("error"), j.open('{');
    j.num("line", s.error()->pos.line), j.num("col", s.error()->pos.col);
    j.text("message", s.error()->message);
    j.close('}');
  }
  j.close('}');
  return j.out;
}

}  // namespace cow::script
