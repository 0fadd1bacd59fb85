// JSON text: the one escaping rule for every JSON document cowlab prints (`cowlab run
// --json`, whose document json.cpp builds, and `cowlab validate --json`).
#pragma once
#include <string>
#include <string_view>

namespace cow::script {

// `s` as a JSON string literal: quoted, with '"', '\\' and control characters escaped.
std::string json_string(std::string_view s);

}  // namespace cow::script
