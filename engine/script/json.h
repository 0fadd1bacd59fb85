// JSON text: the one escaping rule for every JSON document cowlab prints (`cowlab run
// --json`, whose document json.cpp builds, `cowlab validate --json`, the benchmarks' lines
// and the web page's widget probe).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace cow::script {

// `s` as a JSON string literal: in double quotes, with '"' and '\\' escaped by a backslash
// and control characters (below U+0020) as \u00xx. Every other byte, UTF-8 included,
// passes as it is.
std::string json_string(std::string_view s);
// The same, appended to `out`.
void append_json_string(std::string& out, std::string_view s);

struct Metric;

// A JSON document built in order, with the commas put in: open('{'), key/value members,
// close('}'). Every string goes through append_json_string; numbers are integers, or a
// metric formatted as the metric table says (format_metric).
class JsonWriter {
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
  void metric(const Metric& m, double v);
  void text(std::string_view k, std::string_view v) { key(k), str(v), fresh_ = false; }
  void literal(std::string_view k, std::string_view v) { key(k), raw(v), fresh_ = false; }
  void flag(std::string_view k, bool v) { literal(k, v ? "true" : "false"); }
  void null(std::string_view k) { literal(k, "null"); }
  void item(uint64_t v) { sep(), raw(std::to_string(v)); }  // array elements
  void item(std::string_view v) { sep(), str(v); }
  void item_flag(bool v) { sep(), raw(v ? "true" : "false"); }
  void open(char c) { sep(), out += c, fresh_ = true; }
  void close(char c) { out += c, fresh_ = false; }

 private:
  void sep() {
    if (!fresh_) out += ',';
    fresh_ = false;
  }
  bool fresh_ = true;
};

}  // namespace cow::script
