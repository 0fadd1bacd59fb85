// JSON text: the one escaping rule for every JSON document cowlab prints (`cowlab run
// --json`, whose document json.cpp builds, `cowlab validate --json`, the benchmarks' lines
// and the web page's widget probe).
#pragma once
#include <string>
#include <string_view>

namespace cow::script {

// `s` as a JSON string literal: in double quotes, with '"' and '\\' escaped by a backslash
// and control characters (below U+0020) as \u00xx. Every other byte, UTF-8 included,
// passes as it is.
std::string json_string(std::string_view s);
// The same, appended to `out`.
void append_json_string(std::string& out, std::string_view s);

}  // namespace cow::script
