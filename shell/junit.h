// JUnit XML, the test report CI systems read (GitLab, Jenkins, GitHub test reporters), for
// `cowlab check --junit REPORT.xml`: one <testsuite>, one <testcase> per script, and a
// <failure> holding the failed expects or the error of each script that did not pass.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "engine/script/xml.h"

namespace cow::shell {

struct TestCase {
  std::string name;     // the script's path as given
  double seconds = 0;
  bool passed = true;
  std::string failure_type;     // "expect" or "error"; unused when passed
  std::string failure_message;  // one line: "2 of 5 expects failed"
  std::string failure_text;     // the details, "file:line:col: ..." lines
};

using script::xml_escape;  // engine/script/xml.h

// The whole report. `timestamp` is ISO 8601 ("2025-01-31T12:00:00"), or empty.
std::string junit_xml(std::string_view suite, const std::vector<TestCase>& cases, double seconds,
                      std::string_view timestamp);

}  // namespace cow::shell
