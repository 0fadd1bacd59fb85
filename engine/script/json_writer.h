// JSON strings, escaped in one place for every JSON the project writes: `cowlab run
// --json` (json.cpp), `cowlab validate --json`, the benchmarks' lines and the web page's
// widget probe. Written by hand, so native and WebAssembly builds print the same bytes.
#pragma once
#include <string>
#include <string_view>

namespace cow::script {

// Appends `s` as a JSON string: in double quotes, with `"` and `\` escaped by a backslash
// and control characters (below U+0020) as \u00xx. Every other byte, UTF-8 included,
// passes as it is.
void append_json_string(std::string& out, std::string_view s);

// The same, as a new string.
std::string json_string(std::string_view s);

}  // namespace cow::script
