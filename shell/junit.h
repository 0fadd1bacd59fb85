// JUnit XML, the test report CI systems read (GitLab, Jenkins, GitHub test reporters), for
// `cowlab check --junit REPORT.xml`: one <testsuite>, one <testcase> per script, and a
// <failure> holding the failed expects or the error of each script that did not pass.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace cow::shell {

struct TestCase {
  std::string name;     // the script's path as given
  double seconds = 0;
  bool passed = true;
  std::string failure_type;     // "expect" or "error"; unused when passed
  std::string failure_message;  // one line: "2 of 5 expects failed"
  std::string failure_text;     // the details, "file:line:col: ..." lines
};

// `text` made safe inside an XML attribute or element: the five special characters as
// entities, characters XML 1.0 forbids and bytes that are not UTF-8 as U+FFFD.
std::string xml_escape(std::string_view text);

// The whole report. `timestamp` is ISO 8601 ("2025-01-31T12:00:00"), or empty.
std::string junit_xml(std::string_view suite, const std::vector<TestCase>& cases, double seconds,
                      std::string_view timestamp);

}  // namespace cow::shell
